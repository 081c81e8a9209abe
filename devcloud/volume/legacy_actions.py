"""The volume actions Nova used before the attachments API, as
cinder/api/contrib/volume_actions.py and volume/api.py answer them (202 each, but
os-initialize_connection: 200 with the driver's connection_info):

    os-reserve            available → attaching ("Volume status must be available to
                          reserve, but the status is …")
    os-unreserve          attaching → available (in-use while attached); else nothing
    os-initialize_connection  the connector required; the connection_info
    os-attach             mountpoint and instance_uuid or host_name: an attached record,
                          the volume in-use
    os-begin_detaching    in-use and attached → detaching
    os-roll_detaching     detaching → in-use; else nothing
    os-terminate_connection  the connector required; unreserves
    os-detach             the attachment (by id, or the only one) gone; an attachment
                          Nova holds, or an unknown id, is Nova's to detach (409)
"""

import uuid

from ..errors import CloudError
from . import attachments as records
from .api import invalid_input, require_member, stamp

RULE = "volume_extension:volume_actions:"


def _args(name: str, args, required: str | None = None) -> dict:
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise invalid_input(name, args, f"{args!r} is not of type 'object'")
    if required and required not in args:
        raise invalid_input(name, args, f"'{required}' is a required property")
    return args


def reserve(request, service, vol, args) -> None:
    require_member(request, RULE + "reserve")
    if vol["status"] != "available":
        raise records.invalid_volume("Volume status must be available to reserve, but the "
                                     f"status is {vol['status']}.")
    service.touch(vol, status="attaching")


def _unreserve(service, vol) -> None:
    if vol["status"] == "attaching":
        service.touch(vol, status="in-use" if vol["attachments"] else "available")


def unreserve(request, service, vol, args) -> None:
    require_member(request, RULE + "unreserve")
    _unreserve(service, vol)


def initialize_connection(request, service, vol, args) -> dict:
    args = _args("os-initialize_connection", args, "connector")
    require_member(request, RULE + "initialize_connection")
    connector = args["connector"] if isinstance(args["connector"], dict) else {}
    return {"connection_info": records.legacy_connection_info(connector)}


def attach(request, service, vol, args) -> None:
    args = _args("os-attach", args, "mountpoint")
    if "instance_uuid" not in args and "host_name" not in args:
        raise invalid_input("os-attach", args, f"{args!r} is not valid under any of the "
                                               "given schemas")
    instance = args.get("instance_uuid")
    if instance is not None:
        try:
            uuid.UUID(str(instance))
        except ValueError:
            raise invalid_input("instance_uuid", instance,
                                f"'{instance}' is not a 'uuid'") from None
    require_member(request, RULE + "attach")
    if vol["status"] == "maintenance":
        raise records.invalid_volume("The volume cannot be attached in maintenance mode.")
    rec = {"id": str(uuid.uuid4()), "volume_id": vol["id"], "project_id": vol["project_id"],
           "instance_uuid": instance, "attach_status": "attaching",
           "attach_mode": args.get("mode", "rw"), "attached_at": stamp(),
           "created_at": stamp(), "connection_info": {}, "connector": None,
           "mountpoint": args["mountpoint"], "host_name": args.get("host_name")}
    records.records(service)[rec["id"]] = rec
    records.complete(service, rec)


def begin_detaching(request, service, vol, args) -> None:
    require_member(request, RULE + "begin_detaching")
    if vol["status"] != "in-use" or not vol["attachments"]:
        raise records.invalid_volume("Unable to detach volume. Volume status must be "
                                     "'in-use' and attach_status must be 'attached' to "
                                     "detach.")
    service.touch(vol, status="detaching")


def roll_detaching(request, service, vol, args) -> None:
    require_member(request, RULE + "roll_detaching")
    if vol["status"] == "detaching":
        service.touch(vol, status="in-use")


def _the_one(service, vol, attachment_id: str | None) -> dict | None:
    """What attachment_deletion_allowed looks at: the named record, or a volume's only
    one; None for an unknown id (or several and none named)."""
    held = [r for r in records.of_volume(service, vol["id"])
            if r["attach_status"] == "attached"]
    if attachment_id is None:
        return held[0] if len(held) == 1 else None
    found = next((r for r in records.all_records(service, None)
                  if r["id"] == attachment_id), None)
    if found is not None and found["volume_id"] != vol["id"]:
        raise CloudError(400, "Invalid input received: Mismatched volume and attachment")
    return found


def terminate_connection(request, service, vol, args) -> None:
    _args("os-terminate_connection", args, "connector")
    require_member(request, RULE + "terminate_connection")
    if vol["attachments"]:
        records.deletion_allowed(service, request["ctx"], _the_one(service, vol, None))
    _unreserve(service, vol)


def detach(request, service, vol, args) -> None:
    args = _args("os-detach", args)
    attachment_id = args.get("attachment_id")
    require_member(request, RULE + "detach")
    if attachment_id is None and not vol["attachments"]:
        return
    rec = _the_one(service, vol, attachment_id)
    records.deletion_allowed(service, request["ctx"], rec)
    if rec.get("nova"):       # a user with a service token: Nova's record, its way
        service.drop_attachment(vol, rec["instance_uuid"])
        return
    records.finish_detach(service, rec)


ACTIONS = {"os-reserve": (reserve, 202), "os-unreserve": (unreserve, 202),
           "os-initialize_connection": (initialize_connection, 200),
           "os-attach": (attach, 202), "os-begin_detaching": (begin_detaching, 202),
           "os-roll_detaching": (roll_detaching, 202),
           "os-terminate_connection": (terminate_connection, 202), "os-detach": (detach, 202)}
