"""x-openstack-request-id on devcloud's responses exactly where the real services send it
(see devcloud/request_ids.py for what the real 2026.2 services answered)."""

import re

import pytest
import requests

RID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BOTH = ("x-openstack-request-id", "x-compute-request-id")
OS = ("x-openstack-request-id",)


@pytest.mark.parametrize("method,path,auth,status,headers", [
    # Keystone: everything, its version list and 401s included
    ("GET", "/", False, 300, OS),
    ("GET", "/v3", False, 200, OS),
    ("GET", "/v3/projects", False, 401, OS),
    ("GET", "/v3/auth/tokens", True, 200, OS),
    # Nova: everything under /v2.1 with both names; not its version list
    ("GET", "/compute/", False, 200, ()),
    ("GET", "/compute/v2.1/", False, 200, BOTH),
    ("GET", "/compute/v2.1/servers", False, 401, BOTH),
    ("GET", "/compute/v2.1/servers", True, 200, BOTH),
    ("GET", "/compute/v2.1/servers/nope", True, 404, BOTH),
    # Neutron: under /v2.0, 401s included; not its version list
    ("GET", "/networking/", False, 200, ()),
    ("GET", "/networking/v2.0/networks", False, 401, OS),
    ("GET", "/networking/v2.0/networks", True, 200, OS),
    ("GET", "/networking/v2.0/networks/nope", True, 404, OS),
    # Glance: authenticated /v2 answers only
    ("GET", "/image/", False, 300, ()),
    ("GET", "/image/versions", False, 200, ()),
    ("GET", "/image/v2/images", False, 401, ()),
    ("GET", "/image/v2/images", True, 200, OS),
    ("GET", "/image/v2/images/nope", True, 404, OS),
    ("GET", "/image/v2/schemas/image", True, 200, OS),
])
def test_request_id_headers_as_the_real_service_sends_them(devcloud, nova_demo, method,
                                                          path, auth, status, headers):
    resp = requests.request(method, devcloud.base_url + path, timeout=10, headers={
        "X-Auth-Token": nova_demo.token, "X-Subject-Token": nova_demo.token} if auth else {})
    assert resp.status_code == status
    present = tuple(h for h in BOTH if h in resp.headers)
    assert present == headers, resp.headers
    assert len({resp.headers[h] for h in present}) <= 1       # Nova: one id, two names
    assert all(RID.match(resp.headers[h]) for h in present)
    # the real services spell them lower-case
    assert all(h in resp.raw.headers.keys() for h in present)


def test_each_response_has_its_own_id(nova_demo):
    ids = {nova_demo.call("GET", "/networking/v2.0/networks").headers["x-openstack-request-id"]
           for _ in range(3)}
    assert len(ids) == 3


def test_an_injected_fault_carries_one_too(devcloud, nova_demo):
    devcloud.admin_api("POST", "faults", {"service": "network", "path": "/ports$",
                                          "status": 503, "count": 1})
    resp = nova_demo.call("GET", "/networking/v2.0/ports")
    assert resp.status_code == 503 and RID.match(resp.headers["x-openstack-request-id"])


def test_nova_records_the_request_id_it_answered_with(nova_demo):
    body = {"server": {"name": "rid", "flavorRef": "1", "imageRef": nova_demo.cirros(),
                       "networks": "none"}}
    resp = nova_demo.nova("POST", "/servers", body)
    assert resp.status_code == 202
    server_id = resp.json()["server"]["id"]
    try:
        actions = nova_demo.nova("GET", f"/servers/{server_id}/os-instance-actions").json()
        (create,) = [a for a in actions["instanceActions"] if a["action"] == "create"]
        assert create["request_id"] == resp.headers["x-compute-request-id"]
    finally:
        nova_demo.delete_all([{"id": server_id}])
