"""Images, networks and security group rules with exactly the fields (and value types) a
real 2026.2 Glance and Neutron return: the key sets below were read off the real services
for the same calls made as a project member."""

import openstack

NETWORK_KEYS = {
    "admin_state_up", "availability_zone_hints", "availability_zones", "created_at",
    "description", "id", "ipv4_address_scope", "ipv6_address_scope", "mtu", "name",
    "port_security_enabled", "project_id", "qinq", "revision_number", "router:external",
    "shared", "status", "subnets", "tags", "tenant_id", "updated_at", "vlan_transparent"}
RULE_KEYS = {
    "belongs_to_default_sg", "created_at", "description", "direction", "ethertype", "id",
    "normalized_cidr", "port_range_max", "port_range_min", "project_id", "protocol",
    "remote_address_group_id", "remote_group_id", "remote_ip_prefix", "revision_number",
    "security_group_id", "tenant_id", "updated_at"}
EMBEDDED_RULE_KEYS = RULE_KEYS | {"standard_attr_id", "tags"}
SDK_OWNER_KEYS = {"owner_specified.openstack.md5": "", "owner_specified.openstack.sha256": ""}


# --- networks ---------------------------------------------------------------------------

def test_a_tenant_network_has_no_is_default(neutron_demo):
    network = neutron_demo.network()
    try:
        # the real Neutron's create answer (only) still has the request's default
        assert set(network) == NETWORK_KEYS | {"is_default"} and network["is_default"] is False
        shown = neutron_demo.ok("GET", f"/networks/{network['id']}")["network"]
        assert set(shown) == NETWORK_KEYS
        updated = neutron_demo.ok("PUT", f"/networks/{network['id']}",
                             {"network": {"name": "shape-renamed"}})["network"]
        assert set(updated) == NETWORK_KEYS
        listed = neutron_demo.one("networks", name="shape-renamed")
        assert set(listed) == NETWORK_KEYS
        private = neutron_demo.one("networks", name="private")
        assert "is_default" not in private
    finally:
        neutron_demo.ok("DELETE", f"/networks/{network['id']}")


def test_an_external_network_keeps_is_default_until_it_is_internal(neutron_demo, neutron_admin):
    public = neutron_demo.one("networks", name="public")
    assert public["router:external"] is True and public["is_default"] is False
    assert set(public) == NETWORK_KEYS | {"is_default"}
    admin = neutron_admin
    net = admin.network(**{"router:external": True, "is_default": True})
    try:
        assert net["is_default"] is True
        internal = admin.ok("PUT", f"/networks/{net['id']}",
                            {"network": {"router:external": False}})["network"]
        assert "is_default" not in internal
        again = admin.ok("PUT", f"/networks/{net['id']}",
                         {"network": {"router:external": True}})["network"]
        assert again["is_default"] is False    # the external-network row was made anew
    finally:
        admin.ok("DELETE", f"/networks/{net['id']}")


# --- security group rules ---------------------------------------------------------------

def test_rules_neutron_makes_have_null_description_and_the_rule_api_shape(neutron_demo):
    group = neutron_demo.ok("POST", "/security-groups", {"security_group": {"name": "shape"}})[
        "security_group"]
    try:
        assert group["revision_number"] == 1
        embedded = group["security_group_rules"]
        assert len(embedded) == 2
        for rule in embedded:
            assert set(rule) == EMBEDDED_RULE_KEYS
            assert rule["description"] is None and rule["belongs_to_default_sg"] is False
            assert isinstance(rule["standard_attr_id"], int) and rule["tags"] == []
        listed = neutron_demo.call("GET", "/security-group-rules",
                              params={"security_group_id": group["id"]}).json()[
            "security_group_rules"]
        for rule in listed:
            assert set(rule) == RULE_KEYS and rule["description"] is None
        made = neutron_demo.ok("POST", "/security-group-rules", {"security_group_rule": {
            "security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
            "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}})[
            "security_group_rule"]
        assert set(made) == RULE_KEYS and made["description"] == ""
        shown = neutron_demo.ok("GET", f"/security-group-rules/{made['id']}")["security_group_rule"]
        assert shown == made
        # each rule change revises the group
        assert neutron_demo.ok("GET", f"/security-groups/{group['id']}")["security_group"][
            "revision_number"] == 2
        neutron_demo.ok("DELETE", f"/security-group-rules/{made['id']}")
        assert neutron_demo.ok("GET", f"/security-groups/{group['id']}")["security_group"][
            "revision_number"] == 3
    finally:
        neutron_demo.ok("DELETE", f"/security-groups/{group['id']}")


def test_default_group_rules_belong_to_it_through_the_rule_api(neutron_demo):
    group = neutron_demo.one("security-groups", name="default")
    assert group["revision_number"] == 1
    assert len(group["security_group_rules"]) == 4
    assert {r["belongs_to_default_sg"] for r in group["security_group_rules"]} == {None}
    assert {r["description"] for r in group["security_group_rules"]} == {None}
    listed = neutron_demo.call("GET", "/security-group-rules",
                          params={"security_group_id": group["id"]}).json()[
        "security_group_rules"]
    assert len(listed) == 4
    assert {r["belongs_to_default_sg"] for r in listed} == {True}
    assert all(set(r) == RULE_KEYS for r in listed)


# --- images -----------------------------------------------------------------------------

def test_cirros_carries_what_openstack_image_create_leaves(nova_demo):
    (cirros,) = nova_demo.call("GET", "/image/v2/images?name=cirros").json()["images"]
    for key, value in SDK_OWNER_KEYS.items():
        assert cirros[key] == value
    assert cirros["owner_specified.openstack.object"] == "images/cirros"
    assert cirros["os_type"] == "linux" and cirros["stores"] == "file"


def test_an_sdk_upload_gets_owner_specified_keys_and_stores_a_bare_one_neither(
        devcloud, nova_demo):
    conn = openstack.connect(auth_url=devcloud.auth_url, username="demo", password="demo",
                             project_name="demo", user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne",
                             identity_api_version="3")
    image = conn.image.create_image(name="shape-up", data=b"hello shape", disk_format="raw",
                                    container_format="bare", wait=True)
    bare = nova_demo.call("POST", "/image/v2/images", {
        "name": "shape-bare", "disk_format": "raw", "container_format": "bare"}).json()
    try:
        up = nova_demo.call("GET", f"/image/v2/images/{image.id}").json()
        assert up["status"] == "active" and up["stores"] == "file"
        assert {k: up[k] for k in SDK_OWNER_KEYS} == SDK_OWNER_KEYS
        assert up["owner_specified.openstack.object"] == "images/shape-up"
        shown = nova_demo.call("GET", f"/image/v2/images/{bare['id']}").json()
        assert not [k for k in shown if k.startswith("owner_specified.") or k == "stores"]
        assert shown["status"] == "queued" and shown["size"] is None
    finally:
        nova_demo.call("DELETE", f"/image/v2/images/{image.id}")
        nova_demo.call("DELETE", f"/image/v2/images/{bare['id']}")
