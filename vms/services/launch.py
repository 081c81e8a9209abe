"""Launch: one create_server call for the form, guarded against a second server for the
same form (its request id, kept in a LaunchRequest row and in the servers' metadata),
with the key pair it may make and everything after Nova accepted it."""

import base64
import logging
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from portal.changes import afterwards, announce

from .. import boot_source, fragments, keys, pollstate, timeline
from ..errors import CloudRefused, explain, nova_message
from ..models import LaunchRequest

log = logging.getLogger(__name__)
REQUEST_KEY = "stackport_request"


@dataclass
class LaunchResult:
    server_ids: list[str]
    duplicate: bool = False
    private_key: str | None = None
    key_name: str | None = None
    extra: dict = field(default_factory=dict)


def check_quota(limits: dict, flavor, count: int) -> None:
    """Refuse before calling Nova a launch that would exceed the project's quota."""
    wanted = {"instances": count, "cores": count * (flavor.vcpus or 0),
              "ram": count * (flavor.ram or 0)}
    words = {"instances": "servers", "cores": "vCPUs", "ram": "MiB of RAM"}
    over = []
    for what, (used, limit) in limits.items():
        if limit is not None and limit >= 0 and used + wanted[what] > limit:
            over.append(f"{wanted[what]} more {words[what]} would make {used + wanted[what]}"
                        f" of {limit}")
    if over:
        raise CloudRefused("This launch would exceed your project's quota: "
                           + "; ".join(over) + ". Delete servers you no longer need, launch "
                           "fewer or smaller ones, or ask an administrator to raise the "
                           "quota.")


def _tagged(conn, name: str, request_id: str) -> list[str]:
    """Servers of this project that an earlier try of the same request already made."""
    pattern = f"^{re.escape(name)}(-[0-9]+)?$"
    return [s.id for s in conn.compute.servers(details=True, name=pattern)
            if (s.metadata or {}).get(REQUEST_KEY) == request_id]


def _earlier_try(conn, name: str, request_id: str) -> list[str]:
    """_tagged, for the check before a launch: when Nova cannot say whether an earlier
    try of this form made servers, nothing is launched (a second server is worse than a
    form sent again) and the person is told why."""
    try:
        return _tagged(conn, name, request_id)
    except os_exc.HttpException as exc:
        if exc.status_code == 401:
            raise
        said = f"the compute service answered: {nova_message(exc)}"
    except (os_exc.SDKException, ks_exc.ClientException) as exc:
        if isinstance(exc, ks_exc.Unauthorized):
            raise
        said = f"the compute service did not answer ({type(exc).__name__})"
    raise CloudRefused("Nothing was launched: the portal could not check whether this form "
                       f"was already sent ({said}). Send it again in a moment; it will "
                       "not make a second server.")


def _networks_chosen(options: dict, ids: list[str]) -> list[dict]:
    names = {n.id: n.name or n.id for n in options["tenant_networks"]}
    return [{"network": names.get(i, i), "subnets": options["cidrs"].get(i, [])} for i in ids]


def _key_for_launch(conn, data: dict) -> tuple[str | None, str | None, bool]:
    """(key name, private key to show once, whether we created it here)."""
    mode = data["key_mode"]
    if mode == "existing":
        return data["key_name"], None, False
    if mode in ("create", "import"):
        private = None
        public = data["public_key"].strip() if mode == "import" else None
        if public is None:
            public, private = keys.generate()
        try:
            conn.compute.create_keypair(name=data["new_key_name"], public_key=public)
        except os_exc.HttpException as exc:
            if exc.status_code == 401:
                raise
            raise CloudRefused(f"The key pair could not be saved: {nova_message(exc)}") \
                from None
        return data["new_key_name"], private, True
    return None, None, False


