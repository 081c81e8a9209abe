"""A kept connection looks its endpoints up once (portal.tokenauth): the next pages with
the same token find Nova and Neutron without walking the token's catalog again, and each
person's connection has lookups of its own."""

import pytest
from django.test import Client

from portal import catalog
from tests.portal.test_connection_reuse import fresh, kept, login  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def catalog_of(conn):
    return conn.session.auth.auth_ref.service_catalog


def test_the_next_pages_do_not_walk_the_catalog_again(fresh, cloud, monkeypatch):  # noqa: F811
    client = login(Client(), cloud, "alice")
    assert client.get("/servers/").status_code == 200
    assert client.get("/network/").status_code == 200
    conn = kept(client.session["cloud"]["token"])
    assert catalog.has_service(conn, "compute")

    def walked(*args, **kwargs):
        raise AssertionError("the catalog was walked again")

    monkeypatch.setattr(catalog_of(conn), "endpoint_data_for", walked)
    servers = client.get("/servers/")
    assert servers.status_code == 200 and servers["X-Cloud-Calls"] == "1"
    assert client.get("/network/").status_code == 200
    assert catalog.has_service(conn, "compute")  # asked once, kept with the connection


def test_each_persons_connection_looks_up_its_own(fresh, cloud):  # noqa: F811
    alice, bob = login(Client(), cloud, "alice"), login(Client(), cloud, "bob")
    assert alice.get("/servers/").status_code == 200
    assert bob.get("/servers/").status_code == 200
    a, b = (kept(c.session["cloud"]["token"]) for c in (alice, bob))
    assert a.session.auth is not b.session.auth
    assert a.session.auth._endpoints and b.session.auth._endpoints
    found = {k: v for k, v in a.session.auth._endpoints.items()}
    assert all(v is not b.session.auth._endpoints.get(k) for k, v in found.items())
