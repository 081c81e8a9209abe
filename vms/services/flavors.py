"""Admin: flavors (create, delete) and which projects may use a private one. One
openstacksdk call each with the admin's own token; Nova's refusals in words; each ends
with the audit record, and the row follows on the admins' open pages (vms.flavor_poller)."""

from openstack import exceptions as os_exc

from portal.changes import afterwards, announce

from .. import flavor_poller
from ..errors import explain

CREATE = [
    (r"Flavor with name (?P<name>.+) already exists\.",
     "A flavor named “{name}” already exists (Nova compares names regardless of case). "
     "Choose another name."),
    (r"Flavor with ID (?P<id>.+) already exists\.",
     "A flavor with the ID “{id}” already exists. Choose another ID, or leave it empty "
     "for a generated one."),
]
DELETE = [(r"Flavor .* could not be found", "That flavor no longer exists.")]
ACCESS = [
    (r"Flavor access already exists", "{project} may already use this flavor."),
    (r"Flavor access not found", "{project} had no access to this flavor."),
    (r"is not a valid project", "Keystone does not know the project {project}."),
    (r"Flavor .* could not be found", "That flavor no longer exists."),
]


def _tell(actor, action: str, target: str, flavor_id: str, detail: str = "") -> None:
    """Audit it, and kick the flavors poll: the row follows on the admins' open pages at
    the next beat (vms.flavor_poller), as for a change made anywhere else."""
    afterwards(f"{action} {target}", lambda: announce(actor, action, target, event="",
                                                      detail=detail))
    afterwards(f"{action} {target}", flavor_poller.kick, flavor_id)


def create_flavor(actor, *, name: str, vcpus: int, ram: int, disk: int, ephemeral: int = 0,
                  swap: int = 0, is_public: bool = True, flavor_id: str = "",
                  description: str = ""):
    attrs = {"name": name, "vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": ephemeral,
             "swap": swap, "is_public": is_public}
    if flavor_id:
        attrs["id"] = flavor_id
    if description:
        attrs["description"] = description
    try:
        flavor = actor.conn.compute.create_flavor(**attrs)
    except os_exc.HttpException as exc:
        raise explain(exc, CREATE) from None
    _tell(actor, "flavor.create", f"{name} ({flavor.id})", flavor.id,
          f"{vcpus} vCPU, {ram} MiB RAM, {disk} GB disk, "
          f"{'public' if is_public else 'private'}")
    return flavor


def delete_flavor(actor, flavor: dict) -> None:
    try:
        actor.conn.compute.delete_flavor(flavor["id"], ignore_missing=False)
    except os_exc.HttpException as exc:
        raise explain(exc, DELETE) from None
    _tell(actor, "flavor.delete", f"{flavor['name']} ({flavor['id']})", flavor["id"])


def _access(actor, verb: str, flavor: dict, project: dict) -> None:
    call = (actor.conn.compute.flavor_add_tenant_access if verb == "add"
            else actor.conn.compute.flavor_remove_tenant_access)
    try:
        call(flavor["id"], project["id"])
    except os_exc.HttpException as exc:
        shown = (project["name"] or project["id"]).replace("{", "{{").replace("}", "}}")
        rules = [(p, t.replace("{project}", shown)) for p, t in ACCESS]
        raise explain(exc, rules) from None
    _tell(actor, f"flavor.access_{verb}", f"{flavor['name']} ({flavor['id']})",
          flavor["id"], f"{project['name']} ({project['id']})")


def add_access(actor, flavor: dict, project: dict) -> None:
    _access(actor, "add", flavor, project)


def remove_access(actor, flavor: dict, project: dict) -> None:
    _access(actor, "remove", flavor, project)
