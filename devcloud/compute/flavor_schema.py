"""Nova's request validation for flavors (nova/api/openstack/compute/schemas/flavor_manage.py,
flavor_access.py and parameter_types.py), with the words of Nova's 400s.

Nova runs the JSON schema before the policy check, so a member's malformed body is a 400,
not a 403. Of several errors, jsonschema reports the deepest, the first in schema order;
the checks below run in that order. Integers may come as digit strings; `minimum` and
`maximum` compare them as numbers (Nova's validator converts them), `pattern` sees the text.
Checked against Nova 34 (2026.2).
"""

import json
import re
import unicodedata
from functools import cache

from ..errors import CloudError
from .api import invalid_input, mv

MAX_INT = 0x7FFFFFFF  # nova.db.constants.MAX_INT
SQL_SP_FLOAT_MAX = 3.40282e+38
ID_PATTERN = "^(?! )[a-zA-Z0-9. _-]+(?<! )$"
DIGITS = "^[0-9]+$"
RXTX_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
BOOLEANS = [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
            False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]
TRUE_WORDS = {"1", "t", "true", "on", "y", "yes"}    # oslo's bool_from_string
FALSE_WORDS = {"0", "f", "false", "off", "n", "no"}
INVALID_NAME = ("An invalid 'name' value was provided. The name must be: printable "
                "characters. Can not start or end with whitespace.")
FLAVOR_FIELDS = ("name", "id", "ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral", "swap",
                 "rxtx_factor", "os-flavor-access:is_public")


# --- Nova's "printable": the Basic Multilingual Plane less control/format/unassigned
# characters and line/paragraph separators; horizontal spaces count (parameter_types) ---

def _printable(char: str) -> bool:
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


@cache
def description_regex() -> str:
    """parameter_types.valid_description_regex, built as Nova builds it (its 400 quotes it)."""
    out, in_range, last, last_added = "", False, None, None
    for code in range(0xFFFF):
        char = chr(code)
        if _printable(char):
            if not in_range:
                out += re.escape(char)
                last_added = char
            in_range = True
        else:
            if in_range and last != last_added:
                out += "-" + re.escape(last)
            in_range = False
        last = char
    if in_range:
        out += "-" + re.escape(last)
    return f"^[{out}]*$"


def _printable_text(text: str) -> bool:
    return all(ord(c) < 0xFFFF and _printable(c) for c in text)


def valid_name(name: str) -> bool:
    """Printable, and neither end a space (Nova's "name" format)."""
    return _printable_text(name) and not (unicodedata.category(name[0]) == "Zs"
                                          or unicodedata.category(name[-1]) == "Zs")


# --- jsonschema's words -------------------------------------------------------------

def _types(value, allowed: tuple[str, ...]) -> bool:
    kinds = {"string": isinstance(value, str),
             "integer": isinstance(value, int) and not isinstance(value, bool),
             "number": isinstance(value, int | float) and not isinstance(value, bool),
             "boolean": isinstance(value, bool), "null": value is None,
             "object": isinstance(value, dict)}
    return any(kinds[t] for t in allowed)


def _type_error(field: str, value, allowed: tuple[str, ...]) -> CloudError:
    names = ", ".join(f"'{t}'" for t in allowed)
    return invalid_input(field, value, f"{value!r} is not of type {names}")


