"""Nova flavors: the Kolla/DevStack default set, list/detail/show, extra specs, admin
create/update (description, 2.55+)/delete. Who sees which flavor: `visible`; the list's
filters and paging: flavor_listing; bodies: flavor_schema; project access: flavor_access."""

import uuid

from aiohttp import web

from ..errors import CloudError
from ..routes import add_resource
from . import flavor_listing as listing
from . import flavor_schema as schema
from .api import body_of, compute_of, json_response, links, mv, nova, require_admin

# (id, name, ram MB, disk GB, vcpus): Kolla's init-runonce / DevStack's m1.* set, plus the
# m1.nano / m1.micro that DevStack creates for tempest.
DEFAULT_FLAVORS = [
    ("1", "m1.tiny", 512, 1, 1), ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2), ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8), ("42", "m1.nano", 128, 1, 1),
    ("84", "m1.micro", 192, 1, 1),
]


def make_flavor(flavor_id, name, ram, disk, vcpus, *, ephemeral=0, swap=0, is_public=True,
                description=None, rxtx_factor=1.0, db_id=0) -> dict:
    # db_id is the row id Nova's flavor access messages quote ("... for flavor 18 ...");
    # projects: the projects given a private flavor (os-flavor-access)
    return {"id": str(flavor_id), "name": name, "ram": ram, "disk": disk, "vcpus": vcpus,
            "ephemeral": ephemeral, "swap": swap, "is_public": is_public,
            "rxtx_factor": rxtx_factor, "description": description, "extra_specs": {},
            "disabled": False, "db_id": db_id, "projects": []}


def next_db_id(store) -> int:
    seq = store.meta.get("compute_flavor_seq", 0) + 1
    store.meta["compute_flavor_seq"] = seq
    return seq


def seed(store) -> None:
    for row in DEFAULT_FLAVORS:
        flavor = make_flavor(*row, db_id=next_db_id(store))
        store["flavors"][flavor["id"]] = flavor


def _same(a: str, b: str) -> bool:
    # Nova's API database compares flavor ids and names case-insensitively (MySQL's
    # collation): "M1.TINY" is a duplicate of "m1.tiny", /flavors/M1 finds "m1".
    return a.casefold() == b.casefold()


def find(store, ref: str) -> dict | None:
    """A flavorRef may be an id or a URL ending in the id."""
    flavor_id = str(ref).rstrip("/").rsplit("/", 1)[-1]
    flavors = store["flavors"]
    if flavor_id in flavors:
        return flavors[flavor_id]
    return next((f for f in flavors.values() if _same(f["id"], flavor_id)), None)


def visible(ctx, flavor: dict) -> bool:
    """Admins see every flavor; others the public ones and the private ones given to their
    project (anything else is "could not be found")."""
    return (ctx.is_admin or flavor["is_public"]
            or ctx.project_id in flavor.get("projects", ()))


def find_visible(store, ref: str, ctx) -> dict | None:
    flavor = find(store, ref)
    return flavor if flavor is not None and visible(ctx, flavor) else None


def summary_view(request, f: dict) -> dict:
    view = {"id": f["id"], "name": f["name"], "links": links(request, "flavors", f["id"])}
    if mv(request, "2.55"):
        view["description"] = f["description"]
    return view


def detail_view(request, f: dict) -> dict:
    swap = f["swap"] if (f["swap"] or mv(request, "2.75")) else ""
    legacy = not mv(request, "2.102")  # 2.102 dropped rxtx_factor and disabled
    view = {"id": f["id"], "name": f["name"], "ram": f["ram"], "disk": f["disk"],
            "swap": swap, "OS-FLV-EXT-DATA:ephemeral": f["ephemeral"]}
    if legacy:
        view["OS-FLV-DISABLED:disabled"] = f["disabled"]
    view.update({"vcpus": f["vcpus"], "os-flavor-access:is_public": f["is_public"]})
    if legacy:
        view["rxtx_factor"] = f["rxtx_factor"]
    view["links"] = links(request, "flavors", f["id"])
    if mv(request, "2.55"):
        view["description"] = f["description"]
    if mv(request, "2.61"):
        view["extra_specs"] = dict(f["extra_specs"])
    return view


def get(request) -> dict:
    """The flavor of the URL, if the caller may see it; Nova's 404 otherwise."""
    flavor_id = request.match_info["flavor_id"]
    flavor = find_visible(compute_of(request).store, flavor_id, request["ctx"])
    if flavor is None:
        raise CloudError(404, f"Flavor {flavor_id} could not be found.")
    return flavor


