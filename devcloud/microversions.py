"""Microversion negotiation as Nova and Cinder do it (the same code in both: the
`OpenStack-API-Version: <service> X.Y` header, "latest", 400 for a malformed version and
406 outside the service's range)."""

import re

from aiohttp import web

from .errors import CloudError

VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def fmt(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def asked(request: web.Request, service: str) -> str | None:
    """The version the request's OpenStack-API-Version header asks of `service` (the
    last one naming it wins), or None."""
    raw = None
    for part in request.headers.getall("OpenStack-API-Version", []):
        name, _, value = part.strip().partition(" ")
        if name.lower() == service:
            raw = value.strip()
    return raw


def negotiate(raw: str | None, minimum: tuple[int, int],
              maximum: tuple[int, int]) -> tuple[int, int]:
    if raw is None:
        return minimum
    if raw.lower() == "latest":
        return maximum
    match = VERSION_RE.match(raw)
    if not match:
        raise CloudError(400, f"API Version String {raw} is of invalid format. Must be of "
                              "format MajorNum.MinorNum.")
    version = (int(match.group(1)), int(match.group(2)))
    if not minimum <= version <= maximum:
        raise CloudError(406, f"Version {raw} is not supported by the API. Minimum is "
                              f"{fmt(minimum)} and maximum is {fmt(maximum)}.",
                         "computeFault")
    return version
