"""What each vms page shows, and the cloud calls it costs (all list calls, batched,
independent ones run concurrently through portal.cloud.gather):

    list       servers/detail (one page, Nova's limit/marker) + images (only names not
               cached yet): ≤ 2 calls
    detail     server + its ports, then the floating IPs on them: 3 calls
    console    server + console output: 2 calls (vms.dayselectors.console_tail)
    launch     flavors, images, networks, subnets, key pairs, security groups, limits,
               and with Cinder the volumes, snapshots and volume quota (boot sources):
               7 calls (10 with Cinder), concurrently
    key pairs  1 call


Each takes the Actor the page is for (request.actor): its connection and its project.
"""

from django.http import Http404
from django.utils.safestring import mark_safe
from openstack import exceptions as os_exc

from portal import catalog, reads
from portal.addresses import exact_address, has_address, ip_filter
from portal.cloud import gather
from portal.reads import owned
from volumes.selectors import quota as volume_quota

from . import fragments, live, panels, pollstate, rowhtml, rows, servers, timeline
from .names import image_names

PAGE_SIZE = 50
STATUS_FILTERS = ["ACTIVE", "BUILD", "SHUTOFF", "ERROR", "REBOOT", "HARD_REBOOT", "PAUSED",
                  "SUSPENDED"]


def servers_page(actor, name: str = "", status: str = "", ip: str = "",
                 marker: str | None = None) -> dict:
    conn = actor.conn
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
        found = servers.detailed(conn, query)  # one page: Nova's limit/marker
    except os_exc.BadRequestException as exc:
        if marker:  # a stale marker (that server is gone): start over, say so
            return {**servers_page(actor, name, status, ip), "marker_lost": True}
        raise exc
    found = [s for s in found if s.project_id == actor.project_id]
    if ip and (exact := exact_address(ip)):  # Nova matched a substring: keep that address
        found = [s for s in found if has_address(s.addresses, exact)]
    names = image_names(conn, {rows.image_id_of(s) for s in found})
    page = [rows.for_template(rows.row(s, names)) for s in found]
    perms = actor.perms  # made from the roles on each read
    for r in page:  # each row's menu, from the one table (no call: the list has it all)
        r["menu"] = rows.menu(r, perms)
    more = len(found) == PAGE_SIZE
    return {"servers": page, "rows_html": mark_safe("".join(
                rowhtml.render(r, perms) for r in page)),
            "stale": pollstate.staleness(),
            "next_marker": found[-1].id if more else None,
            "live_list": live.list_attrs(name, status, ip, marker, more)}


def owned_server(actor, server_id: str):
    """The server, if it belongs to the actor's project; 404 for anything else, whatever
    the token may see (an admin token sees every project's servers)."""
    try:
        server = actor.conn.compute.get_server(server_id)
    except os_exc.NotFoundException:
        server = None
    return owned(server, actor.project_id, "server")


def owned_servers(actor, server_ids: list[str]) -> tuple[list, list[str]]:
    """The bulk actions' servers: each looked up concurrently (one call each, for the rows
    a person ticked, at most a page); those that are not the project's (or gone) come
    back as ids, never as a hint of what they are."""
    def one(server_id):
        try:
            return owned_server(actor, server_id)
        except Http404:
            return None

    got = gather(**{f"s{i}": (lambda sid=sid: one(sid)) for i, sid in enumerate(server_ids)})
    found = [got[f"s{i}"] for i in range(len(server_ids))]
    return ([s for s in found if s is not None],
            [sid for sid, s in zip(server_ids, found, strict=True) if s is None])


def rescue_images(actor) -> list[dict]:
    """The images a server can be rescued from: the active ones the project sees."""
    return sorted(({"id": i.id, "name": i.name or i.id}
                   for i in actor.conn.image.images(status="active")),
                  key=lambda i: i["name"])


def delete_confirmation(actor, server_id: str) -> dict:
    """The delete page: the server and the floating IPs on its ports (offered for release
    with it). 3 calls: server, ports, floating IPs."""
    conn = actor.conn
    got = gather(server=lambda: owned_server(actor, server_id),
                 ports=lambda: _ports(conn, server_id))
    fips = servers.floating_ips_on(conn, [p["id"] for p in got["ports"]])
    return {"server": got["server"], "floating_ips": [
        f for f in fips if f.get("project_id", f.get("tenant_id")) == actor.project_id]}