@nova
async def list_flavors(request):
    flavors, page_links = listing.select(request, compute_of(request).store, "flavors")
    return json_response({"flavors": [summary_view(request, f) for f in flavors],
                          **page_links})


@nova
async def list_flavors_detail(request):
    flavors, page_links = listing.select(request, compute_of(request).store, "flavors/detail")
    return json_response({"flavors": [detail_view(request, f) for f in flavors],
                          **page_links})


@nova
async def show_flavor(request):
    return json_response({"flavor": detail_view(request, get(request))})


@nova
async def create_flavor(request):
    # Nova validates the body before it asks the policy (a member's bad body is a 400)
    values = schema.create_body(request, await schema.raw_body(request))
    require_admin(request, "os_compute_api:os-flavor-manage:create")
    store = compute_of(request).store
    flavor_id = values["id"] or str(uuid.uuid4())
    if find(store, flavor_id) is not None:  # the id's unique key is met first
        raise CloudError(409, f"Flavor with ID {flavor_id} already exists.")
    if any(_same(f["name"], values["name"]) for f in store["flavors"].values()):
        raise CloudError(409, f"Flavor with name {values['name']} already exists.")
    flavor = make_flavor(flavor_id, values["name"], values["ram"], values["disk"],
                         values["vcpus"], ephemeral=values.get("ephemeral", 0),
                         swap=values.get("swap", 0), is_public=values["is_public"],
                         description=values["description"],
                         rxtx_factor=values["rxtx_factor"], db_id=next_db_id(store))
    store["flavors"][flavor_id] = flavor
    store.touch()
    return json_response({"flavor": detail_view(request, flavor)})


@nova
async def update_flavor(request):
    """PUT /flavors/{id}: the description only, from 2.55 (below, Nova has no such route)."""
    if not mv(request, "2.55"):
        raise CloudError(404, "The resource could not be found.")
    text = schema.update_body(await schema.raw_body(request))
    require_admin(request, "os_compute_api:os-flavor-manage:update")
    flavor = get(request)
    flavor["description"] = text
    compute_of(request).store.touch()
    return json_response({"flavor": detail_view(request, flavor)})


@nova
async def delete_flavor(request):
    require_admin(request, "os_compute_api:os-flavor-manage:delete")
    flavor = get(request)
    store = compute_of(request).store
    del store["flavors"][flavor["id"]]  # its access list goes with it, as in Nova
    store.touch()
    return web.Response(status=202)


@nova
async def list_extra_specs(request):
    return json_response({"extra_specs": dict(get(request)["extra_specs"])})


@nova
async def create_extra_specs(request):
    require_admin(request, "os_compute_api:os-flavor-extra-specs:create")
    flavor = get(request)
    specs = (await body_of(request, "extra_specs"))["extra_specs"]
    flavor["extra_specs"].update({str(k): str(v) for k, v in specs.items()})
    compute_of(request).store.touch()
    return json_response({"extra_specs": dict(flavor["extra_specs"])})


@nova
async def show_extra_spec(request):
    flavor = get(request)
    spec_key = request.match_info["key"]
    if spec_key not in flavor["extra_specs"]:
        raise CloudError(404, f"Flavor {flavor['id']} has no extra specs with key {spec_key}.")
    return json_response({spec_key: flavor["extra_specs"][spec_key]})


@nova
async def delete_extra_spec(request):
    require_admin(request, "os_compute_api:os-flavor-extra-specs:delete")
    flavor = get(request)
    spec_key = request.match_info["key"]
    if flavor["extra_specs"].pop(spec_key, None) is None:
        raise CloudError(404, f"Flavor {flavor['id']} has no extra specs with key {spec_key}.")
    compute_of(request).store.touch()
    return web.Response(status=202)


def routes(r, prefix: str) -> None:
    r.add_get(f"{prefix}/flavors/detail", list_flavors_detail)  # before {flavor_id}
    flavor = add_resource(r, f"{prefix}/flavors", list_=list_flavors, create=create_flavor,
                          show=show_flavor, update=update_flavor, delete=delete_flavor,
                          key="flavor_id")
    add_resource(r, f"{flavor}/os-extra_specs", list_=list_extra_specs,
                 create=create_extra_specs, show=show_extra_spec, delete=delete_extra_spec,
                 key="key")
