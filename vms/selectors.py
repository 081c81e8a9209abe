"""What each vms page shows, and the cloud calls it costs (all list calls, batched,
independent ones run concurrently through portal.cloud.gather):

    list       servers/detail (one page, Nova's limit/marker) + images (only names not
               cached yet): ≤ 2 calls
    detail     server + its ports + networks: 3 calls
    console    server + console output: 2 calls
    launch     flavors, images, networks, subnets, key pairs, security groups, limits:
               7 calls, concurrently
    key pairs  1 call
"""

from django.http import Http404
from openstack import exceptions as os_exc

from portal.addresses import exact_address, has_address, ip_filter
from portal.cloud import gather, user_connection

from . import nova, pollstate, rows, timeline
from .models import LaunchRequest
from .names import image_names

PAGE_SIZE = 50
STATUS_FILTERS = ["ACTIVE", "BUILD", "SHUTOFF", "ERROR", "REBOOT", "HARD_REBOOT", "PAUSED",
                  "SUSPENDED"]


def _project(request) -> str:
    return request.cloud_user.project_id


def servers_page(request, name: str = "", status: str = "", ip: str = "",
                 marker: str | None = None) -> dict:
    conn = user_connection(request)
    query = {"limit": PAGE_SIZE}
    if name:
        query["name"] = name
    if status:
        query["status"] = status
    if ip and (ip_query := ip_filter(ip)):
        query[ip_query[0]] = ip_query[1]
    if marker:
        query["marker"] = marker
    try:
        servers = nova.servers(conn, query)  # one page: Nova's limit/marker
    except os_exc.BadRequestException as exc:
        if marker:  # a stale marker (that server is gone): start over, say so
            return {**servers_page(request, name, status, ip), "marker_lost": True}
        raise exc
    project = _project(request)
    servers = [s for s in servers if s.project_id == project]
    if ip and (exact := exact_address(ip)):  # Nova matched a substring: keep that address
        servers = [s for s in servers if has_address(s.addresses, exact)]
    names = image_names(conn, {rows.image_id_of(s) for s in servers})
    page = [rows.for_template(rows.row(s, names)) for s in servers]
    return {"servers": page, "stale": pollstate.staleness(),
            "next_marker": servers[-1].id if len(servers) == PAGE_SIZE else None}


def _own_server(conn, request, server_id: str):
    """The server, if it belongs to the current project; 404 for anything else, whatever
    the token may see (an admin token sees every project's servers)."""
    try:
        server = conn.compute.get_server(server_id)
    except os_exc.NotFoundException:
        raise Http404("No such server in this project.") from None
    if server.project_id != _project(request):
        raise Http404("No such server in this project.")
    return server


def owned_server(request, server_id: str):
    return _own_server(user_connection(request), request, server_id)


def _ports(conn, server_id: str) -> list[dict]:
    return [{"id": p.id, "mac": p.mac_address, "network_id": p.network_id,
             "status": p.status, "fixed_ips": p.fixed_ips or []}
            for p in conn.network.ports(device_id=server_id)]


def server_detail(request, server_id: str) -> dict:
    conn = user_connection(request)
    got = gather(server=lambda: _own_server(conn, request, server_id),
                 ports=lambda: _ports(conn, server_id),
                 networks=lambda: {n.id: n.name for n in conn.network.networks()})
    server = got["server"]
    names = image_names(conn, {rows.image_id_of(server)})
    ports = [{**p, "network": got["networks"].get(p["network_id"], p["network_id"])}
             for p in got["ports"]]
    launch = _launch_of(server)
    return {"server": server, "row": rows.for_template(rows.row(server, names)),
            "ports": ports, "stale": pollstate.staleness(),
            "timeline": timeline.view(server.id, wants_floating_ip=bool(
                launch and launch.floating_pool_id)),
            "key_name": server.key_name, "security_groups": [
                g.get("name") for g in (server.security_groups or [])]}


def _launch_of(server):
    """The portal launch that made this server (its request id is in the metadata)."""
    request_id = (server.metadata or {}).get("stackport_request")
    if not request_id:
        return None
    return LaunchRequest.objects.filter(request_id=request_id).first()


def console_log(request, server_id: str, lines: int = 200) -> dict:
    conn = user_connection(request)
    server = _own_server(conn, request, server_id)
    try:
        output = conn.compute.get_server_console_output(server, length=lines)["output"]
    except os_exc.HttpException as exc:
        if exc.status_code in (401, 403):
            raise
        output = None
        error = exc.details or exc.message
    else:
        error = None
    return {"server": server, "output": output, "error": error}


def timeline_view(request, server_id: str) -> dict:
    """The timeline alone (htmx refresh and the poller's fragment use the same template)."""
    return timeline.view(server_id)


def _networks(conn) -> dict:
    tenant, pools = [], []
    for n in conn.network.networks():
        (pools if n.is_router_external else tenant).append(n)
    return {"tenant": tenant, "pools": pools}


def _limits(conn) -> dict:
    a = conn.compute.get_limits().absolute
    return {"instances": (a.instances_used, a.instances),
            "cores": (a.total_cores_used, a.total_cores),
            "ram": (a.total_ram_used, a.total_ram)}


def launch_options(request) -> dict:
    conn = user_connection(request)
    got = gather(
        flavors=lambda: sorted(conn.compute.flavors(details=True),
                               key=lambda f: (f.vcpus, f.ram, f.disk, f.name)),
        images=lambda: [i for i in conn.image.images() if i.status == "active"],
        networks=lambda: _networks(conn),
        subnets=lambda: list(conn.network.subnets()),
        keypairs=lambda: list(conn.compute.keypairs()),
        security_groups=lambda: list(conn.network.security_groups(
            project_id=_project(request))),
        limits=lambda: _limits(conn),
    )
    cidrs: dict[str, list] = {}
    for s in got["subnets"]:
        cidrs.setdefault(s.network_id, []).append(s.cidr)
    return {**got, "tenant_networks": got["networks"]["tenant"],
            "pools": got["networks"]["pools"], "cidrs": cidrs}


def keypairs(request) -> list:
    return sorted(user_connection(request).compute.keypairs(), key=lambda k: k.name)