def launch(actor, data: dict, options: dict, flavor) -> LaunchResult:
    count = data["count"]
    check_quota(options["limits"], flavor, count)
    try:
        with transaction.atomic():
            launch_row = LaunchRequest.objects.create(
                request_id=data["request_id"], project_id=actor.project_id,
                user_id=actor.user_id, name=data["name"], count=count,
                floating_pool_id=data.get("floating_pool") or "",
                networks=_networks_chosen(options, data["networks"]))
    except IntegrityError:
        earlier = LaunchRequest.objects.get(request_id=data["request_id"])
        if earlier.project_id != actor.project_id:
            raise CloudRefused("This form was already used. Reload the page.") from None
        return LaunchResult(earlier.server_ids, duplicate=True)
    try:
        sent = _send(actor, launch_row, data, flavor)
    except BaseException:
        # Nova did not accept it: the same form may be sent again (and if Nova did make
        # it after all, e.g. behind a timeout, the next try finds it by its request id).
        launch_row.delete()
        raise
    if isinstance(sent, LaunchResult):
        return sent
    # Nova accepted the launch: from here on nothing may fail the answer or forget the
    # request id (the row stays, so the same form never makes a second server).
    return _accepted(actor, launch_row, data, flavor, boot_source.describe(data, options),
                     *sent)


def _send(actor, launch_row: LaunchRequest, data: dict, flavor):
    """Everything up to Nova accepting the launch: (first server, key name, private key,
    whether the key was made here), or the LaunchResult of an earlier try that made it."""
    conn = actor.conn
    rid = launch_row.request_id
    already = _earlier_try(conn, data["name"], rid)
    if already:
        _remember(launch_row, already)
        return LaunchResult(already, duplicate=True)
    key_name, private_key, made_key = _key_for_launch(conn, data)
    body = {"name": data["name"], "flavor_id": flavor.id, **boot_source.server_attrs(data),
            "networks": [{"uuid": n} for n in data["networks"]],
            "security_groups": [{"name": g} for g in data["security_groups"]] or None,
            "min_count": data["count"], "max_count": data["count"],
            "metadata": {REQUEST_KEY: rid}}
    if key_name:
        body["key_name"] = key_name
    if data.get("user_data"):
        body["user_data"] = base64.b64encode(data["user_data"].encode()).decode()
    try:
        first = conn.compute.create_server(**{k: v for k, v in body.items() if v is not None})
    except os_exc.HttpException as exc:
        if made_key:  # nothing half-created: the key pair made for this launch goes too
            _quiet_delete_key(conn, key_name)
        raise explain(exc) from None
    except (ks_exc.ConnectTimeout, ks_exc.RequestTimeout):
        # Sent, but no answer: Nova may have made it. Sending the same form again is safe
        # (the check above finds a server made under this request id), never resent here.
        raise CloudRefused("The compute service did not answer the launch in time; the "
                           "server may have been made. Send the form again: if it was "
                           "made, you are taken to it and no second one is made.") from None
    return first, key_name, private_key, made_key


def _accepted(actor, launch_row: LaunchRequest, data: dict, flavor, root: str, first,
              key_name, private_key, made_key) -> LaunchResult:
    """What follows a launch Nova accepted; each step may fail without failing it."""
    what = f"launch {launch_row.request_id}"
    rid = launch_row.request_id
    ids = [first.id]
    if data["count"] > 1:
        ids = afterwards(what, _tagged, actor.conn, data["name"], rid) or ids
    afterwards(what, _remember, launch_row, ids)
    afterwards(what, _record_requested, actor, launch_row, ids, flavor, data, root)
    afterwards(what, pollstate.kick)
    afterwards(what, lambda: announce(
        actor, "server.launch", data["name"],
        event=fragments.launched(ids, bool(launch_row.floating_pool_id)),
        detail=f"{len(ids)} server(s), flavor {flavor.name}, request {rid}"
               + (f", root: {root}" if root else "")))
    return LaunchResult(ids, private_key=private_key, key_name=key_name if made_key else None)


def _remember(launch_row: LaunchRequest, ids: list[str]) -> None:
    launch_row.server_ids = ids
    launch_row.save(update_fields=["server_ids"])


def _record_requested(actor, launch_row, ids, flavor, data, root: str) -> None:
    chosen = "; ".join(f"{n['network']} ({', '.join(n['subnets']) or 'no subnet'})"
                       for n in launch_row.networks)
    project = actor.project_id
    at = launch_row.created_at
    for sid in ids:
        timeline.record(sid, project, "network_chosen", chosen, at=at)
        timeline.record(sid, project, "requested",
                        f"flavor {flavor.name}, {data['count']} server(s) in one request")
        if root:  # only a boot from a volume has the volume steps
            timeline.record(sid, project, "root_volume", root)


def _quiet_delete_key(conn, name: str) -> None:
    try:
        conn.compute.delete_keypair(name, ignore_missing=True)
    except os_exc.HttpException:
        log.warning("could not remove key pair %s after a refused launch", name)
