"""/attachments (microversion 3.27+; os-complete 3.44+), as cinder/api/v3/attachments.py
answers: create and update 200 with the detail view, delete 200 with what still shares
the volume, complete 204; below the version, "The resource could not be found."; the
schema's words for a bad body, the record's 404 in Cinder's filter words."""

import uuid

from aiohttp import web

from ..errors import CloudError
from . import attachments as records
from .api import cinder, invalid_input, json_response, mv, require_member, volume_of

FILTERS = {"volume_id", "status", "instance_id", "attach_status"}
PAGING = {"limit", "marker", "offset", "sort", "sort_key", "sort_dir", "all_tenants"}


def _since(request, version: str) -> None:
    if not mv(request, version):
        raise CloudError(404, "The resource could not be found.")


def summary(rec: dict) -> dict:
    return {"id": rec["id"], "status": rec["attach_status"], "instance": rec["instance_uuid"],
            "volume_id": rec["volume_id"]}


def detail(rec: dict) -> dict:
    return {**summary(rec), "attached_at": rec.get("attached_at") or "", "detached_at": "",
            "attach_mode": rec["attach_mode"], "connection_info": rec["connection_info"]}


async def _body(request, required: str | None = None) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise CloudError(400, "Malformed request body") from None
    if not isinstance(body, dict) or "attachment" not in body:
        raise CloudError(400, "'attachment' is a required property")
    spec = body["attachment"]
    if not isinstance(spec, dict):
        raise invalid_input("attachment", spec, f"{spec!r} is not of type 'object'")
    if required and required not in spec:
        raise invalid_input("attachment", spec, f"'{required}' is a required property")
    return spec


def _uuid(spec: dict, field: str) -> None:
    value = spec.get(field)
    if value is None:
        return
    try:
        uuid.UUID(str(value))
    except ValueError:
        raise invalid_input(field, value, f"'{value}' is not a 'uuid'") from None


def _listed(request, render) -> web.Response:
    _since(request, "3.27")
    query, ctx = request.query, request["ctx"]
    unknown = [k for k in query if k not in FILTERS and k not in PAGING]
    if unknown:
        raise CloudError(400, f"Invalid filters {', '.join(unknown)} are found in query "
                              "options.")
    everyone = ctx.is_admin and "all_tenants" in query
    found = records.all_records(volume_of(request), None if everyone else ctx.project_id)
    wanted = {"volume_id": "volume_id", "instance_id": "instance_uuid",
              "attach_status": "attach_status"}
    for key, field in wanted.items():
        if key in query:
            found = [r for r in found if str(r.get(field)) == query[key]]
    if "status" in query:   # not a column of Cinder's records: the real one matches none
        found = []
    found.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    if query.get("limit", "").isdigit():
        found = found[:int(query["limit"])]
    return json_response({"attachments": [render(r) for r in found]})


@cinder
async def list_attachments(request):
    return _listed(request, summary)


@cinder
async def list_attachments_detail(request):
    return _listed(request, detail)


@cinder
async def show_attachment(request):
    _since(request, "3.27")
    rec = records.get(volume_of(request), request.match_info["attachment_id"], request["ctx"])
    return json_response({"attachment": detail(rec)})


@cinder
async def create_attachment(request):
    _since(request, "3.27")
    spec = await _body(request, "volume_uuid")
    _uuid(spec, "volume_uuid")
    _uuid(spec, "instance_uuid")
    service = volume_of(request)
    vol = service.get(spec["volume_uuid"], request["ctx"])
    require_member(request, "volume:attachment_create")
    rec = records.reserve(service, vol, spec.get("instance_uuid"))
    if mv(request, "3.54") and spec.get("mode"):
        rec["attach_mode"] = spec["mode"]
    if spec.get("connector"):
        # Cinder saves its own attach_mode after the driver's update: it stays as asked
        records.connect(service, rec, spec["connector"], mode_from_connector=False)
    return json_response({"attachment": detail(rec)})


@cinder
async def update_attachment(request):
    _since(request, "3.27")
    spec = await _body(request)
    service = volume_of(request)
    rec = records.get(service, request.match_info["attachment_id"], request["ctx"])
    if "connector" not in spec:
        raise invalid_input("attachment", spec, "'connector' is a required property")
    require_member(request, "volume:attachment_update")
    before = detail(rec)
    records.connect(service, rec, spec["connector"])
    # Cinder answers with the object it loaded before the driver's update, the new
    # connection_info set on it
    return json_response({"attachment": {**before,
                                         "connection_info": rec["connection_info"]}})


@cinder
async def delete_attachment(request):
    _since(request, "3.27")
    service = volume_of(request)
    rec = records.get(service, request.match_info["attachment_id"], request["ctx"])
    require_member(request, "volume:attachment_delete")
    records.deletion_allowed(service, request["ctx"], rec)
    remaining = records.finish_detach(service, rec)
    return json_response({"attachments": [summary(r) for r in remaining]})


@cinder
async def attachment_action(request):
    _since(request, "3.44")
    try:
        body = await request.json()
    except ValueError:
        raise CloudError(400, "Malformed request body") from None
    name = next(iter(body)) if isinstance(body, dict) and body else None
    if name != "os-complete":
        raise CloudError(400, f"There is no such action: {name}. Verify the request body "
                              "and Content-Type header and try again.")
    service = volume_of(request)
    rec = records.get(service, request.match_info["attachment_id"], request["ctx"])
    require_member(request, "volume:attachment_complete")
    records.complete(service, rec)
    return web.Response(status=204)


def setup(router, base: str) -> None:
    r = router
    r.add_get(f"{base}/attachments", list_attachments)
    r.add_post(f"{base}/attachments", create_attachment)
    r.add_get(f"{base}/attachments/detail", list_attachments_detail)
    one = f"{base}/attachments/{{attachment_id}}"
    r.add_get(one, show_attachment)
    r.add_put(one, update_attachment)
    r.add_delete(one, delete_attachment)
    r.add_post(f"{one}/action", attachment_action)
