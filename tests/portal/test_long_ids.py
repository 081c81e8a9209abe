"""Over-long ids, markers and filters (8 KB) on every URL of every app are a 404 or a
message on the page, never a 500 or the cloud's error: the URL converters (portal/
converters.py) refuse an id that cannot be one before a view runs, and query ids and
filters are bounded the same way."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.pages import login

pytestmark = pytest.mark.django_db

LONG = "x" * 8192
QUERY_KEYS = ["marker", "name", "status", "ip", "project", "q", "user", "server", "type",
              "all", "view", "next"]


def routes(patterns=None, prefix=""):
    """(route with <conv:name> placeholders, parameter names) of every URL pattern."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, re.findall(r"<(?:\w+:)?(\w+)>", route)


def fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def with_ids():
    return [(route, name) for route, names in routes() for name in names]


def test_every_id_in_the_url_conf_is_found():
    found = with_ids()
    assert len(found) >= 25, found  # vms, networks, consoles: every <…_id>
    assert {r.split("/")[0] for r, _ in found} >= {"servers", "network", "consoles"}


@pytest.mark.parametrize("who", ["alice", "admin"])
def test_an_8kb_id_anywhere_is_a_404(portal_settings, cloud, who):
    client = login(cloud, who)
    plausible = str(uuid.uuid4())
    for route, name in with_ids():
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        path = fill(route, {n: (LONG if n == name else plausible) for n in names})
        for method in ("get", "post"):
            resp = getattr(client, method)(path)
            assert resp.status_code == 404, (who, method, route, name, resp.status_code)
            assert resp["X-Cloud-Calls"] == "0", (route, name)  # the cloud is not asked


@pytest.mark.parametrize("who", ["alice", "admin"])
def test_8kb_markers_and_filters_are_a_404_or_a_message(portal_settings, cloud, who):
    client = login(cloud, who)
    query = "&".join(f"{k}={LONG}" for k in QUERY_KEYS)
    for route, names in routes():
        if names or route.startswith(("login", "logout")):
            continue
        for key in QUERY_KEYS:
            resp = client.get(f"/{route}?{key}={LONG}")
            body = resp.content.decode()
            assert resp.status_code < 500, (who, route, key, resp.status_code)
            assert 'data-testid="cloud-error"' not in body, (who, route, key)
        assert client.get(f"/{route}?{query}").status_code < 500, (who, route)
