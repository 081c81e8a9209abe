"""The shape the vms app is built in: writes end with an audit record and a live event
(portal.changes.announce), the follow-ups are retried by Celery and give up through one
failure handler, and no vms module imports one that imports it back."""

import ast
import re
from pathlib import Path

import pytest

from portal import events
from portal.models import AuditEvent
from vms import followups, poller, tasks, timeline
from vms.models import ServerState, TimelineEvent

pytestmark = pytest.mark.django_db
VMS = Path(__file__).resolve().parents[2] / "vms"


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(events, "publish",
                        lambda project, html, kind="update", audience=None:
                        sent.append((project, html)))
    return sent


@pytest.fixture
def state(db):
    return ServerState.objects.create(server_id="s-shape-1", project_id="p-shape",
                                      name="shape", status="ACTIVE")


def test_keypair_changes_are_audited_and_announced(as_, cloud, monkeypatch):
    sent = []
    monkeypatch.setattr(events, "publish_to_user", lambda user_id, by_audience,
                        kind="update": sent.append((user_id, by_audience)))
    alice = as_("alice")
    conn = cloud.connect("alice")
    try:
        assert alice.post("/servers/keypairs/", {"name": "vt-shape", "public_key": ""})\
            .status_code == 200
        page = alice.get("/servers/keypairs/").content.decode()
        assert alice.post("/servers/keypairs/vt-shape/delete/").status_code == 302
    finally:
        conn.compute.delete_keypair("vt-shape", ignore_missing=True)
    rows = list(AuditEvent.objects.filter(target="vt-shape").order_by("id"))
    assert [r.action for r in rows] == ["keypair.create", "keypair.delete"]
    assert {r.project_id for r in rows} == {conn.current_project_id}
    assert all(r.request_id.startswith("req-") for r in rows)
    # To the owner's pages in any project, one variant per role: Delete for members only.
    (owner, added), (_, removed) = sent[-2:]
    assert owner == conn.current_user_id and set(added) == {"reader", "member", "admin"}
    assert 'data-keypair="vt-shape"' in added["member"] and "delete-keypair" in added["member"]
    assert "delete-keypair" not in added["reader"]
    assert 'hx-swap-oob="delete"' in removed["member"]
    # The row lands in the owner's live list: the page lists it with the same owner value.
    owner_value = re.search(r'data-live-v-owner="(\w+)"', added["member"]).group(1)
    assert f'data-live-filter="[[&quot;owner&quot;, &quot;eq&quot;, &quot;{owner_value}&quot;]]"' \
        in page


def test_poller_returns_its_follow_ups_and_the_poll_task_enqueues_them(monkeypatch,
                                                                       eager_tasks):
    done = []
    monkeypatch.setattr(poller, "tick", lambda force=False: {
        "polled": True, "followups": [(poller.VERIFY_ADDRESSES_FREE, ("s-x",)),
                                      (poller.ATTACH_FLOATING_IP, ("s-y", "pool"))]})
    monkeypatch.setattr(followups, "addresses_free", lambda sid: done.append(("free", sid)))
    monkeypatch.setattr(followups, "attach_floating_ip",
                        lambda sid, pool: done.append(("fip", sid, pool)))
    assert tasks.poll(force=True) == {"polled": True, "followups": 2}
    assert done == [("free", "s-x"), ("fip", "s-y", "pool")]


def test_a_follow_up_is_retried_with_backoff_then_gives_up(monkeypatch, eager_tasks, state,
                                                           published):
    tries = []

    def not_yet(server_id):
        tries.append(server_id)
        raise followups.NotYet("no DHCP lease in the console log yet")

    countdowns = []
    retry = tasks.check_dhcp_lease.retry

    def counting_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return retry(*args, **kwargs)

    monkeypatch.setattr(followups, "dhcp_lease", not_yet)
    monkeypatch.setattr(tasks.check_dhcp_lease, "retry", counting_retry)
    tasks.check_dhcp_lease.delay(state.server_id)
    assert len(tries) == 1 + tasks.check_dhcp_lease.max_retries
    assert countdowns[:7] == [1, 2, 4, 8, 16, 32, 64]  # 1 s doubling, about two minutes
    step = TimelineEvent.objects.get(server_id=state.server_id, step="dhcp_lease")
    assert step.failed and step.detail == "no DHCP lease line appeared in the console log"
    assert any(f"timeline-{state.server_id}" in html for _, html in published)


def test_floating_ip_give_up_says_why_on_the_timeline(monkeypatch, eager_tasks, state,
                                                      published):
    from portal.errors import CloudRefused

    def refused(server_id, pool_id):
        raise CloudRefused("The pool has no free addresses.")

    monkeypatch.setattr(followups, "attach_floating_ip", refused)
    tasks.attach_floating_ip.delay(state.server_id, "pool-1")
    step = TimelineEvent.objects.get(server_id=state.server_id, step="floating_ip")
    assert step.failed
    assert step.detail == "could not attach: The pool has no free addresses."


def test_an_unexpected_error_is_not_a_give_up(monkeypatch, eager_tasks, state):
    tries = []

    def broken(server_id):
        tries.append(server_id)
        raise KeyError("a bug")

    monkeypatch.setattr(followups, "dhcp_lease", broken)
    tasks.check_dhcp_lease.delay(state.server_id)
    assert tries == [state.server_id]  # not retried
    assert not timeline.has(state.server_id, "dhcp_lease")


def _vms_imports() -> dict[str, set[str]]:
    mods = {p.stem: p for p in VMS.glob("*.py")}
    graph = {}
    for name, path in mods.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else \
                    {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vms"):
                rest = node.module.split(".")[1:]
                deps |= {rest[0]} if rest else {a.name for a in node.names}
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def test_no_vms_module_imports_one_that_imports_it_back():
    graph = _vms_imports()

    def reach(start):
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo += graph[m]
        return seen

    assert "poller" in graph["tasks"] and "tasks" not in reach("poller")
    assert [m for m in graph if m in reach(m)] == []
