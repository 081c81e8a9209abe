"""Nova's refusals in words a tenant can act on.

Nova answers {"badRequest"|"forbidden"|"conflict"|...: {"message", "code"}}; unlike Neutron
there is no stable type, so we match the message (the wording Nova has used for years).
Anything unmatched is shown with Nova's own message, never swallowed.
"""

import re

from openstack import exceptions as os_exc

from portal.errors import CloudRefused


def nova_message(exc: os_exc.HttpException) -> str:
    try:
        body = exc.response.json()
        inner = next(iter(body.values()))
        if isinstance(inner, dict) and inner.get("message"):
            return inner["message"]
    except (AttributeError, ValueError, StopIteration, TypeError):
        pass
    return exc.details or exc.message or ""


LAUNCH = [
    (r"Quota exceeded for (?P<what>[\w, ]+): Requested (?P<req>[^,]+(?:, [^,]+)*?), but "
     r"already used (?P<used>.+?) of (?P<max>.+?) \w",
     "Your project's quota does not allow this launch ({what}: asked for {req}, "
     "{used} used of {max}). Delete servers you no longer need, launch fewer or smaller "
     "ones, or ask an administrator to raise the quota."),
    (r"Quota exceeded", "Your project's quota does not allow this launch: {nova}"),
    (r"Flavor .* could not be found", "That flavor no longer exists. Pick another one."),
    (r"Flavor's (memory|disk) is too small",
     "The flavor's {0} is too small for that image. Pick a bigger flavor."),
    (r"Block Device .* is not bootable", "That volume is not bootable. Make it bootable on "
                                         "the volumes page, or choose another."),
    (r"status must be available or downloading to reserve, but the current status is "
     r"(?P<status>[\w-]+)", "That volume is {status}: a server boots only from an available "
                            "volume. Detach it first or choose another."),
    (r"Volume is smaller than the minimum size specified in image metadata",
     "The volume is smaller than the image's minimum disk. Give a bigger size."),
    (r"need to have a non-zero size specified", "Give the new volume a size in GB."),
    (r"failed to get (volume|snapshot)|Snapshot .* could not be found",
     "That volume or snapshot no longer exists. Reload the form and choose again."),
    (r"Can not find requested image|Image .* could not be found|failed to get image",
     "That image no longer exists or is not visible to your project. Pick another one."),
    (r"Image .* is not active", "That image is not ready yet (still uploading or "
                                "deactivated). Pick another one."),
    (r"Network .* could not be found", "One of the chosen networks no longer exists. "
                                       "Reload the form and pick again."),
    (r"not allowed to create an interface on external network",
     "Servers cannot be attached directly to an external network. Choose your project's "
     "network and ask for a floating IP instead."),
    (r"Multiple possible networks found", "Your project has several networks: choose one."),
    (r"Invalid key_name provided", "That key pair no longer exists. Pick or import another."),
    (r"Unable to find security_group", "One of the chosen security groups no longer "
                                       "exists."),
    (r"No valid host", "The cloud has no room for this server right now (no host can take "
                       "it). Try a smaller flavor or try again later."),
    (r"Maximum number of metadata items", "Too many metadata items for this project."),
]


def explain(exc: os_exc.HttpException, rules=LAUNCH) -> CloudRefused:
    """The CloudRefused for exc. 401 is not ours: the middleware logs the person out."""
    if exc.status_code == 401:
        raise exc
    nova = nova_message(exc)
    for pattern, template in rules:
        m = re.search(pattern, nova)
        if m:
            return CloudRefused(template.format(*m.groups(), nova=nova, **m.groupdict()))
    return CloudRefused(f"The cloud refused: {nova}")
