"""The console pages against the cloud under test (Django test client): who may open what,
the types the cloud does not offer, the helpdesk search, the audit page's scope."""

import re
import time

import pytest

from consoles.models import ConsoleSession, ConsoleTicket
from tests.pages import login as client_as

pytestmark = pytest.mark.django_db


def ws_paths(html: str) -> list[str]:
    return re.findall(r"/ws/consoles/[^\"/]+/", html)


def test_owner_gets_a_page_with_one_ticket(portal_settings, cloud, alice_server):
    resp = client_as(cloud, "alice").get(f"/consoles/{alice_server.id}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert len(ws_paths(html)) == 1 and "token=" not in html
    assert resp["Cache-Control"] == "no-store"
    ticket = ConsoleTicket.objects.get()
    # Stored hashed: the ticket from the page is nowhere in the row.
    ticket_value = ws_paths(html)[0].split("/")[3]
    assert ticket_value not in str(ticket.__dict__)
    assert ticket.via == "user token" and ticket.max_uses == 1


def test_bob_gets_404_for_alices_server(portal_settings, cloud, alice_server):
    bob = client_as(cloud, "bob")
    assert bob.get(f"/consoles/{alice_server.id}/").status_code == 404
    assert bob.post(f"/consoles/{alice_server.id}/ticket/").status_code == 404
    assert not ConsoleTicket.objects.exists()


def test_reader_is_refused(portal_settings, cloud, alice_server):
    reader = client_as(cloud, "reader")
    assert reader.get(f"/consoles/{alice_server.id}/").status_code == 403
    assert reader.post(f"/consoles/{alice_server.id}/ticket/").status_code == 403
    assert not ConsoleTicket.objects.exists()


def test_helpdesk_opens_any_server_through_the_service_account(portal_settings, cloud,
                                                               alice_server):
    helpdesk = client_as(cloud, "helpdesk")
    resp = helpdesk.get(f"/consoles/{alice_server.id}/")
    assert resp.status_code == 200 and len(ws_paths(resp.content.decode())) == 1
    ticket = ConsoleTicket.objects.get()
    assert (ticket.via, ticket.role) == ("service account", "helpdesk")
    assert ticket.project_id == alice_server.project_id
    # A reconnect's fresh ticket: helpdesk may POST for that, and only that.
    again = helpdesk.post(f"/consoles/{alice_server.id}/ticket/?type=novnc")
    assert again.status_code == 200 and again.json()["ws"].startswith("/ws/consoles/")


def test_types_the_cloud_does_not_offer_give_a_plain_message(portal_settings, cloud,
                                                             alice_server):
    alice = client_as(cloud, "alice")
    for kind, words in [("xvpvnc", "Removed from Nova"), ("rdp-html5", "Hyper-V")]:
        html = alice.get(f"/consoles/{alice_server.id}/?type={kind}").content.decode()
        assert 'data-testid="console-error"' in html and words in html
        assert not ws_paths(html)
    if not cloud.is_devcloud or not cloud.devcloud:
        return
    html = alice.get(f"/consoles/{alice_server.id}/?type=spice-html5").content.decode()
    if "data-ws=" not in html:   # devcloud without --qemu: Nova's own refusal, in words
        assert "does not offer SPICE consoles" in html
        assert "Unavailable console type spice-html5" in html
    ticket = alice.post(f"/consoles/{alice_server.id}/ticket/?type=xvpvnc")
    assert ticket.status_code == 400


def test_htmx_gets_the_embeddable_partial(portal_settings, cloud, alice_server):
    html = client_as(cloud, "alice").get(f"/consoles/{alice_server.id}/",
                                         HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith("<section") and "<html" not in html


def test_helpdesk_search_by_name_id_and_ip(portal_settings, cloud, alice_server):
    helpdesk = client_as(cloud, "helpdesk")
    address = next(a["addr"] for net in alice_server.addresses.values() for a in net)
    for query in (alice_server.name, alice_server.id, address):
        html = helpdesk.get("/consoles/helpdesk/", {"q": query}).content.decode()
        assert alice_server.id in html, f"search for {query!r} missed the server"
        assert "Open console" in html
    # The search page is read-only: no form that changes anything.
    assert 'method="post"' not in html.split('<main class="content"')[1].lower()


@pytest.fixture(scope="module")
def floating_ip(cloud, alice_server):
    """A floating IP on alice's server (a router from its subnet to the external network)."""
    conn = cloud.connect("alice")
    ext = conn.network.find_network(cloud.external_network)
    port = next(conn.network.ports(device_id=alice_server.id))
    router = conn.network.create_router(name=f"{alice_server.name}-router",
                                        external_gateway_info={"network_id": ext.id})
    try:
        conn.network.add_interface_to_router(router, subnet_id=port.fixed_ips[0]["subnet_id"])
        fip = conn.network.create_ip(floating_network_id=ext.id, port_id=port.id)
        try:
            yield fip.floating_ip_address
        finally:
            conn.network.delete_ip(fip)
            conn.network.remove_interface_from_router(
                router, subnet_id=port.fixed_ips[0]["subnet_id"])
    finally:
        conn.network.delete_router(router)


def result_rows(html: str) -> dict[str, str]:
    """The helpdesk results, by server ID: each row's HTML."""
    return {m.group(1): m.group(0) for m in re.finditer(
        r"<tr>\s*<td>[^<]*</td>\s*<td><code>([0-9a-f-]{36})</code>.*?</tr>", html, re.S)}


def test_helpdesk_finds_a_server_by_floating_and_partial_ip_and_names_networks(
        portal_settings, cloud, alice_server, floating_ip):
    helpdesk = client_as(cloud, "helpdesk")
    network, entries = next(iter(alice_server.addresses.items()))
    fixed = entries[0]["addr"]
    partial = fixed.rsplit(".", 1)[0] + "."          # "10.66.0."
    for query in (floating_ip, partial, fixed):
        rows = result_rows(helpdesk.get("/consoles/helpdesk/", {"q": query}).content.decode())
        assert alice_server.id in rows, f"search for {query!r} missed the server"
        row = rows[alice_server.id]
        # Each address says which network it is on; the floating one says it is floating.
        assert re.search(rf'data-address="{re.escape(fixed)}">.*?on {re.escape(network)}<',
                         row, re.S), row
        assert re.search(rf'data-address="{re.escape(floating_ip)}">.*?floating.*?on ',
                         row, re.S), row
    # A whole address is that address, not every one that contains it.
    rows = result_rows(helpdesk.get("/consoles/helpdesk/", {"q": fixed + "9"}).content.decode())
    assert alice_server.id not in rows
    if cloud.is_devcloud:     # list calls, whatever the number of results: none per row
        since = time.time()
        helpdesk.get("/consoles/helpdesk/", {"q": floating_ip})
        calls = cloud.devcloud.admin_api("GET", f"stats?since={since}")["calls"]
        reads = sorted(c["route"] for c in calls if c["method"] == "GET")
        # name, fixed IP (Nova lists), the floating IP (Neutron), its one server, projects
        assert reads == ["/compute/v2.1/servers/detail", "/compute/v2.1/servers/detail",
                         "/compute/v2.1/servers/{server_id}", "/networking/v2.0/floatingips",
                         "/v3/projects"], reads


def test_helpdesk_search_is_for_helpdesk_and_admins(portal_settings, cloud):
    assert client_as(cloud, "alice").get("/consoles/helpdesk/?q=x").status_code == 403


def test_audit_page_scope(portal_settings, cloud, alice_server):
    def session(user, project):
        from django.utils import timezone
        return ConsoleSession.objects.create(
            user_id=user, user_name=user, role="member", via="user token",
            server_id="s", server_name="vm", project_id=project, console_type="novnc",
            mode="proxy", started_at=timezone.now())
    alice = client_as(cloud, "alice")
    alpha = alice.session["cloud"]["project_id"]
    session("alice", alpha)
    session("bob", "someone-elses-project")
    html = alice.get("/consoles/sessions/").content.decode()
    assert "someone-elses-project" not in html and alpha in html
    html = client_as(cloud, "helpdesk").get("/consoles/sessions/").content.decode()
    assert "someone-elses-project" in html and alpha in html
    html = client_as(cloud, "admin").get("/consoles/sessions/?user=bob").content.decode()
    assert "someone-elses-project" in html and alpha not in html


def test_audit_page_names_projects_and_shows_the_client_address(portal_settings, cloud):
    """Project names, not UUIDs (the person's own projects list; Keystone's through the
    service account for admin and helpdesk, who see every project), and where the
    session came from."""
    from django.utils import timezone

    def session(user, project, address):
        return ConsoleSession.objects.create(
            user_id=user, user_name=user, role="member", via="user token", server_id="s",
            server_name="vm", project_id=project, console_type="novnc", mode="proxy",
            address=address, started_at=timezone.now())

    def cells(html, testid):
        return re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</td>', html)

    alice, bob = client_as(cloud, "alice"), client_as(cloud, "bob")
    alpha = alice.session["cloud"]["project_id"]
    beta = bob.session["cloud"]["project_id"]
    session("alice", alpha, "198.51.100.7")
    session("bob", beta, "2001:db8::9")
    html = alice.get("/consoles/sessions/").content.decode()
    assert cells(html, "project") == [cloud.accounts["alice"].project]
    assert cells(html, "address") == ["198.51.100.7"]
    for who in ("helpdesk", "admin"):
        html = client_as(cloud, who).get("/consoles/sessions/").content.decode()
        assert cells(html, "project") == [cloud.accounts["bob"].project,
                                          cloud.accounts["alice"].project], who
        assert cells(html, "address") == ["2001:db8::9", "198.51.100.7"], who


def test_full_window_view_is_a_page_of_its_own(portal_settings, cloud, alice_server):
    html = client_as(cloud, "alice").get(
        f"/consoles/{alice_server.id}/?view=full").content.decode()
    assert 'class="console-full"' in html and 'class="sidebar"' not in html
    assert len(ws_paths(html)) == 1


def test_console_page_has_a_heading_and_leads_back_to_its_server(portal_settings, cloud,
                                                                 alice_server):
    from django.urls import reverse

    def heading_and_back(client, *query):
        html = client.get(f"/consoles/{alice_server.id}/{''.join(query)}").content.decode()
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        back = re.search(r'<a href="([^"]+)" data-testid="console-back">', html)
        return h1 and h1.group(1).strip(), back and back.group(1).replace("&amp;", "&")

    alice = client_as(cloud, "alice")
    title = f"Console · {alice_server.name}"
    detail = reverse("vms:detail", args=[alice_server.id])
    assert heading_and_back(alice) == (title, detail)
    assert heading_and_back(alice, "?view=full") == (title, detail)
    # Through the service account the server's page is not helpdesk's: back to the search.
    assert heading_and_back(client_as(cloud, "helpdesk")) == (
        title, f"/consoles/helpdesk/?q={alice_server.id}")
    # The server page's Console tab sits under the server page's own heading.
    tab = alice.get(f"/consoles/{alice_server.id}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<h1" not in tab and "console-back" not in tab
