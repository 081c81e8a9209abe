"""POST /servers/{id}/action: resize / confirmResize / revertResize and rebuild, as Nova's
servers controller and compute/api.py check them (body schema, policy, lock, state, then
flavor / quota or key / image) and as nova-compute runs them (flows.py).

Resize lands on the one host (allow_resize_to_same_host): RESIZE (resize_prep →
resize_migrating → resize_migrated → resize_finish, where the flavor switches) →
VERIFY_RESIZE; confirm keeps the new flavor (204), revert goes back (REVERT_RESIZE).
The quota check counts only what grows (Nova's upsize deltas of cores and ram).
"""

from aiohttp import web

from ..errors import CloudError
from . import flavors, quotas
from .api import invalid_input, links, mv, policy_error
from .service import admin_password
from .snapshot import image_id_ok
from .states import check_host, check_lock, check_state
from .views import ViewOptions, network_parts, server_view


def _policy(request, rule: str) -> None:
    if not request["ctx"].can_write:
        raise policy_error(rule)


def _object(name: str, args, required: str, allowed: set) -> dict:
    if not isinstance(args, dict):
        raise invalid_input(name, args, f"{args!r} is not of type 'object'")
    if required not in args:
        raise invalid_input(name, args, f"'{required}' is a required property")
    extra = [k for k in args if k not in allowed]
    if extra:
        raise invalid_input(name, args, "Additional properties are not allowed ("
                            f"{', '.join(repr(k) for k in extra)} "
                            f"{'was' if len(extra) == 1 else 'were'} unexpected)")
    return args


# --- resize ---------------------------------------------------------------------------

def _flavor(compute, ctx, flavor_id: str) -> dict:
    """Nova's get_flavor_by_flavor_id: the flavor's id (not a name, not a URL)."""
    flavor = compute.store["flavors"].get(flavor_id)
    if flavor is None or flavor.get("disabled") or not flavors.visible(ctx, flavor):
        raise CloudError(400, f"Flavor {flavor_id} could not be found.")
    return flavor


def _check_upsize_quota(compute, server: dict, new: dict) -> None:
    old = server["flavor"]
    deltas = {r: d for r, d in (("cores", new["vcpus"] - old["vcpus"]),
                                ("ram", new["ram"] - old["ram"])) if d > 0}
    if not deltas:
        return
    allowed = quotas.limits(compute.store, server["project_id"])
    used = compute.usage(server["project_id"])
    overs = [r for r, d in deltas.items() if 0 <= allowed[r] < used[r] + d]
    if overs:
        raise quotas.over_quota(overs, deltas, used, allowed)


def _resize(request, compute, server, args):
    args = _object("resize", args, "flavorRef", {"flavorRef", "OS-DCF:diskConfig"})
    flavor_id = str(args["flavorRef"])
    ctx = request["ctx"]
    _policy(request, "os_compute_api:servers:resize")
    check_lock(server, ctx)
    check_state(server, "resize", {"active", "stopped"})
    check_host(server)
    new = _flavor(compute, ctx, flavor_id)
    if new["id"] == server["flavor"]["id"]:
        raise CloudError(400, "When resizing, instances must change flavor!")
    if new["disk"] == 0 and server["flavor"]["disk"] != 0:
        raise CloudError(400, "Server disk was unable to be resized because: Resize to "
                              "zero disk flavor is not allowed.")
    _check_upsize_quota(compute, server, new)
    compute.record_action(server, "resize", ctx, request["request_id"])
    server.update(old_flavor=dict(server["flavor"]), new_flavor=dict(new),
                  resized_from=server["vm_state"])
    compute.run_flow(server, "resize")


def _resize_answer(request, compute, server, action: str, rule: str) -> None:
    ctx = request["ctx"]
    _policy(request, rule)
    check_lock(server, ctx)
    if server["vm_state"] == "resized" and compute.flow_pending(server):
        # its migration is already confirming / reverting: Nova finds no finished one
        raise CloudError(400, "Instance has not been resized.")
    check_state(server, action, {"resized"})
    compute.record_action(server, action, ctx, request["request_id"])
    stopped = action == "revertResize" and server.get("resized_from") == "stopped"
    compute.run_flow(server, f"{action}-stopped" if stopped else action)


def _confirm(request, compute, server, _args):
    _resize_answer(request, compute, server, "confirmResize",
                   "os_compute_api:servers:confirm_resize")
    return web.Response(status=204)   # Nova's 204, kept for compatibility