def _ports(conn, server_id: str) -> list[dict]:
    return [{"id": p.id, "mac": p.mac_address, "network_id": p.network_id,
             "status": p.status, "fixed_ips": p.fixed_ips or []}
            for p in conn.network.ports(device_id=server_id)]


def server_detail(actor, server_id: str) -> dict:
    """The server, its ports and the floating IPs on them (3 calls, the first two
    concurrently): the panels as vms.panels builds them, as the poller pushes them."""
    conn = actor.conn
    got = gather(server=lambda: owned_server(actor, server_id),
                 ports=lambda: servers.ports_of(conn, [server_id]))
    server = got["server"]
    fips = servers.floating_ips_on(conn, [p["id"] for p in got["ports"]])
    names = image_names(conn, {rows.image_id_of(server)})
    shown = panels.build(server, got["ports"], fips)
    return {"server": server, "row": rows.for_template(rows.row(server, names)),
            "panels": shown, "ports": shown["ports"], "stale": pollstate.staleness(),
            "timeline": timeline.view(server.id, timeline.wants_floating_ip(server)),
            "key_name": server.key_name, "security_groups": shown["security_groups"]}


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


def _usable_image(image, actor) -> bool:
    """An image the project may boot: its own, a public or community one, or one shared
    with it (a member's token lists only those; an admin's lists every project's private
    and shared images too, which are not this project's to use)."""
    if image.owner == actor.project_id or image.visibility in ("public", "community"):
        return True
    return image.visibility == "shared" and not actor.perms.is_admin


def _chosen_image(conn, image_id: str, actor):
    """An image named by "Launch" on the images page (?image=) that the default list
    leaves out: another project's community image. Anything the project may not use
    (or that is not active) is not offered."""
    try:
        image = conn.image.get_image(image_id)
    except os_exc.NotFoundException:
        return None
    return image if _usable_image(image, actor) and image.status == "active" else None


def _boot_calls(conn, project_id: str) -> dict:
    """The launch form's boot sources from Cinder: the project's volumes and snapshots and
    its volume quota (3 more calls in launch_options' gather); none without Cinder (the
    catalog says so from the token, no call)."""
    if not catalog.has_block_storage(conn):
        return {}
    return {
        "volumes": lambda: [v for v in reads.follow(conn.block_storage, "/volumes/detail",
                                                    "volumes", {})
                            if reads.project_of(v) == project_id],
        "snapshots": lambda: [s for s in reads.follow(conn.block_storage,
                                                      "/snapshots/detail", "snapshots", {})
                              if reads.project_of(s) == project_id],
        "volume_quota": lambda: volume_quota(conn, project_id)}


def launch_options(actor, image_id: str | None = None) -> dict:
    """What the launch form offers; `image_id` (the images page's Launch) is offered too
    when the project may use it, though Glance's default list leaves it out (1 more
    call only then)."""
    conn = actor.conn
    boot = _boot_calls(conn, actor.project_id)
    got = gather(
        flavors=lambda: sorted(conn.compute.flavors(details=True),
                               key=lambda f: (f.vcpus, f.ram, f.disk, f.name)),
        images=lambda: [i for i in conn.image.images()
                        if i.status == "active" and _usable_image(i, actor)],
        networks=lambda: _networks(conn),
        subnets=lambda: list(conn.network.subnets()),
        keypairs=lambda: list(conn.compute.keypairs()),
        security_groups=lambda: list(conn.network.security_groups(
            project_id=actor.project_id)),
        limits=lambda: _limits(conn),
        **boot,
    )
    if image_id and image_id not in {i.id for i in got["images"]}:
        if chosen := _chosen_image(conn, image_id, actor):
            got["images"].append(chosen)
    cidrs: dict[str, list] = {}
    for s in got["subnets"]:
        cidrs.setdefault(s.network_id, []).append(s.cidr)
    got.setdefault("volumes", [])
    got.setdefault("snapshots", [])
    return {**got, "cinder": bool(boot), "tenant_networks": got["networks"]["tenant"],
            "pools": got["networks"]["pools"], "cidrs": cidrs}


def keypairs(actor) -> list[dict]:
    """The actor's key pairs (Nova's key pairs are the user's, not the project's)."""
    return [fragments.keypair_row(actor.user_id, k)
            for k in sorted(actor.conn.compute.keypairs(), key=lambda k: k.name)]
