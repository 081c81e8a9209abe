"""The admin's all-projects instances list on either cloud: every project's servers with
the project's name and the host, filtered by project, host and status, paged by Nova's
marker; an admin's action on another project's server is audited in that project; 403
for everyone else."""

import re

import pytest

from portal.models import AuditEvent
from tests.pages import text
from tests.vms.helpers import delete_servers, unique, wait_for
from vms import all_projects

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def booted(cloud):
    """One server of alice's (project alpha) and one of bob's (beta), no network."""
    admin = cloud.connect("admin")
    prefix = unique("adm")
    image = admin.image.find_image("cirros", ignore_missing=False)
    made = {}
    try:
        for who in ("alice", "bob"):
            conn = cloud.connect(who)
            server = conn.compute.create_server(name=f"{prefix}-{who}", flavor_id="1",
                                                image_id=image.id, networks="none")
            made[who] = (conn, server)
        for who, (conn, server) in made.items():
            made[who] = (conn, conn.compute.wait_for_server(server, wait=120))
        names = {who: admin.identity.get_project(conn.current_project_id).name
                 for who, (conn, _s) in made.items()}
        yield {"prefix": prefix, "admin": admin, "projects": names,
               **{who: server for who, (_c, server) in made.items()}}
    finally:    # a setup that failed half-way leaves nothing behind either
        delete_servers(admin, prefix)


def rows(resp) -> dict:
    """{server name: row text} of the list."""
    html = resp.content.decode()
    found = {}
    for row in re.findall(r'<tr id="admin-server-.*?</tr>', html, re.S):
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        found[words.split(" ")[0]] = words
    return found


def test_every_project_with_its_name_and_host(as_, booted):
    admin = as_("admin")
    alice, bob = booted["alice"], booted["bob"]
    listed = rows(admin.get("/servers/admin/", {"status": "ACTIVE"}))
    for who, server in (("alice", alice), ("bob", bob)):
        row = listed[server.name]
        assert booted["projects"][who] in row and "ACTIVE" in row
    host_of = booted["admin"].compute.get_server(alice.id).compute_host  # OS-EXT-SRV-ATTR:host
    assert host_of and host_of in listed[alice.name]

    only_alpha = rows(admin.get("/servers/admin/", {"project": alice.project_id}))
    assert alice.name in only_alpha and bob.name not in only_alpha
    on_host = rows(admin.get("/servers/admin/", {"host": host_of}))
    assert alice.name in on_host and bob.name in on_host
    assert rows(admin.get("/servers/admin/", {"host": "no-such-host"})) == {}
    stopped = rows(admin.get("/servers/admin/", {"project": alice.project_id,
                                                 "status": "SHUTOFF"}))
    assert alice.name not in stopped
    bad = admin.get("/servers/admin/", {"host": "a b"})
    assert bad.status_code == 400 and "Not a host name." in text(bad)


def test_paging_by_nova_marker(as_, booted, monkeypatch):
    monkeypatch.setattr(all_projects, "PAGE_SIZE", 1)
    admin = as_("admin")
    seen = []
    url, query = "/servers/admin/", {"host": "", "status": "ACTIVE"}
    while len(seen) < 50:
        resp = admin.get(url, query)
        page = rows(resp)
        assert len(page) <= 1
        seen += page
        marker = re.search(r'marker=([^"&]+)" data-testid="next-page"', resp.content.decode())
        if not marker:
            break
        query = {**query, "marker": marker.group(1)}
    assert booted["alice"].name in seen and booted["bob"].name in seen
    assert len(seen) == len(set(seen))


def test_admin_stops_another_projects_server(as_, booted):
    admin = as_("admin")
    bob = booted["bob"]
    html = admin.get("/servers/admin/", {"project": bob.project_id}).content.decode()
    assert f'data-testid="stop-{bob.id}-confirm"' in html  # asked in the page
    resp = admin.post(f"/servers/admin/{bob.id}/actions/stop/")
    assert resp.status_code == 302 and resp.url == "/servers/admin/"
    wait_for(lambda: booted["admin"].compute.get_server(bob.id).status == "SHUTOFF",
             timeout=60, what="SHUTOFF")
    record = AuditEvent.objects.get(action="server.stop", detail=bob.id)
    assert record.project_id == bob.project_id  # the server's project, not the admin's
    assert record.user_name == "admin"
    listed = rows(admin.get("/servers/admin/", {"project": bob.project_id}))
    assert "SHUTOFF" in listed[bob.name] and "Start" in listed[bob.name]
    assert admin.post(f"/servers/admin/{bob.id}/actions/start/").status_code == 302
    wait_for(lambda: booted["admin"].compute.get_server(bob.id).status == "ACTIVE",
             timeout=60, what="ACTIVE again")
    assert admin.post("/servers/admin/0000-no-such/actions/stop/").status_code == 404


