"""GET /resource_providers filters: member_of, required, resources, in_tree, name, uuid,
parsed and refused with Placement's own messages (placement/util.py)."""

import uuid

from .api import bad_request, mv
from .service import RESOURCE_CLASSES, TRAITS

INVALID = "Invalid query string parameters: "


def _uuid_like(value: str) -> bool:
    """oslo's is_uuid_like: any spelling uuid.UUID reads, hyphens or not."""
    try:
        return str(uuid.UUID(value)).replace("-", "") == \
            value.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "").lower()
    except (TypeError, ValueError, AttributeError):
        return False


def member_of(request) -> tuple[list[set], set]:
    """(groups of aggregates, one of each required; forbidden aggregates)."""
    values = request.query.getall("member_of", [])
    if not mv(request, "1.24") and len(values) > 1:
        raise bad_request("Multiple member_of parameters are not supported")
    required, forbidden = [], set()
    for value in values:
        if "," in value and not (value.startswith("in:") or value.startswith("!in:")):
            raise bad_request("Multiple values for 'member_of' must be prefixed with the "
                              "'in:' or '!in:' keyword using the valid microversion. "
                              f"Got: {value}")
        want, deny = set(), set()
        if value.startswith("!in:"):
            deny = set(value[4:].split(","))
        elif value.startswith("!"):
            deny = {value[1:]}
        elif value.startswith("in:"):
            want = set(value[3:].split(","))
        else:
            want = {value}
        for aggregate in want | deny:
            if not _uuid_like(aggregate):
                raise bad_request(f"{INVALID}Expected 'member_of' parameter to contain valid "
                                  f"UUID(s). Got: {aggregate}")
        if want:
            required.append(want)
        if deny:
            if not mv(request, "1.32"):
                raise bad_request("Forbidden member_of parameters are not supported in the "
                                  "specified microversion")
            forbidden |= deny
    return required, forbidden


def _traits_value(value: str, allow_forbidden: bool, allow_any: bool):
    if value.startswith("in:"):
        if not allow_any:
            raise bad_request(f"{INVALID}The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only "
                              f"supported since microversion 1.39. Got: {value}")
        any_of = {t.strip() for t in value[3:].split(",")}
        if not all(any_of):
            raise bad_request(f"{INVALID}Expected 'required' parameter value of the form: "
                              f"in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: {value}")
        if any(t.startswith("!") for t in any_of):
            raise bad_request(f"{INVALID}The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not "
                              f"support forbidden traits. Got: {value}")
        return [any_of], set()
    names = [t.strip() for t in value.split(",")]
    forbidden = {t.lstrip("!") for t in names if t.startswith("!")}
    if not all(names) or not all(forbidden):
        form = "HW_CPU_X86_VMX,!CUSTOM_MAGIC" if allow_forbidden else \
            "HW_CPU_X86_VMX,CUSTOM_MAGIC"
        raise bad_request(f"{INVALID}Expected 'required' parameter value of the form: {form}. "
                          f"Got an empty trait in: {value}")
    if forbidden and not allow_forbidden:
        raise bad_request(f"{INVALID}Expected 'required' parameter value of the form: "
                          f"HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: {value}")
    return [{t} for t in names if not t.startswith("!")], forbidden


def required(request) -> tuple[list[set], set]:
    """(groups of traits, one of each required; forbidden traits). Before 1.39 only the
    last `required` counts."""
    values = request.query.getall("required", [])
    if not mv(request, "1.39"):
        values = values[-1:]
    groups, forbidden = [], set()
    for value in values:
        more, deny = _traits_value(value, mv(request, "1.22"), mv(request, "1.39"))
        groups += more
        forbidden |= deny
    return groups, forbidden


def resources(value: str) -> dict[str, int]:
    if value.strip() == "":
        raise bad_request("Badly formed resources parameter. Expected resources query "
                          "string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. "
                          "Got: empty string.")
    wanted = {}
    for item in value.split(","):
        try:
            rc, amount = item.split(":")
        except ValueError:
            raise bad_request("Badly formed resources parameter. Expected resources query "
                              "string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. "
                              f"Got: {item}.") from None
        try:
            amount = int(amount)
        except ValueError:
            raise bad_request(f"Requested resource {rc} expected positive integer amount. "
                              f"Got: {amount}.") from None
        if amount < 1:
            raise bad_request(f"Requested resource {rc} requires amount >= 1. "
                              f"Got: {amount}.")
        wanted[rc] = amount
    return wanted


def known(wanted: dict, traits: list[set], forbidden: set) -> None:
    """Unknown classes and traits are refused, not just unmatched."""
    for rc in wanted:
        if rc not in RESOURCE_CLASSES:
            raise bad_request(f"Invalid resource class in resources parameter: No such "
                              f"resource class {rc}.")
    for name in [t for group in traits for t in group] + sorted(forbidden):
        if name not in TRAITS:
            raise bad_request(f'Invalid trait(s) in "required" parameter: No such trait(s): '
                              f"{name}.")
