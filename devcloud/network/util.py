"""Small shared helpers: ids, timestamps, Neutron's error bodies and policy refusals."""

import uuid
from datetime import UTC, datetime

from ..errors import CloudError

# Neutron's 404 wording differs per resource (some end with a period, some do not).
NOT_FOUND = {
    "networks": ("NetworkNotFound", "Network {} could not be found."),
    "subnets": ("SubnetNotFound", "Subnet {} could not be found."),
    "ports": ("PortNotFound", "Port {} could not be found."),
    "routers": ("RouterNotFound", "Router {} could not be found"),
    "floatingips": ("FloatingIPNotFound", "Floating IP {} could not be found"),
    "security_groups": ("SecurityGroupNotFound", "Security group {} does not exist"),
    "security_group_rules": ("SecurityGroupRuleNotFound",
                             "Security group rule {} does not exist"),
}


def new_id() -> str:
    return str(uuid.uuid4())


def stamp() -> str:
    """Neutron's timestamps: second precision, Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def not_found(collection: str, obj_id: str) -> CloudError:
    kind, text = NOT_FOUND[collection]
    return CloudError(404, text.format(obj_id), kind)


def policy(rule: str) -> CloudError:
    return CloudError(403, f"rule:{rule} is disallowed by policy", "PolicyNotAuthorized")


def bad_request(message: str, kind: str = "HTTPBadRequest") -> CloudError:
    return CloudError(400, message, kind)


def invalid_input(message: str) -> CloudError:
    return CloudError(400, f"Invalid input for operation: {message}", "InvalidInput")


def conflict(message: str, kind: str) -> CloudError:
    return CloudError(409, message, kind)


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def bump(obj: dict) -> None:
    """An update: new revision and updated_at, as standard attributes do."""
    obj["revision_number"] = obj.get("revision_number", 0) + 1
    obj["updated_at"] = stamp()