def _as_number(value):
    """Nova's validator compares digit strings with minimum/maximum as numbers."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return value


def _integer(field: str, value, minimum: int) -> int:
    if not _types(value, ("integer", "string")):
        raise _type_error(field, value, ("integer", "string"))
    if isinstance(value, str) and not re.match(DIGITS, value):
        raise invalid_input(field, value, f"{value!r} does not match '{DIGITS}'")
    number = _as_number(value)
    if number < minimum:
        raise invalid_input(field, value, f"{number} is less than the minimum of {minimum}")
    if number > MAX_INT:
        raise invalid_input(field, value, f"{number} is greater than the maximum of {MAX_INT}")
    return int(number)


def _string(field: str, value, max_length: int, allowed=("string",)) -> None:
    if not _types(value, allowed):
        raise _type_error(field, value, allowed)
    if isinstance(value, str):
        if not value:
            raise invalid_input(field, value, f"{value!r} should be non-empty")
        if len(value) > max_length:
            raise invalid_input(field, value, f"{value!r} is too long")


def description(value) -> None:
    """parameter_types.description: a string or null, up to 65535 printable characters."""
    if not _types(value, ("string", "null")):
        raise _type_error("description", value, ("string", "null"))
    if value is None:
        return
    if len(value) > 65535:
        raise invalid_input("description", value, f"{value!r} is too long")
    if not _printable_text(value):
        raise invalid_input("description", value,
                            f"{value!r} does not match {description_regex()!r}")


def _name(value) -> None:
    _string("name", value, 255)
    if not valid_name(value):
        raise CloudError(400, INVALID_NAME)


def _flavor_id(value):
    _string("id", value, 255, ("string", "number", "null"))
    if isinstance(value, str) and not re.match(ID_PATTERN, value):
        raise invalid_input("id", value, f"{value!r} does not match '{ID_PATTERN}'")


def _rxtx(value) -> float:
    if not _types(value, ("number", "string")):
        raise _type_error("rxtx_factor", value, ("number", "string"))
    if isinstance(value, str):
        if not re.match(RXTX_PATTERN, value):
            raise invalid_input("rxtx_factor", value,
                                f"{value!r} does not match {RXTX_PATTERN!r}")
    else:
        if value <= 0:
            raise invalid_input("rxtx_factor", value,
                                f"{value} is less than or equal to the minimum of 0")
        if value > SQL_SP_FLOAT_MAX:
            # Nova's validator compares int(value) (_number_from_str), and says so
            raise invalid_input("rxtx_factor", value, f"{int(value)} is greater than the "
                                                      f"maximum of {SQL_SP_FLOAT_MAX:g}")
    number = float(value)
    if number <= 0:
        # The schema's exclusiveMinimum does not look at strings and Nova's API does not
        # catch the InvalidInput flavors.create() raises for "0.0": a 500, as Nova answers.
        raise CloudError(500, "Unexpected API Error. Please contact the administrator\n"
                              "<class 'nova.exception.InvalidInput'>", "computeFault")
    return number


def boolean(field: str, value) -> bool:
    if not _types(value, ("boolean", "string")):
        raise _type_error(field, value, ("boolean", "string"))
    if value not in BOOLEANS:
        raise invalid_input(field, value, f"{value!r} is not one of {BOOLEANS!r}")
    return value is True or (isinstance(value, str) and value.lower() in TRUE_WORDS)


def _object(field: str | None, value) -> dict:
    if not isinstance(value, dict):
        reason = f"{value!r} is not of type 'object'"
        raise CloudError(400, reason) if field is None else invalid_input(field, value, reason)
    return value


def _rest(field: str | None, value: dict, required: tuple[str, ...], allowed) -> None:
    """`required` keys present, no others than `allowed`: checked after the properties,
    as jsonschema reports the deeper errors first."""
    for key in required:
        if key not in value:
            reason = f"'{key}' is a required property"
            raise CloudError(400, reason) if field is None else invalid_input(field, value, reason)
    extra = [k for k in value if k not in allowed]
    if extra:
        listed = ", ".join(repr(k) for k in extra)
        reason = (f"Additional properties are not allowed ({listed} "
                  f"{'was' if len(extra) == 1 else 'were'} unexpected)")
        raise CloudError(400, reason) if field is None else invalid_input(field, value, reason)


async def raw_body(request):
    """The body as Nova's schema sees it: no body is None, text that is not JSON is the
    "Malformed request body" Nova's deserializer gives."""
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CloudError(400, "Malformed request body") from None


# --- the request bodies ---------------------------------------------------------------

def create_body(request, body) -> dict:
    """POST /flavors: the values Nova stores (id None when Nova picks a UUID)."""
    _object(None, body)
    values = {}
    if "flavor" in body:
        flavor = _object("flavor", body["flavor"])
        values = _create_fields(request, flavor)
        allowed = FLAVOR_FIELDS + (("description",) if mv(request, "2.55") else ())
        _rest("flavor", flavor, ("name", "ram", "vcpus", "disk"), allowed)
    _rest(None, body, ("flavor",), ("flavor",))
    return values


def _create_fields(request, flavor: dict) -> dict:
    values = {}
    if "name" in flavor:
        _name(flavor["name"])
        values["name"] = flavor["name"]
    if "id" in flavor:
        _flavor_id(flavor["id"])
    raw_id = flavor.get("id")
    values["id"] = None if raw_id is None else str(raw_id)
    for field, key, minimum in (("ram", "ram", 1), ("vcpus", "vcpus", 1), ("disk", "disk", 0),
                                ("OS-FLV-EXT-DATA:ephemeral", "ephemeral", 0),
                                ("swap", "swap", 0)):
        if field in flavor:
            values[key] = _integer(field, flavor[field], minimum)
    values["rxtx_factor"] = _rxtx(flavor["rxtx_factor"]) if "rxtx_factor" in flavor else 1.0
    public = "os-flavor-access:is_public"
    values["is_public"] = boolean(public, flavor[public]) if public in flavor else True
    if mv(request, "2.55") and "description" in flavor:
        description(flavor["description"])
    values["description"] = flavor.get("description") if mv(request, "2.55") else None
    return values


def update_body(body) -> str | None:
    """PUT /flavors/{id} (2.55+): only the description, and it is required."""
    _object(None, body)
    if "flavor" in body:
        flavor = _object("flavor", body["flavor"])
        if "description" in flavor:
            description(flavor["description"])
        _rest("flavor", flavor, ("description",), ("description",))
    _rest(None, body, ("flavor",), ("flavor",))
    return body["flavor"]["description"]


def access_action(body) -> tuple[str, str]:
    """POST /flavors/{id}/action: exactly one of addTenantAccess / removeTenantAccess with
    a tenant (1-255 characters)."""
    if not isinstance(body, dict) or len(body) != 1:
        raise CloudError(400, "Malformed request body")
    action, args = next(iter(body.items()))
    if action not in ("addTenantAccess", "removeTenantAccess"):
        raise CloudError(400, f"There is no such action: {action}")
    _object(action, args)
    if "tenant" in args:
        _string("tenant", args["tenant"], 255)
    _rest(action, args, ("tenant",), ("tenant",))
    return action, args["tenant"]


def is_public_filter(raw: str | None) -> bool | None:
    """The admin's ?is_public= (flavors.py _parse_is_public): absent is True (public ones
    and those the project was given), "none" is every flavor."""
    if raw is None:
        return True
    if raw.lower() == "none":
        return None
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CloudError(400, f"Invalid is_public filter [{raw}]")
