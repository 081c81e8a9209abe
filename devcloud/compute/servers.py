"""Nova servers: list, detail, show, create, update, delete, metadata, instance actions."""

from aiohttp import web

from ..errors import CloudError
from ..routes import add_resource
from . import create, instance_actions, listing
from .api import body_of, compute_of, invalid_input, json_response, mv, nova, require_member
from .states import check_lock, check_state
from .views import ViewOptions, network_parts, server_view, summary_view


def _server(request) -> dict:
    return compute_of(request).get(request.match_info["server_id"], request["ctx"])


def _one_view(request, compute, server: dict) -> dict:
    addresses, groups = network_parts(compute, [server])
    return server_view(ViewOptions(request), server, addresses.get(server["id"]), show=True,
                       groups=groups.get(server["id"]))


@nova
async def list_servers(request):
    compute = compute_of(request)
    query = listing.ServerQuery(request, detail=False)
    page = listing.select(compute, query)
    body = {"servers": [summary_view(request, s) for s in page]}
    links = listing.next_link(request, page, query)
    if links:
        body["servers_links"] = links
    return json_response(body)


@nova
async def list_servers_detail(request):
    compute = compute_of(request)
    query = listing.ServerQuery(request, detail=True)
    page = listing.select(compute, query)
    opts = ViewOptions(request)
    addresses, groups = network_parts(compute, page)
    body = {"servers": [server_view(opts, s, addresses.get(s["id"]), groups=groups.get(s["id"]))
                        for s in page]}
    links = listing.next_link(request, page, query)
    if links:
        body["servers_links"] = links
    return json_response(body)


@nova
async def show_server(request):
    compute = compute_of(request)
    server = _server(request)
    return json_response({"server": _one_view(request, compute, server)})


@nova
async def create_server(request):
    compute = compute_of(request)
    body = await body_of(request, "server")
    require_member(request, "os_compute_api:servers:create")
    server_body = body["server"]
    spec = create.build_spec(compute, request, server_body)
    servers, rid, password = create.create_servers(compute, request, spec)
    if server_body.get("return_reservation_id"):
        return json_response({"reservation_id": rid}, status=202)
    first = servers[0]
    from .views import created_view
    view = created_view(request, first, spec["security_groups"], password)
    return json_response(view, status=202,
                         headers={"Location": view["server"]["links"][0]["href"]})


@nova
async def update_server(request):
    compute = compute_of(request)
    server = _server(request)
    require_member(request, "os_compute_api:servers:update")
    body = (await body_of(request, "server"))["server"]
    changes = {}
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise invalid_input("name", body["name"], "is not a valid name")
        changes["name"] = body["name"]
    if "description" in body and mv(request, "2.19"):
        changes["description"] = body["description"]
    if changes:
        compute.touch(server, **changes)
    return json_response({"server": _one_view(request, compute, server)})


@nova
async def delete_server(request):
    compute = compute_of(request)
    server = _server(request)
    require_member(request, "os_compute_api:servers:delete")
    if server.get("locked") and not request["ctx"].is_admin:
        raise CloudError(409, f"Instance {server['id']} is locked")
    if server["task_state"] != "deleting":
        compute.record_action(server, "delete", request["ctx"], request["request_id"])
        compute.delete(server)
    return web.Response(status=204)


# --- metadata ---------------------------------------------------------------

METADATA_STATES = {"active", "paused", "suspended", "stopped"}


def _check_metadata_change(request, server: dict, action: str) -> None:
    """Nova's update/delete_instance_metadata: lock, then state ('update metadata')."""
    check_lock(server, request["ctx"])
    check_state(server, action, METADATA_STATES, (None,))


def _meta_body(body: dict, key: str) -> dict:
    value = body.get(key)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid_input(key, value, "is not a valid metadata object")
    return value


@nova
async def list_metadata(request):
    return json_response({"metadata": dict(_server(request)["metadata"])})


@nova
async def update_metadata(request):
    """POST merges, PUT replaces."""
    compute = compute_of(request)
    server = _server(request)
    require_member(request, "os_compute_api:server-metadata:update")
    new = _meta_body(await body_of(request), "metadata")
    _check_metadata_change(request, server, "update metadata")
    merged = dict(new) if request.method == "PUT" else {**server["metadata"], **new}
    from . import quotas
    allowed = quotas.limits(compute.store, server["project_id"])["metadata_items"]
    if 0 <= allowed < len(merged):
        raise CloudError(403, f"Maximum number of metadata items exceeds {allowed}")
    compute.touch(server, metadata=merged)
    return json_response({"metadata": dict(merged)})


@nova
async def show_metadata_item(request):
    server = _server(request)
    key = request.match_info["key"]
    if key not in server["metadata"]:
        raise CloudError(404, "Metadata item was not found")
    return json_response({"meta": {key: server["metadata"][key]}})


@nova
async def set_metadata_item(request):
    compute = compute_of(request)
    server = _server(request)
    require_member(request, "os_compute_api:server-metadata:update")
    meta = _meta_body(await body_of(request), "meta")
    key = request.match_info["key"]
    if list(meta) != [key]:
        raise CloudError(400, "Request body and URI mismatch")
    _check_metadata_change(request, server, "update metadata")
    compute.touch(server, metadata={**server["metadata"], **meta})
    return json_response({"meta": meta})


@nova
async def delete_metadata_item(request):
    compute = compute_of(request)
    server = _server(request)
    require_member(request, "os_compute_api:server-metadata:delete")
    key = request.match_info["key"]
    if key not in server["metadata"]:
        raise CloudError(404, "Metadata item was not found")
    _check_metadata_change(request, server, "delete metadata")
    metadata = dict(server["metadata"])
    del metadata[key]
    compute.touch(server, metadata=metadata)
    return web.Response(status=204)


# --- instance actions ---------------------------------------------------------

@nova
async def list_instance_actions(request):
    return json_response(instance_actions.listed(request, _server(request)))


@nova
async def show_instance_action(request):
    return json_response(instance_actions.shown(request, _server(request),
                                                request.match_info["request_id"]))


def routes(r, prefix: str) -> None:
    s = f"{prefix}/servers"
    r.add_get(f"{s}/detail", list_servers_detail)  # before {server_id} would match it
    server = add_resource(r, s, list_=list_servers, create=create_server, show=show_server,
                          update=update_server, delete=delete_server, key="server_id")
    r.add_get(f"{server}/metadata", list_metadata)
    r.add_post(f"{server}/metadata", update_metadata)
    r.add_put(f"{server}/metadata", update_metadata)
    add_resource(r, f"{server}/metadata", show=show_metadata_item, update=set_metadata_item,
                 delete=delete_metadata_item, key="key")
    add_resource(r, f"{server}/os-instance-actions", list_=list_instance_actions,
                 show=show_instance_action, key="request_id")
