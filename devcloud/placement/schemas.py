"""Placement's query-string schemas, and the refusal text jsonschema gives for them.

Placement validates query strings with jsonschema and puts the error's full text in the 400
(message, the failing schema and the instance, pretty-printed). devcloud has no jsonschema:
this checks the few keywords these schemas use and writes that text the way jsonschema 4
does (best match: the shallowest error, then the greatest path; pformat width 72).
"""

import copy
import re
import uuid
from pprint import pformat
from textwrap import indent

from ..errors import CloudError

RPS_1_0 = {"type": "object",
           "properties": {"name": {"type": "string"},
                          "uuid": {"type": "string", "format": "uuid"}},
           "additionalProperties": False}
RPS_1_3 = copy.deepcopy(RPS_1_0)
RPS_1_3["properties"]["member_of"] = {"type": "string"}
RPS_1_4 = copy.deepcopy(RPS_1_3)
RPS_1_4["properties"]["resources"] = {"type": "string"}
RPS_1_14 = copy.deepcopy(RPS_1_4)
RPS_1_14["properties"]["in_tree"] = {"type": "string", "format": "uuid"}
RPS_1_18 = copy.deepcopy(RPS_1_14)
RPS_1_18["properties"]["required"] = {"type": "string"}

USAGES_1_9 = {"type": "object",
              "properties": {"project_id": {"type": "string", "minLength": 1, "maxLength": 255},
                             "user_id": {"type": "string", "minLength": 1, "maxLength": 255}},
              "required": ["project_id"],
              "additionalProperties": False}
USAGES_1_38 = copy.deepcopy(USAGES_1_9)
USAGES_1_38["properties"]["consumer_type"] = {
    "type": "string", "pattern": "^[A-Z0-9_]+$|^all|^unknown$", "minLength": 1,
    "maxLength": 255}


def providers_schema(version: tuple[int, int]) -> dict:
    for since, schema in (((1, 18), RPS_1_18), ((1, 14), RPS_1_14), ((1, 4), RPS_1_4),
                          ((1, 3), RPS_1_3)):
        if version >= since:
            return schema
    return RPS_1_0


def is_uuid(value: str) -> bool:
    """jsonschema's "uuid" format: a UUID written with its four hyphens."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return all(value[i] == "-" for i in (8, 13, 18, 23))


def _string_errors(value: str, schema: dict):
    for keyword, rule in schema.items():
        if keyword == "format" and rule == "uuid" and not is_uuid(value):
            yield keyword, f"{value!r} is not a 'uuid'"
        elif keyword == "minLength" and len(value) < rule:
            yield keyword, f"{value!r} " + ("should be non-empty" if rule == 1 else
                                            "is too short")
        elif keyword == "maxLength" and len(value) > rule:
            yield keyword, f"{value!r} is too long"
        elif keyword == "pattern" and not re.search(rule, value):
            yield keyword, f"{value!r} does not match {rule!r}"


def _errors(instance: dict, schema: dict):
    """(path, keyword, message, schema path, failing schema, failing instance) in the order
    jsonschema finds them."""
    props = schema["properties"]
    for name, sub in props.items():
        if name in instance:
            for keyword, message in _string_errors(instance[name], sub):
                yield ((name,), keyword, message, ("properties", name), sub, instance[name])
    for name in schema.get("required", ()):
        if name not in instance:
            yield ((), "required", f"{name!r} is a required property", (), schema, instance)
    extras = sorted(k for k in instance if k not in props)
    if extras and schema.get("additionalProperties") is False:
        verb = "was" if len(extras) == 1 else "were"
        joined = ", ".join(repr(e) for e in extras)
        yield ((), "additionalProperties",
               f"Additional properties are not allowed ({joined} {verb} unexpected)",
               (), schema, instance)


def _index(word: str, path: tuple) -> str:
    return word + "".join(f"[{p!r}]" for p in path)


def _pretty(thing) -> str:
    return indent(pformat(thing, width=72, sort_dicts=False), "    ").lstrip()


def validate(query, schema: dict) -> None:
    """Raise Placement's 400 for the query string (a repeated key counts with its last
    value, as webob's dict of the query does)."""
    instance = {k: v for k, v in query.items()}
    found = list(_errors(instance, schema))
    if not found:
        return
    # max() keeps the first of equals, as jsonschema's best_match does.
    path, keyword, message, schema_path, sub, value = max(
        found, key=lambda e: (-len(e[0]), e[0]))
    text = (f"{message}\n\nFailed validating {keyword!r} in {_index('schema', schema_path)}:"
            f"\n    {_pretty(sub)}\n\nOn {_index('instance', path)}:\n    {_pretty(value)}")
    raise CloudError(400, f"Invalid query string parameters: {text}")
