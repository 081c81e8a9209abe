"""Admin flavor pages on either cloud: create with validation and Nova's refusals on the
form, the list, delete (asked in the page), private flavors given to a project by name,
and 403 for everyone who is not an admin."""

import re

import pytest

from portal.models import AuditEvent
from tests.pages import form_error, text

pytestmark = pytest.mark.django_db


def field_error(resp, field: str) -> str:
    m = re.search(rf'data-testid="error-{field}">(.*?)</p>', resp.content.decode(), re.S)
    return m.group(1).strip() if m else ""


def form(name, **extra) -> dict:
    data = {"name": name, "vcpus": "2", "ram": "1024", "disk": "5", "ephemeral": "0",
            "swap": "0", "flavor_id": "", "description": "", "is_public": "on"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def find(conn, flavor_id):
    return next((f for f in conn.compute.flavors(is_public=None) if f.id == flavor_id), None)


def test_create_list_and_delete(as_, admin_conn, prefix):
    admin = as_("admin")
    resp = admin.post("/servers/admin/flavors/create/", form(
        f"{prefix}-big", vcpus="4", ram="8192", disk="40", ephemeral="10", swap="512",
        flavor_id=prefix, description="for the batch jobs", is_public=None))
    assert resp.status_code == 302, form_error(resp) or text(resp)
    assert resp.url == f"/servers/admin/flavors/{prefix}/"
    made = find(admin_conn, prefix)
    assert (made.name, made.vcpus, made.ram, made.disk, made.ephemeral, made.swap,
            made.is_public, made.description) == (f"{prefix}-big", 4, 8192, 40, 10, 512,
                                                   False, "for the batch jobs")
    page = text(admin.get(resp.url))
    assert "private: only the projects below" in page and "No project yet" in page

    listing = admin.get("/servers/admin/flavors/")
    row = re.search(rf'<tr id="flavor-{prefix}".*?</tr>', listing.content.decode(), re.S)
    row_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert "4 8192 MiB 40 GB 10 GB 512 MiB private none yet" in row_text
    assert f'data-testid="delete-{prefix}-confirm"' in row.group(0)  # asked in the page

    gone = admin.post(f"/servers/admin/flavors/{prefix}/delete/")
    assert gone.status_code == 302 and gone.url == "/servers/admin/flavors/"
    assert find(admin_conn, prefix) is None
    actions = list(AuditEvent.objects.filter(target__contains=prefix)
                   .values_list("action", flat=True))
    assert sorted(actions) == ["flavor.create", "flavor.delete"]


def test_form_refuses_bad_values_and_nova_refuses_duplicates(as_, admin_conn, prefix):
    admin = as_("admin")
    url = "/servers/admin/flavors/create/"
    bad = admin.post(url, form(f"{prefix}-x", vcpus="0", ram="-1", flavor_id="a b/c"))
    assert bad.status_code == 400
    assert field_error(bad, "vcpus") == "Ensure this value is greater than or equal to 1."
    assert field_error(bad, "ram") == "Ensure this value is greater than or equal to 1."
    assert field_error(bad, "flavor_id").startswith("Use up to 64 letters, digits")
    tab = admin.post(url, form(f"{prefix}-\tx"))
    assert "printable characters only" in field_error(tab, "name")
    assert not [f for f in admin_conn.compute.flavors(is_public=None)
                if f.name.startswith(prefix)]

    assert admin.post(url, form(f"{prefix}-a", flavor_id=prefix)).status_code == 302
    same_name = admin.post(url, form(f"{prefix}-A".upper()))  # Nova ignores the case
    assert same_name.status_code == 400
    assert form_error(same_name) == (f"A flavor named “{prefix.upper()}-A” already exists "
                                     "(Nova compares names regardless of case). Choose "
                                     "another name.")
    same_id = admin.post(url, form(f"{prefix}-b", flavor_id=prefix))
    assert form_error(same_id) == (f"A flavor with the ID “{prefix}” already exists. "
                                   "Choose another ID, or leave it empty for a generated "
                                   "one.")
    assert [f.id for f in admin_conn.compute.flavors(is_public=None)
            if f.name.lower().startswith(prefix)] == [prefix]


def test_private_flavor_given_to_a_project_by_name(as_, cloud, admin_conn, prefix):
    flavor = admin_conn.compute.create_flavor(name=prefix, id=prefix, vcpus=1, ram=128,
                                              disk=1, is_public=False)
    alice = cloud.connect("alice")
    alpha = admin_conn.identity.get_project(alice.current_project_id)
    assert prefix not in [f.id for f in alice.compute.flavors()]

    admin = as_("admin")
    url = f"/servers/admin/flavors/{flavor.id}/"
    unknown = admin.post(url, {"project": f"{prefix}-nosuch"})
    assert field_error(unknown, "project") == f"There is no project named “{prefix}-nosuch”."
    given = admin.post(url, {"project": alpha.name})
    assert given.status_code == 302, field_error(given, "project") or form_error(given)
    assert [a["tenant_id"] for a in admin_conn.compute.get_flavor_access(flavor.id)] == [
        alpha.id]
    assert prefix in [f.id for f in alice.compute.flavors()]
    assert f"{alpha.name} may now use the flavor" in text(admin.get(url))
    row = re.search(rf'<tr id="flavor-{prefix}".*?</tr>',
                    admin.get("/servers/admin/flavors/").content.decode(), re.S).group(0)
    assert re.search(rf'data-testid="access">\s*{re.escape(alpha.name)}\s*<', row)
    again = admin.post(url, {"project": alpha.name})
    assert field_error(again, "project") == f"“{alpha.name}” may already use this flavor."

    removed = admin.post(f"{url}access/{alpha.id}/remove/")
    assert removed.status_code == 302
    assert admin_conn.compute.get_flavor_access(flavor.id) == []
    assert prefix not in [f.id for f in alice.compute.flavors()]
    twice = admin.post(f"{url}access/{alpha.id}/remove/")
    assert f"{alpha.name} had no access to this flavor." in text(admin.get(twice.url))
    audit = AuditEvent.objects.filter(target__contains=prefix)
    assert sorted(audit.values_list("action", flat=True)) == ["flavor.access_add",
                                                              "flavor.access_remove"]
    assert audit.filter(action="flavor.access_add").get().detail == f"{alpha.name} ({alpha.id})"


@pytest.mark.parametrize("who", ["alice", "reader", "helpdesk"])
def test_non_admins_get_403(as_, admin_conn, prefix, who):
    admin_conn.compute.create_flavor(name=prefix, id=prefix, vcpus=1, ram=128, disk=1,
                                     is_public=False)
    client = as_(who)
    base = "/servers/admin/flavors/"
    for url in (base, f"{base}create/", f"{base}{prefix}/"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"{base}create/", form(f"{prefix}-x")), (f"{base}{prefix}/delete/", {}),
                      (f"{base}{prefix}/", {"project": "admin"}),
                      (f"{base}{prefix}/access/{admin_conn.current_project_id}/remove/", {})):
        assert client.post(url, data).status_code == 403, url
    assert find(admin_conn, prefix) is not None
    assert admin_conn.compute.get_flavor_access(prefix) == []
    assert not [f for f in admin_conn.compute.flavors(is_public=None)
                if f.name == f"{prefix}-x"]


def test_a_flavor_nova_does_not_have_is_404_on_its_page_and_its_actions(as_, admin_conn,
                                                                        prefix):
    admin = as_("admin")
    base = f"/servers/admin/flavors/{prefix}-gone"
    assert admin.get(f"{base}/").status_code == 404
    assert admin.post(f"{base}/delete/").status_code == 404
    assert admin.post(f"{base}/", {"project": "admin"}).status_code == 404
    assert find(admin_conn, f"{prefix}-gone") is None
