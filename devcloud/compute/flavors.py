"""Nova flavors: the Kolla/DevStack default set, list/detail/show, extra specs, admin CRUD."""

from aiohttp import web

from ..errors import CloudError
from ..routes import add_resource
from .api import body_of, compute_of, invalid_input, json_response, links, mv, nova, require_admin

# (id, name, ram MB, disk GB, vcpus): Kolla's init-runonce / DevStack's m1.* set, plus the
# m1.nano / m1.micro that DevStack creates for tempest.
DEFAULT_FLAVORS = [
    ("1", "m1.tiny", 512, 1, 1), ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2), ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8), ("42", "m1.nano", 128, 1, 1),
    ("84", "m1.micro", 192, 1, 1),
]


def make_flavor(flavor_id, name, ram, disk, vcpus, *, ephemeral=0, swap=0, is_public=True,
                description=None, rxtx_factor=1.0) -> dict:
    return {"id": str(flavor_id), "name": name, "ram": ram, "disk": disk, "vcpus": vcpus,
            "ephemeral": ephemeral, "swap": swap, "is_public": is_public,
            "rxtx_factor": rxtx_factor, "description": description, "extra_specs": {},
            "disabled": False}


def seed(store) -> None:
    for row in DEFAULT_FLAVORS:
        flavor = make_flavor(*row)
        store["flavors"][flavor["id"]] = flavor


def find(store, ref: str) -> dict | None:
    """A flavorRef may be an id or a URL ending in the id."""
    flavor_id = str(ref).rstrip("/").rsplit("/", 1)[-1]
    return store["flavors"].get(flavor_id)


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


def _visible(request, store) -> list[dict]:
    flavors = [f for f in store["flavors"].values()
               if f["is_public"] or request["ctx"].is_admin]
    q = request.query
    if "minRam" in q:
        flavors = [f for f in flavors if f["ram"] >= int(q["minRam"])]
    if "minDisk" in q:
        flavors = [f for f in flavors if f["disk"] >= int(q["minDisk"])]
    # Nova sorts flavors by flavorid ascending by default (string order).
    flavors.sort(key=lambda f: f["id"])
    if "marker" in q:
        ids = [f["id"] for f in flavors]
        if q["marker"] not in ids:
            raise CloudError(400, f"marker [{q['marker']}] not found")
        flavors = flavors[ids.index(q["marker"]) + 1:]
    if "limit" in q:
        flavors = flavors[:int(q["limit"])]
    return flavors


def _get(request) -> dict:
    flavor = compute_of(request).store["flavors"].get(request.match_info["flavor_id"])
    if flavor is None:
        raise CloudError(404, f"Flavor {request.match_info['flavor_id']} could not be found.")
    return flavor


@nova
async def list_flavors(request):
    flavors = _visible(request, compute_of(request).store)
    return json_response({"flavors": [summary_view(request, f) for f in flavors]})


@nova
async def list_flavors_detail(request):
    flavors = _visible(request, compute_of(request).store)
    return json_response({"flavors": [detail_view(request, f) for f in flavors]})


@nova
async def show_flavor(request):
    return json_response({"flavor": detail_view(request, _get(request))})


@nova
async def create_flavor(request):
    require_admin(request, "os_compute_api:os-flavor-manage:create")
    body = (await body_of(request, "flavor"))["flavor"]
    for field in ("name", "ram", "vcpus", "disk"):
        if field not in body:
            raise invalid_input("flavor", body, f"'{field}' is a required property")
    store = compute_of(request).store
    flavor_id = str(body.get("id") or __import__("uuid").uuid4())
    if flavor_id in store["flavors"]:
        raise CloudError(409, f"Flavor with ID {flavor_id} already exists.")
    if any(f["name"] == body["name"] for f in store["flavors"].values()):
        raise CloudError(409, f"Flavor with name {body['name']} already exists.")
    flavor = make_flavor(flavor_id, body["name"], int(body["ram"]), int(body["disk"]),
                         int(body["vcpus"]),
                         ephemeral=int(body.get("OS-FLV-EXT-DATA:ephemeral", 0)),
                         swap=int(body.get("swap") or 0),
                         is_public=bool(body.get("os-flavor-access:is_public", True)),
                         description=body.get("description"),
                         rxtx_factor=float(body.get("rxtx_factor", 1.0)))
    store["flavors"][flavor_id] = flavor
    store.touch()
    return json_response({"flavor": detail_view(request, flavor)})


@nova
async def delete_flavor(request):
    require_admin(request, "os_compute_api:os-flavor-manage:delete")
    flavor = _get(request)
    store = compute_of(request).store
    del store["flavors"][flavor["id"]]
    store.touch()
    return web.Response(status=202)


@nova
async def list_extra_specs(request):
    return json_response({"extra_specs": dict(_get(request)["extra_specs"])})


@nova
async def create_extra_specs(request):
    require_admin(request, "os_compute_api:os-flavor-extra-specs:create")
    flavor = _get(request)
    specs = (await body_of(request, "extra_specs"))["extra_specs"]
    flavor["extra_specs"].update({str(k): str(v) for k, v in specs.items()})
    compute_of(request).store.touch()
    return json_response({"extra_specs": dict(flavor["extra_specs"])})


@nova
async def show_extra_spec(request):
    flavor = _get(request)
    spec_key = request.match_info["key"]
    if spec_key not in flavor["extra_specs"]:
        raise CloudError(404, f"Flavor {flavor['id']} has no extra specs with key {spec_key}.")
    return json_response({spec_key: flavor["extra_specs"][spec_key]})


@nova
async def delete_extra_spec(request):
    require_admin(request, "os_compute_api:os-flavor-extra-specs:delete")
    flavor = _get(request)
    spec_key = request.match_info["key"]
    if flavor["extra_specs"].pop(spec_key, None) is None:
        raise CloudError(404, f"Flavor {flavor['id']} has no extra specs with key {spec_key}.")
    compute_of(request).store.touch()
    return web.Response(status=202)


def routes(r, prefix: str) -> None:
    r.add_get(f"{prefix}/flavors/detail", list_flavors_detail)  # before {flavor_id}
    flavor = add_resource(r, f"{prefix}/flavors", list_=list_flavors, create=create_flavor,
                          show=show_flavor, delete=delete_flavor, key="flavor_id")
    add_resource(r, f"{flavor}/os-extra_specs", list_=list_extra_specs,
                 create=create_extra_specs, show=show_extra_spec, delete=delete_extra_spec,
                 key="key")
