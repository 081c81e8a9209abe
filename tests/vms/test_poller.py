"""The poller against a devcloud of its own (so nothing else calls it while we count):
one Nova list call per tick whatever the number building, never two polls at once,
catch-up after missed ticks and after a poll that died half-way, fast/slow ticks."""

import threading
import time

import openstack
import pytest
from openstack.config import loader

from devcloud import testing
from vms import poller, pollstate
from vms.models import ServerState, TimelineEvent

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.devcloud_only(reason="counts the calls devcloud receives")]


def connect(running, cloud_name: str):
    config = loader.OpenStackConfig(config_files=[str(running.clouds_yaml)])
    return openstack.connection.Connection(config=config.get_one(cloud=cloud_name),
                                           strict_proxies=False)


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A devcloud for this module only; servers take 4 s to build."""
    with testing.running(tmp_path_factory.mktemp("pollcloud") / "state",
                         "--build-delay", "4") as running:
        demo = connect(running, "devcloud-demo")
        admin = connect(running, "devcloud-admin")
        admin.set_compute_quotas(demo.current_project_id, instances=40, cores=40, ram=40960)
        yield {"devcloud": running, "service": connect(running, "devcloud-portal"),
               "demo": demo, "network": demo.network.find_network("private").id,
               "image": demo.image.find_image("cirros").id}


@pytest.fixture
def fresh(own, eager_tasks, settings):
    pollstate.reset()
    own["devcloud"].admin_api("DELETE", "faults")
    yield own
    pollstate.reset()
    demo = own["demo"]
    for s in list(demo.compute.servers()):
        demo.compute.delete_server(s)
    deadline = time.monotonic() + 30
    while list(demo.compute.servers()) and time.monotonic() < deadline:
        time.sleep(0.3)


def boot(own, count: int, name="p"):
    if count:
        own["demo"].compute.create_server(
            name=name, flavor_id="1", image_id=own["image"],
            networks=[{"uuid": own["network"]}], min_count=count, max_count=count)


def calls(own, since: float) -> list[dict]:
    return own["devcloud"].admin_api("GET", f"stats?since={since}")["calls"]


def list_calls(found) -> list[dict]:
    return [c for c in found if c["method"] == "GET" and c["path"].endswith("/servers/detail")]


@pytest.mark.parametrize("building", [0, 10, 30])
def test_one_nova_list_call_per_tick_whatever_the_number_building(fresh, building):
    own = fresh
    poller.poll(own["service"])  # the first poll is the full baseline; then changes-since
    # Builds outlast the ticks however slow the machine (a loaded run's ticks took > 4 s).
    own["devcloud"].admin_api("POST", "config", {"build_delay": 120})
    try:
        boot(own, building)
        started = time.time()
        ticks = 4
        for _ in range(ticks):
            poller.poll(own["service"])
            time.sleep(0.3)
    finally:
        own["devcloud"].admin_api("POST", "config", {"build_delay": 4})
    made = calls(own, started)
    nova = [c for c in made if c["service"] == "compute"]
    assert len(list_calls(made)) == ticks
    assert nova == list_calls(made)  # nothing else of Nova: no per-server GETs
    assert all("changes-since=" in c["query"] and "all_tenants=1" in c["query"]
               for c in list_calls(made)), [c["query"] for c in list_calls(made)]
    ports = [c for c in made if c["path"].endswith("/ports")]
    assert len(ports) <= ticks  # one batched ports query per tick, only when changes
    if building:
        assert ports and ports[0]["query"].count("device_id=") >= building
    assert ServerState.objects.filter(status="BUILD").count() == building


def test_no_two_polls_at_once(fresh):
    own = fresh
    boot(own, 2)
    # Nova slow to answer: the first poll holds the lock while the second tick arrives.
    own["devcloud"].admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                                 "path": "/servers/detail$",
                                                 "latency_ms": 800})
    started = time.time()
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        poller.tick(force=True, conn=own["service"]))) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert sorted(r["polled"] for r in results) == [False, True]
    assert [r["reason"] for r in results if not r["polled"]] == ["another poll is running"]
    assert len(list_calls(calls(own, started))) == 1
    # And a poll that finished lets the next one run.
    own["devcloud"].admin_api("DELETE", "faults")
    assert poller.tick(force=True, conn=own["service"])["polled"]


def test_a_kick_while_a_poll_runs_polls_again_at_once(fresh):
    """A notification (or the portal's own action) while a poll runs: the task it sends
    finds the lock held, so the running poll lists once more before it lets go, rather
    than leaving the change to beat's next second."""
    own = fresh
    own["devcloud"].admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                                 "path": "/servers/detail$",
                                                 "latency_ms": 600})
    started = time.time()
    assert poller.tick(force=True, conn=own["service"])["polled"]
    assert len(list_calls(calls(own, started))) == 1            # no kick: one list
    started = time.time()
    kicker = threading.Timer(0.2, pollstate.kick)                # mid-poll
    kicker.start()
    assert poller.tick(force=True, conn=own["service"])["polled"]
    kicker.join()
    assert len(list_calls(calls(own, started))) == 2