@pytest.mark.parametrize("who", ["alice", "reader", "helpdesk"])
def test_non_admins_get_403(as_, booted, who):
    client = as_(who)
    assert client.get("/servers/admin/").status_code == 403
    bob = booted["bob"]
    assert client.post(f"/servers/admin/{bob.id}/actions/stop/").status_code == 403
    assert booted["admin"].compute.get_server(bob.id).status == "ACTIVE"


def test_the_list_says_its_filter_and_page_for_rows_pushed_live(as_, booted):
    """A live list (portal/live.py) in Nova's terms: project and host exact, status as
    vm_state/task_state; each row its created_at key and the values those read."""
    admin, alice = as_("admin"), booted["alice"]
    html = admin.get("/servers/admin/", {"project": alice.project_id, "host": "",
                                         "status": "ACTIVE"}).content.decode()
    assert 'data-live-list="admin-servers"' in html and "data-live-first" in html
    assert (f"[[&quot;project&quot;, &quot;eq&quot;, &quot;{alice.project_id}&quot;], "
            "[&quot;vm-state&quot;, &quot;in&quot;, [&quot;active&quot;]]]") in html
    row = re.search(rf'<tr id="admin-server-{alice.id}"[^>]*>', html).group(0)
    assert 'data-live-row="admin-servers"' in row and 'data-live-v-vm-state="active"' in row
    assert f'data-live-v-project="{alice.project_id}"' in row
    assert f'data-live-key="{alice.created_at}"' in row


@pytest.fixture
def heard(portal_settings, monkeypatch):
    """What a poll tick sends: (group, audience, html); group "admins" is every cloud
    admin's pages."""
    from vms import poller, pollstate

    pollstate.reset()
    sent = []
    monkeypatch.setattr(poller, "publish", lambda project, html, audience=None, **kw:
                        sent.append((project, audience, html)))
    monkeypatch.setattr(poller, "publish_to_admins", lambda html, **kw:
                        sent.append(("admins", None, html)))
    yield sent
    pollstate.reset()


def test_the_poller_pushes_every_projects_rows_to_admins_only(heard, cloud, booted):
    """A server made, changed or deleted anywhere reaches the admins' list: unlinked for
    every admin, linked on its own project's admin pages (sent after); no member or
    reader audience ever gets an admin row; a deleted server's row goes."""
    from portal.cloud import service_connection
    from vms import poller

    bob = cloud.connect("bob")
    extra = bob.compute.create_server(name=f"{booted['prefix']}-extra", flavor_id="1",
                                      image_id=booted["bob"].image.id, networks="none")
    bob.compute.wait_for_server(extra, wait=120)
    conn = service_connection()
    assert poller.poll(conn)["polled"]
    admins = "".join(html for group, _a, html in heard if group == "admins")
    for server in (booted["alice"], booted["bob"], extra):
        assert f'id="admin-server-{server.id}"' in admins
        assert f'href="/servers/{server.id}/"' not in admins
    assert booted["projects"]["bob"] in admins          # the project's name, from Keystone
    own = "".join(html for group, audience, html in heard
                  if group == extra.project_id and audience == "admin")
    assert f'<a href="/servers/{extra.id}/">{extra.name}</a>' in own
    assert heard.index(next(h for h in heard if h[0] == "admins")) < heard.index(
        next(h for h in heard if h[0] == extra.project_id and h[1] == "admin"))
    for group, audience, html in heard:
        if audience in ("member", "reader", None) and group != "admins":
            assert "admin-server-" not in html, (group, audience)

    heard.clear()
    bob.compute.delete_server(extra)
    bob.compute.wait_for_delete(extra, wait=120)
    wait_for(lambda: poller.poll(conn) and any(
        f'<tr id="admin-server-{extra.id}" hx-swap-oob="delete">' in html
        for group, _a, html in heard if group == "admins"), timeout=30, what="removal")
