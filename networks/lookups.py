"""One Neutron object by ID, for a page or a form that names it: the project's own
(anything else is a 404), or a floating IP pool (any project's external network).

The generic reads (collections, pages, "owned or 404") are portal.reads; what is
networks' own is which path and JSON key each kind of object has.
"""

from django.http import Http404

from portal import reads

KINDS = {  # kind → (collection path, JSON key of one object)
    "network": ("/networks", "network"),
    "subnet": ("/subnets", "subnet"),
    "router": ("/routers", "router"),
    "floatingip": ("/floatingips", "floatingip"),
    "security_group": ("/security-groups", "security_group"),
    "port": ("/ports", "port"),
}


def find(actor, kind: str, object_id: str) -> dict | None:
    """The object as Neutron's JSON, whichever project owns it; None if there is none."""
    path, key = KINDS[kind]
    return reads.find(actor.conn.network, f"{path}/{object_id}", key)


def owned(actor, kind: str, object_id: str) -> dict:
    """The object if it belongs to the actor's project, else 404 (even for an admin,
    whose token could read it)."""
    return reads.owned(find(actor, kind, object_id), actor.project_id,
                       kind.replace("_", " "))


def external(actor, pool_id: str) -> dict:
    """An external network (floating IP pool) by ID, whichever project owns it; 404
    for anything that is not a pool."""
    obj = find(actor, "network", pool_id)
    if obj is None or not obj.get("router:external"):
        raise Http404("No such floating IP pool.")
    return obj
