"""Routers: a gateway on a floating IP pool, interfaces on the project's subnets."""

from .. import errors
from ..changes import announce
from ..errors import refusals


def create_router(actor, name: str, pool: dict | None):
    attrs = {"name": name}
    if pool:
        attrs["external_gateway_info"] = {"network_id": pool["id"]}
    with refusals(errors.ROUTER, pool=pool["name"] if pool else "", name=name):
        router = actor.conn.network.create_router(**attrs)
    announce(actor, "router.create", f"{name} ({router.id})")
    return router


def add_interface(actor, router: dict, subnet_id: str) -> None:
    with refusals(errors.ROUTER, name=router["name"], pool=""):
        actor.conn.network.add_interface_to_router(router["id"], subnet=subnet_id)
    announce(actor, "router.add_interface", f"{router['name']} ({router['id']})", subnet_id)


def remove_interface(actor, router: dict, subnet_id: str) -> None:
    with refusals(errors.ROUTER, name=router["name"], pool=""):
        actor.conn.network.remove_interface_from_router(router["id"], subnet=subnet_id)
    announce(actor, "router.remove_interface", f"{router['name']} ({router['id']})",
             subnet_id)


def delete_router(actor, router: dict) -> None:
    with refusals(errors.ROUTER, name=router["name"], pool=""):
        actor.conn.network.delete_router(router["id"], ignore_missing=False)
    announce(actor, "router.delete", f"{router['name']} ({router['id']})")