def test_catch_up_after_missed_ticks(fresh):
    own = fresh
    poller.poll(own["service"])
    boot(own, 1, name="missed")
    server = next(iter(own["demo"].compute.servers(name="^missed$")))
    own["demo"].compute.wait_for_server(server, wait=30)  # no tick while it booted
    result = poller.poll(own["service"])
    # The follow-ups come back as data, for vms.tasks.poll to enqueue.
    assert (poller.CHECK_DHCP_LEASE, (server.id,)) in result["followups"]
    steps = set(TimelineEvent.objects.filter(server_id=server.id)
                .values_list("step", flat=True))
    assert {"building", "port_created", "active"} <= steps
    assert ServerState.objects.get(server_id=server.id).status == "ACTIVE"


def test_catch_up_after_a_poll_died_half_way(fresh, monkeypatch):
    own = fresh
    poller.poll(own["service"])
    since_before = pollstate.since()
    boot(own, 1, name="killed")
    server = next(iter(own["demo"].compute.servers(name="^killed$")))
    own["demo"].compute.wait_for_server(server, wait=30)
    time.sleep(1.1)  # past the second the cursor points at

    def killed(*args, **kwargs):
        raise SystemExit("worker killed mid-poll")

    monkeypatch.setattr(poller, "_apply", killed)
    with pytest.raises(SystemExit):
        poller.poll(own["service"])
    assert pollstate.since() == since_before  # the cursor did not move
    monkeypatch.undo()
    poller.poll(own["service"])
    assert ServerState.objects.get(server_id=server.id).status == "ACTIVE"


def test_fast_while_building_slow_when_settled(fresh, monkeypatch):
    own = fresh
    boot(own, 1, name="pace")
    poller.poll(own["service"])
    assert pollstate.next_at() - time.time() <= pollstate.FAST
    server = next(iter(own["demo"].compute.servers(name="^pace$")))
    own["demo"].compute.wait_for_server(server, wait=30)
    started = time.time()
    poller.poll(own["service"])
    # Settled: due again after the quiet interval (1 s by default: a change made with the
    # CLI must reach the pages within 2 s), counted from when the poll started.
    assert pollstate.next_at() == pytest.approx(started + pollstate.SLOW
                                                - pollstate.BEAT_SLACK, abs=0.5)
    # Not due (a longer quiet interval, as an operator may set): a beat tick does nothing
    # and costs nothing.
    monkeypatch.setattr(pollstate, "SLOW", 30.0)
    poller.poll(own["service"])
    started = time.time()
    assert poller.tick(conn=own["service"]) == {"polled": False, "reason": "not due"}
    assert list_calls(calls(own, started)) == []


def test_nova_down_backs_off_and_says_stale(fresh):
    own = fresh
    poller.poll(own["service"])
    assert pollstate.staleness() is None
    own["devcloud"].admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                                 "path": "/servers/detail$", "status": 503,
                                                 "message": "Service Unavailable"})
    first = poller.poll(own["service"])
    assert not first["polled"]
    wait1 = pollstate.next_at() - time.time()
    poller.poll(own["service"])
    wait2 = pollstate.next_at() - time.time()
    assert 1 < wait1 < wait2 <= pollstate.MAX_BACKOFF
    stale = pollstate.staleness()
    assert stale["nova_down"] and stale["last_good"] is not None
    own["devcloud"].admin_api("DELETE", "faults")
    assert poller.poll(own["service"])["polled"]
    assert pollstate.staleness() is None


def test_a_slow_nova_times_out_and_says_stale(fresh, settings, monkeypatch):
    """The poller's own connection (service_connection, as the worker makes it) gives up
    after PORTAL_CLOUD_TIMEOUT, counts a failed poll and tells the pages."""
    from portal.cloud import reset_service_connection

    own = fresh
    settings.OS_CLIENT_CONFIG_FILE = str(own["devcloud"].clouds_yaml)
    settings.OS_CLOUD = "devcloud-portal"
    settings.CLOUD_TIMEOUT = 1.0
    reset_service_connection()
    boot(own, 1, name="slow")
    sent = []
    monkeypatch.setattr(poller, "publish", lambda project, html, audience=None: sent.append(html))
    try:
        assert poller.tick(force=True)["polled"]
        assert pollstate.staleness() is None
        own["devcloud"].admin_api("POST", "faults", {"service": "compute", "method": "GET",
                                                     "path": "/servers/detail$",
                                                     "latency_ms": 6000})
        started = time.monotonic()
        result = poller.tick(force=True)
        took = time.monotonic() - started
    finally:
        own["devcloud"].admin_api("DELETE", "faults")
        reset_service_connection()
    assert not result["polled"] and "did not answer" in result["reason"]
    assert took < 5, f"the poll waited {took:.1f} s for a 6 s answer (timeout 1 s)"
    assert pollstate.staleness()["nova_down"]
    assert any('data-testid="stale"' in html for html in sent)
