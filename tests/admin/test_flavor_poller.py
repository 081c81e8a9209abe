"""The admins' flavors list is live (vms.flavor_poller): a flavor made, changed (its
access list, through the portal) and deleted outside the page is pushed to the admins'
open pages as the page's own row, in the page's order, and removed when it goes. One
Nova list a poll; a first poll only records."""

import re

import pytest

from vms import flavor_poller
from vms.flavor_rows import key

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(portal_settings, monkeypatch):
    flavor_poller.reset()
    sent = []
    monkeypatch.setattr(flavor_poller, "publish_to_admins",
                        lambda html, kind: sent.append(html))
    yield sent
    flavor_poller.reset()


def page_row(admin, flavor_id: str) -> str:
    html = admin.get("/servers/admin/flavors/").content.decode()
    return re.search(rf'<tr id="flavor-{flavor_id}".*?</tr>', html, re.S).group(0)


def shown(html: str) -> str:
    """A row as the page shows it (without what only a pushed row carries)."""
    html = html.replace("<template>", "").replace("</template>", "")
    html = html.replace(' hx-swap-oob="true"', "")
    return re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", html)


def test_a_flavor_made_changed_and_deleted_outside_is_pushed(pushed, as_, admin_conn,
                                                             cloud, prefix):
    assert flavor_poller.tick(force=True)["changed"] == 0  # the first poll records
    flavor = admin_conn.compute.create_flavor(name=f"{prefix}-f", id=prefix, vcpus=3,
                                              ram=384, disk=2, is_public=False)
    result = flavor_poller.tick(force=True)
    assert (result["changed"], result["gone"]) == (1, 0)
    row = re.search(rf'<tr id="flavor-{prefix}".*?</tr>', "".join(pushed), re.S).group(0)
    admin = as_("admin")
    assert shown(row) == shown(page_row(admin, prefix))  # what reloading would show
    assert f'data-live-key="{key({"vcpus": 3, "ram": 384, "disk": 2, "name": f"{prefix}-f", "id": prefix})}"' in row  # noqa: E501
    assert "none yet" in row

    pushed.clear()
    assert flavor_poller.tick(force=True)["changed"] == 0 and not pushed  # nothing new

    alpha = admin_conn.identity.get_project(cloud.connect("alice").current_project_id)
    given = admin.post(f"/servers/admin/flavors/{prefix}/", {"project": alpha.name})
    assert given.status_code == 302
    # the portal's change kicked the poll for that flavor: its row again, with the project
    assert flavor_poller.tick()["changed"] == 1
    assert re.search(rf'data-testid="access">\s*{re.escape(alpha.name)}\s*<', pushed[-1])

    pushed.clear()
    admin_conn.compute.delete_flavor(flavor)
    assert flavor_poller.tick(force=True)["gone"] == 1
    assert f'id="flavor-{prefix}" hx-swap-oob="delete"' in "".join(pushed)


def test_the_poll_waits_its_interval(pushed, admin_conn):
    flavor_poller.tick(force=True)
    assert flavor_poller.tick() == {"polled": False, "reason": "not due"}
    flavor_poller.kick()
    assert flavor_poller.tick()["polled"]


def test_a_kick_while_a_poll_runs_polls_again_at_the_next_beat(pushed, admin_conn,
                                                              monkeypatch):
    """The portal's change lands while a poll is listing: that poll may list it too late,
    so the kick is kept and the next beat polls again (not INTERVAL later)."""
    from vms import flavors

    flavor_poller.tick(force=True)
    listed = flavors.listed

    def kicked_while_listing(conn):
        flavor_poller.kick("some-flavor")
        return listed(conn)

    monkeypatch.setattr(flavors, "listed", kicked_while_listing)
    assert flavor_poller.tick(force=True)["polled"]
    monkeypatch.setattr(flavors, "listed", listed)
    assert flavor_poller.tick()["polled"]  # due at once, not INTERVAL later
