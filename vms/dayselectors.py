"""What the day-2 forms offer (vms.dayforms) and the detail page's panels show of them,
with the calls each costs (concurrent through portal.cloud.gather, list calls only):

    resize      server, flavors, limits                          3 calls
    rebuild     server, images, key pairs                        3 calls
    snapshot / rename   server                                   1 call
    groups      server, the project's groups, the server's ports 3 calls
    interfaces  server, networks, the project's free ports, the server's ports  4 calls
    floating    server, the server's ports, the project's floating IPs, networks  4 calls
"""

from portal.cloud import gather

from .selectors import owned_server


def _server(actor, server_id):
    return lambda: owned_server(actor, server_id)


def limits(conn) -> dict:
    a = conn.compute.get_limits().absolute
    return {"instances": (a.instances_used, a.instances),
            "cores": (a.total_cores_used, a.total_cores),
            "ram": (a.total_ram_used, a.total_ram)}


def server_ports(conn, server_id: str) -> list[dict]:
    return [{"id": p.id, "mac": p.mac_address, "network_id": p.network_id,
             "status": p.status, "fixed_ips": p.fixed_ips or [],
             "security_group_ids": p.security_group_ids or []}
            for p in conn.network.ports(device_id=server_id)]


def groups_of_ports(ports: list[dict], groups: list[dict]) -> list[dict]:
    """The groups on any of the server's ports (what Nova's add/remove change)."""
    on = {g for p in ports for g in p["security_group_ids"]}
    return [g for g in groups if g["id"] in on]


def project_groups(actor) -> list[dict]:
    return sorted(({"id": g.id, "name": g.name, "description": g.description or ""}
                   for g in actor.conn.network.security_groups(project_id=actor.project_id)),
                  key=lambda g: (g["name"], g["id"]))


def one(actor, server_id: str) -> dict:
    return {"server": owned_server(actor, server_id)}


def resize_options(actor, server_id: str) -> dict:
    conn = actor.conn
    return gather(server=_server(actor, server_id),
                  flavors=lambda: sorted(conn.compute.flavors(details=True),
                                         key=lambda f: (f.vcpus, f.ram, f.disk, f.name)),
                  limits=lambda: limits(conn))


def rebuild_options(actor, server_id: str) -> dict:
    conn = actor.conn
    return gather(server=_server(actor, server_id),
                  images=lambda: sorted((i for i in conn.image.images()
                                         if i.status == "active"),
                                        key=lambda i: ((i.name or "").lower(), i.id)),
                  keypairs=lambda: sorted(k.name for k in conn.compute.keypairs()))


def group_options(actor, server_id: str) -> dict:
    got = gather(server=_server(actor, server_id), groups=lambda: project_groups(actor),
                 ports=lambda: server_ports(actor.conn, server_id))
    on = groups_of_ports(got["ports"], got["groups"])
    return {**got, "on": on, "addable": [g for g in got["groups"] if g not in on]}


def _free_ports(actor) -> list[dict]:
    """The project's ports no server or router uses (one list call; Neutron matches
    the empty device_id)."""
    return [{"id": p.id, "name": p.name or "", "network_id": p.network_id,
             "fixed_ips": p.fixed_ips or []}
            for p in actor.conn.network.ports(project_id=actor.project_id, device_id="")
            if not p.device_owner and not p.device_id]


def _attachable_networks(actor) -> list[dict]:
    """Networks a server may have a port on: not external (a floating IP reaches those)."""
    return sorted(({"id": n.id, "name": n.name or n.id, "shared": n.is_shared}
                   for n in actor.conn.network.networks()
                   if not n.is_router_external and
                   (n.project_id == actor.project_id or n.is_shared)),
                  key=lambda n: (n["name"], n["id"]))


def interface_options(actor, server_id: str) -> dict:
    return gather(server=_server(actor, server_id),
                  networks=lambda: _attachable_networks(actor),
                  free_ports=lambda: _free_ports(actor),
                  ports=lambda: server_ports(actor.conn, server_id))


def _floating_ips(actor) -> list[dict]:
    return [{"id": f.id, "floating_ip_address": f.floating_ip_address,
             "port_id": f.port_id, "floating_network_id": f.floating_network_id,
             "fixed_ip_address": f.fixed_ip_address}
            for f in actor.conn.network.ips(project_id=actor.project_id)]


def _pools(actor) -> list[dict]:
    return sorted(({"id": n.id, "name": n.name or n.id}
                   for n in actor.conn.network.networks(is_router_external=True)),
                  key=lambda n: n["name"])


def floating_ip_options(actor, server_id: str) -> dict:
    got = gather(server=_server(actor, server_id),
                 ports=lambda: server_ports(actor.conn, server_id),
                 fips=lambda: _floating_ips(actor), pools=lambda: _pools(actor))
    port_ids = {p["id"] for p in got["ports"]}
    return {**got, "free": [f for f in got["fips"] if not f["port_id"]],
            "on": [f for f in got["fips"] if f["port_id"] in port_ids]}


# --- the console log tail ---------------------------------------------------------------
# A page following the log refreshes its text every few seconds: one console-output call
# (Nova's own `length`, so never more than the lines shown) per refresh per open page.
# Whose server it is does not change: the page's first look is remembered (in the
# person's session, by the view) and a refresh then costs that one call only.
TAIL_LINES = (20, 100, 500)


def console_tail(actor, server_id: str, lines: int) -> dict:
    """The page: the server (owned, or 404) and its last `lines` lines: 2 calls, at once
    (the log is shown only once the server is known to be the project's)."""
    got = gather(server=_server(actor, server_id),
                 log=lambda: _console_output(actor.conn, server_id, lines))
    return {"server": got["server"], **got["log"]}


def console_tail_text(actor, server_id: str, lines: int, checked: bool) -> dict:
    """A refresh: the last `lines` lines; 1 call when the page already showed this
    server to this project (`checked`), else the ownership check first (404)."""
    if not checked:
        owned_server(actor, server_id)
    return _console_output(actor.conn, server_id, lines)


def _console_output(conn, server_id: str, lines: int) -> dict:
    from openstack import exceptions as os_exc

    try:
        output = conn.compute.get_server_console_output(server_id, length=lines)["output"]
    except os_exc.NotFoundException:
        return {"output": None, "error": None, "gone": True}
    except os_exc.HttpException as exc:
        if exc.status_code in (401, 403):
            raise
        return {"output": None, "error": exc.details or exc.message, "gone": False}
    return {"output": output, "error": None, "gone": False}