def _revert(request, compute, server, _args):
    _resize_answer(request, compute, server, "revertResize",
                   "os_compute_api:servers:revert_resize")


# --- rebuild --------------------------------------------------------------------------

REBUILD_FIELDS = [("2.0", {"imageRef", "name", "adminPass", "metadata", "preserve_ephemeral",
                           "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}),
                  ("2.19", {"description"}), ("2.54", {"key_name"}),
                  ("2.57", {"user_data"}), ("2.63", {"trusted_image_certificates"}),
                  ("2.90", {"hostname"})]
# What a rebuild answers below 2.75 (from 2.75 it is the full GET view), by microversion.
SHORT_VIEW = [("2.0", {"OS-DCF:diskConfig", "accessIPv4", "accessIPv6", "addresses", "created",
                       "flavor", "hostId", "id", "image", "links", "metadata", "name",
                       "progress", "status", "tenant_id", "updated", "user_id", "fault"}),
              ("2.9", {"locked"}), ("2.19", {"description"}), ("2.26", {"tags"}),
              ("2.54", {"key_name"}), ("2.63", {"trusted_image_certificates"}),
              ("2.71", {"server_groups"}), ("2.73", {"locked_reason"})]


def _allowed(request, table) -> set:
    out = set()
    for version, names in table:
        if mv(request, version):
            out |= names
    return out


def _rebuild_image(compute, ctx, ref: str) -> dict:
    image = compute.store["images"].get(ref)
    if image is None or not (ctx.is_admin or image.get("visibility") in ("public", "community")
                             or image.get("owner") == ctx.project_id):
        raise CloudError(400, "Cannot find image for rebuild")
    if image.get("status") != "active":
        raise CloudError(400, f"Image {ref} is not active.")
    return image


def _rebuild(request, compute, server, args):
    args = _object("rebuild", args, "imageRef", _allowed(request, REBUILD_FIELDS))
    ref = args["imageRef"]
    if not image_id_ok(ref):
        raise invalid_input("imageRef", ref, f"'{ref}' is not a 'uuid'")
    ctx = request["ctx"]
    _policy(request, "os_compute_api:servers:rebuild")
    check_lock(server, ctx)
    check_state(server, "rebuild", {"active", "stopped", "error"})
    changes = {}
    if "key_name" in args:   # before the image, as Nova looks them up
        name = args["key_name"]
        if name is not None and f"{ctx.user_id}/{name}" not in compute.store["keypairs"]:
            raise CloudError(400, "Invalid key_name provided.")
        changes["key_name"] = name
    image = _rebuild_image(compute, ctx, ref)
    changes["image_id"] = image["id"]
    for field, key in (("name", "name"), ("metadata", "metadata"),
                       ("description", "description"), ("accessIPv4", "access_ipv4"),
                       ("accessIPv6", "access_ipv6"), ("user_data", "user_data")):
        if field in args:
            changes[key] = args[field]
    password = args.get("adminPass") or admin_password()
    compute.record_action(server, "rebuild", ctx, request["request_id"])
    compute.touch(server, **changes)
    compute.run_flow(server, "rebuild-stopped" if server["vm_state"] == "stopped"
                     else "rebuild")
    view = _rebuild_view(request, compute, server)
    view["adminPass"] = password
    if mv(request, "2.57"):
        view["user_data"] = server.get("user_data")
    return web.json_response({"server": view}, status=202,
                             headers={"Location": links(request, "servers", server["id"])[0]
                                      ["href"]})


def _rebuild_view(request, compute, server) -> dict:
    addresses, groups = network_parts(compute, [server])
    view = server_view(ViewOptions(request), server, addresses.get(server["id"]), show=True,
                       groups=groups.get(server["id"]))
    if mv(request, "2.75"):
        return view
    short = {k: v for k, v in view.items() if k in _allowed(request, SHORT_VIEW)}
    # below 2.75 the addresses carry no OS-EXT-IPS:type / OS-EXT-IPS-MAC:mac_addr
    short["addresses"] = {net: [{"version": a["version"], "addr": a["addr"]} for a in entries]
                          for net, entries in view["addresses"].items()}
    return short


ACTIONS = {"resize": _resize, "confirmResize": _confirm, "revertResize": _revert,
           "rebuild": _rebuild}
