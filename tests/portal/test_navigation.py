"""The sidebar: one active item, the most specific one."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from portal.navigation import sections_for

EVERYONE = SimpleNamespace(is_admin=True, can_search_all_projects=True)


def active(path: str) -> list[str]:
    sections = sections_for(SimpleNamespace(path=path, perms=EVERYONE))
    return [link["label"] for s in sections for link in s["links"] if link["active"]]


@pytest.mark.parametrize(("name", "label"), [
    ("portal:home", "Overview"), ("vms:list", "Instances"), ("vms:keypairs", "Key pairs"),
    ("images:list", "Images"), ("images:upload", "Images"), ("networks:list", "Networks"),
    ("networks:routers", "Routers"),
    ("networks:floatingips", "Floating IPs"), ("networks:security_groups", "Security groups"),
    ("networks:pools", "Floating IP pools"), ("consoles:helpdesk", "Helpdesk search"),
    ("consoles:audit", "Console sessions"),
])
def test_each_page_highlights_its_own_item_only(name, label):
    assert active(reverse(name)) == [label]


def test_an_object_page_highlights_its_list():
    assert active(reverse("vms:detail", args=["0" * 32])) == ["Instances"]
    assert active(reverse("networks:detail", args=["0" * 32])) == ["Networks"]
    assert active(reverse("images:detail", args=["0" * 32])) == ["Images"]
    assert active("/nowhere/") == []


def test_favicon_is_served(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301 and resp["Location"] == "/static/img/favicon.svg"
    icon = client.get(resp["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])
