"""A list row is pushed over /ws/events/ to every open page of the project: each role
gets the row it may use (portal.events audiences), from vms.offered's table."""

from vms import fragments


def row(**state):
    return {"id": "a" * 32, "name": "web-1", "status": "ACTIVE", "vm_state": "active",
            "task_state": "", "locked": False, "launched": True, "fixed": [], "floating": [],
            "flavor": {"name": "m1.tiny"}, "image": "cirros", "created": None, **state}


def test_readers_rows_have_no_menu_members_and_admins_do():
    html = fragments.row(row())
    assert set(html) == {"reader", "member", "admin"}
    assert 'data-testid="row-menu"' not in html["reader"]
    assert 'name="server"' not in html["reader"]
    for who in ("member", "admin"):
        assert 'data-testid="row-menu"' in html[who] and 'form="bulk"' in html[who]
        assert f'formaction="/servers/{"a" * 32}/actions/reboot/"' in html[who]
        assert 'hx-swap-oob="true"' in html[who]
    # The disruptive ones ask first, in the row, posting the page's own form.
    assert 'data-testid="stop-confirmation"' in html["member"]
    assert "anything not saved to disk is lost" in html["member"]
    assert 'form="row-action" formaction="/servers/' in html["member"]
    assert 'data-testid="shelve_offload"' not in html["admin"]


def test_a_locked_row_offers_members_unlock_and_admins_everything():
    html = fragments.row(row(locked=True, locked_reason="maintenance"))
    assert 'data-testid="unlock"' in html["member"]
    assert 'data-testid="stop' not in html["member"]
    assert 'data-testid="delete' not in html["member"]
    assert 'data-testid="stop-confirmation"' in html["admin"]
    assert 'data-testid="delete-confirmation"' in html["admin"]


def test_a_shelved_row_offers_shelve_offload_to_admins_only():
    html = fragments.row(row(status="SHELVED", vm_state="shelved"))
    assert 'data-testid="shelve_offload"' in html["admin"]
    assert 'data-testid="shelve_offload"' not in html["member"]
    assert 'data-testid="unshelve"' in html["member"]


def test_one_render_for_audiences_offered_the_same():
    html = fragments.row(row())
    assert html["member"] is html["admin"]


def test_the_admins_row_links_its_name_only_for_its_own_projects_pages(portal_settings):
    """vms.admin_rows: rendered once with an admin's actions; the variant for every
    admin's pages has the name unlinked (its detail page is its own project's)."""
    from vms import admin_rows
    from vms.servers import Server

    server = Server({"id": "a" * 8 + "-1111-2222-3333-" + "b" * 12, "name": "w<1>&x",
                     "status": "ACTIVE", "OS-EXT-STS:vm_state": "active", "tenant_id": "p1",
                     "created": "2026-01-01T00:00:00Z", "addresses": {},
                     "flavor": {"original_name": "m1.tiny"}, "image": {"id": "i"},
                     "OS-EXT-SRV-ATTR:host": "compute-1",
                     "OS-SRV-USG:launched_at": "2026-01-01T00:00:09.000000"})
    anywhere, own = admin_rows.pushed(server, {"p1": "alpha"})
    link = f'<a href="/servers/{server.id}/">w&lt;1&gt;&amp;x</a>'
    assert link in own and link not in anywhere and "w&lt;1&gt;&amp;x<br>" in anywhere
    for html in (anywhere, own):
        assert 'data-live-row="admin-servers"' in html and "alpha" in html
        assert 'data-live-v-host="compute-1"' in html and 'data-live-v-project="p1"' in html
        assert f'data-testid="stop-{server.id}"' in html      # an admin's actions
