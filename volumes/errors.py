"""Cinder's (and Nova's, for attachments) refusals in words a tenant can act on.

Cinder prefixes its reasons ("Invalid input received: ", "Invalid volume: "); the person
gets the reason, and for a quota the project's numbers as Cinder said them."""

import re

from openstack import exceptions as os_exc

from portal.errors import CloudRefused, cloud_said, refusals_by

PREFIXES = re.compile(r"^(Invalid input received|Invalid volume|Invalid snapshot|"
                      r"VolumeSizeExceedsAvailableQuota|VolumeLimitExceeded|"
                      r"SnapshotLimitExceeded|Invalid input for field/attribute \w+): ?")
NOT_DELETABLE = ("The volume cannot be deleted now: it must be available (or in error), "
                 "not attached to a server, and without snapshots. Detach it and delete its "
                 "snapshots first.")


def reason(exc) -> str:
    said = cloud_said(exc)
    return PREFIXES.sub("", said, count=1).strip() or said


# Nova's _check_volume_already_attached (a volume that is not multi-attach, held or being
# attached by another server): the holders by id
ALREADY_ATTACHED = re.compile(r"volume (\S+) is already attached to instances: (.+)$")


def _names(ids: str, names: dict) -> str:
    return ", ".join(f"“{names.get(i) or i}”" for i in ids.split())


def explain(exc: os_exc.HttpException, messages: dict, **context) -> CloudRefused:
    if exc.status_code == 401:
        raise exc
    said = reason(exc)
    if "must not be migrating, attached, belong to a group, have snapshots" in cloud_said(exc):
        return CloudRefused(NOT_DELETABLE, exc)
    held = ALREADY_ATTACHED.search(said)
    if held:
        return CloudRefused(
            f"The volume cannot be attached: it is already attached to "
            f"{_names(held.group(2), context.get('server_names') or {})}, and it is not a "
            "multi-attach volume (it serves one server at a time). Detach it there first.",
            exc)
    template = messages.get(exc.status_code)
    if template:
        return CloudRefused(template.format(cinder=said, **context), exc)
    return CloudRefused(f"The block storage service refused: {said}", exc)


# Around a service call: an HTTP refusal comes out as CloudRefused in the operation's
# words (`messages`, formatted with `context`).
refusals = refusals_by(explain)


COMMON = {403: "You may not change volumes in this project.",
          404: "That volume (or what it was made from) no longer exists.",
          413: "Your project's volume quota does not allow it: {cinder}"}
CREATE = {**COMMON, 400: "The volume cannot be made: {cinder}"}
EXTEND = {**COMMON, 400: "The volume cannot be extended: {cinder}"}
UPDATE = {**COMMON, 400: "The volume cannot be changed: {cinder}"}
DELETE = {**COMMON, 400: "The volume cannot be deleted: {cinder}"}
ATTACH = {**COMMON, 400: "The volume cannot be attached: {cinder}",
          409: "The server cannot take a volume now: {cinder}"}
DETACH = {**COMMON, 400: "The volume cannot be detached: {cinder}",
          409: "The server cannot let the volume go now: {cinder}"}
SNAPSHOT = {**COMMON, 400: "The snapshot cannot be made: {cinder}"}
SNAPSHOT_DELETE = {**COMMON, 400: "The snapshot cannot be deleted: {cinder}",
                   404: "That snapshot no longer exists."}
