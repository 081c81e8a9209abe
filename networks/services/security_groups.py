"""Security groups and their rules."""

from .. import errors
from ..changes import announce
from ..errors import refusals


def create_security_group(actor, name: str, description: str = ""):
    with refusals(errors.SECURITY_GROUP, name=name):
        group = actor.conn.network.create_security_group(name=name, description=description)
    announce(actor, "security_group.create", f"{name} ({group.id})")
    return group


def delete_security_group(actor, group: dict) -> None:
    with refusals(errors.SECURITY_GROUP, name=group["name"]):
        actor.conn.network.delete_security_group(group["id"], ignore_missing=False)
    announce(actor, "security_group.delete", f"{group['name']} ({group['id']})")


def add_rules(actor, group: dict, rules: list[dict]) -> list:
    """One or more rules (a preset like HTTP+HTTPS is two) in one bulk request, which
    Neutron applies all or nothing."""
    bodies = [{**r, "security_group_id": group["id"]} for r in rules]
    with refusals(errors.SECURITY_GROUP, name=group["name"]):
        created = list(actor.conn.network.create_security_group_rules(bodies))
    announce(actor, "security_group.add_rules", f"{group['name']} ({group['id']})",
             ", ".join(r.id for r in created))
    return created


def delete_rule(actor, group: dict, rule_id: str) -> None:
    with refusals(errors.SECURITY_GROUP, name=group["name"]):
        actor.conn.network.delete_security_group_rule(rule_id, ignore_missing=False)
    announce(actor, "security_group.delete_rule", f"{group['name']} ({group['id']})",
             rule_id)
