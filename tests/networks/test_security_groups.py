"""Security groups: create, rules from presets and custom, remove, delete; refusals."""

import pytest

from .helpers import follow_messages, form_error

pytestmark = pytest.mark.django_db


def rules_of(conn, group_id):
    return {(r.direction, r.protocol, r.port_range_min, r.port_range_max,
             r.remote_ip_prefix, r.remote_group_id)
            for r in conn.network.security_group_rules(security_group_id=group_id)
            if r.direction == "ingress"}


def test_group_lifecycle_with_presets_and_custom_rules(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    resp = alice.post("/network/security-groups/create/", {"name": f"{prefix}-web"})
    assert resp.status_code == 302
    group = conn.network.find_security_group(f"{prefix}-web")
    base = f"/network/security-groups/{group.id}/rules/add/"
    for preset in ("ssh", "icmp", "web"):
        resp = alice.post(base, {"preset": preset, "direction": "ingress",
                                 "remote_cidr": "0.0.0.0/0"})
        assert resp.status_code == 302, form_error(resp)
    resp = alice.post(base, {"preset": "custom", "direction": "ingress", "protocol": "udp",
                             "port_min": "5000", "port_max": "5100", "remote_cidr": "",
                             "remote_group": group.id})
    assert resp.status_code == 302, form_error(resp)
    assert rules_of(conn, group.id) == {
        ("ingress", "tcp", 22, 22, "0.0.0.0/0", None),
        ("ingress", "icmp", None, None, "0.0.0.0/0", None),
        ("ingress", "tcp", 80, 80, "0.0.0.0/0", None),
        ("ingress", "tcp", 443, 443, "0.0.0.0/0", None),
        ("ingress", "udp", 5000, 5100, None, group.id)}

    resp = alice.post(base, {"preset": "ssh", "direction": "ingress",
                             "remote_cidr": "0.0.0.0/0"})
    assert resp.status_code == 400
    assert form_error(resp) == "That rule already exists in this group."

    rule = next(r for r in conn.network.security_group_rules(security_group_id=group.id)
                if r.port_range_min == 22)
    resp = alice.post(f"/network/security-groups/{group.id}/rules/{rule.id}/delete/")
    assert "Rule removed." in follow_messages(alice, resp)
    assert conn.network.find_security_group_rule(rule.id) is None

    resp = alice.post(f"/network/security-groups/{group.id}/delete/")
    assert resp.url == "/network/security-groups/"
    assert conn.network.find_security_group(group.id) is None


def test_custom_rule_checked_on_the_form(as_, cloud, prefix):
    alice, conn = as_("alice"), cloud.connect("alice")
    group = conn.network.create_security_group(name=f"{prefix}-g")
    resp = alice.post(f"/network/security-groups/{group.id}/rules/add/", {
        "preset": "custom", "direction": "ingress", "protocol": "tcp", "port_min": "80",
        "port_max": "22", "remote_cidr": "0.0.0.0/0"})
    assert resp.status_code == 400
    assert "The last port is lower than the first." in resp.content.decode()
