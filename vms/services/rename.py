"""Rename: one PUT /servers/{id} with the new name."""

from openstack import exceptions as os_exc

from ..errors import explain
from .actions import ACTION_REFUSALS
from .common import accepted, check


def rename(actor, server, name: str) -> str:
    check(actor, server, "rename")
    old = server.name
    try:
        renamed = actor.conn.compute.update_server(server, name=name)
    except os_exc.HttpException as exc:
        raise explain(exc, ACTION_REFUSALS) from None
    accepted(actor, renamed, "rename", f"{old} → {name}", target=old, run=False)
    return f"Server {old} renamed to {name}."
