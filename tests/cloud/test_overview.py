"""The tenant's Overview: every quota of the project as a bar, against quotas set in the
cloud for a project of its own (both clouds)."""

import html
import re
from contextlib import suppress

import pytest
from django.test import Client

from tests.pages import login, new_project_with, usage_calls

NOVA = {"instances": 7, "cores": 9, "ram": 4096, "key_pairs": 11}
NEUTRON = {"networks": 4, "subnets": 5, "ports": 13, "routers": 2, "floating_ips": 3,
           "security_groups": 6, "security_group_rules": 40}
CINDER = {"volumes": 3, "gigabytes": 30}

pytestmark = pytest.mark.django_db


def bars(resp) -> dict[str, str]:
    """label -> "used / limit", as the page shows them."""
    page = resp.content.decode()
    labels = re.findall(r'data-testid="bar-label">(.*?)</dt>', page)
    figures = re.findall(r'data-testid="bar-figures">(.*?)</span>', page)
    return dict(zip([html.unescape(x) for x in labels], figures, strict=True))


def switch(client: Client, project_id: str) -> None:
    resp = client.post("/project/", {"project_id": project_id})
    assert resp.status_code == 302


def test_every_quota_is_a_bar_against_the_clouds_quotas(portal_settings, cloud):
    with new_project_with(cloud, "alice", "overview") as made:
        admin, project = made["admin"], made["project"]
        cinder = admin.has_service("block-storage")
        admin.compute.update_quota_set(project.id, **NOVA)
        admin.network.update_quota(project.id, **NEUTRON)
        if cinder:
            admin.block_storage.update_quota_set(project.id, **CINDER)
        net = admin.network.create_network(name="overview-net", project_id=project.id)
        try:
            client = login(cloud, "alice")
            switch(client, project.id)
            resp = client.get("/overview/usage/", HTTP_HX_REQUEST="true")
            assert resp.status_code == 200
            assert resp["X-Cloud-Calls"] == usage_calls(cloud)
            shown = bars(resp)
            assert shown["Instances"] == "0 / 7"
            assert shown["vCPUs"] == "0 / 9"
            assert shown["RAM (MiB)"] == "0 / 4096"
            assert shown["Key pairs (yours)"].endswith(" / 11")
            # Neutron's own count, asked the same way (its tracked usage is what it
            # enforces): the network made above is in it.
            q = admin.network.get_quota(project.id, details=True)
            assert q.networks["used"] >= 1
            for label, attr in (("Networks", "networks"), ("Subnets", "subnets"),
                                ("Ports", "ports"), ("Routers", "routers"),
                                ("Floating IPs", "floating_ips"),
                                ("Security groups", "security_groups"),
                                ("Security group rules", "security_group_rules")):
                assert shown[label] == f"{getattr(q, attr)['used']} / {NEUTRON[attr]}", label
            if cinder:
                assert shown["Volumes"] == "0 / 3"
                assert shown["Volume storage (GB)"] == "0 / 30"
            else:
                assert "Volumes" not in shown and 'data-testid="usage-volume"' not in \
                    resp.content.decode()
            # The fragment fetches itself again on the page's live events.
            assert 'hx-trigger="htmx:wsAfterMessage from:body' in resp.content.decode()
        finally:
            admin.network.delete_network(net)
            # Neutron made the project's default security group with its first network;
            # it outlives the Keystone project unless deleted.
            for group in admin.network.security_groups(project_id=project.id):
                admin.network.delete_security_group(group)
            with suppress(Exception):
                admin.compute.revert_quota_set(project.id)
            admin.network.delete_quota(project.id)
            if cinder:
                with suppress(Exception):
                    admin.block_storage.revert_quota_set(project.id)
