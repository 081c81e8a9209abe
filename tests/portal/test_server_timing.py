"""What a page cost, in its Server-Timing header: `app` (server time), `cloud` (the wall
time of the cloud calls it waited for: the union of their spans, so calls gather() ran
concurrently count once) and `own` (the difference: the portal's own time)."""

import re

import pytest
from django.test import Client

from portal.middleware import CallCounter

pytestmark = pytest.mark.django_db


def test_concurrent_calls_count_once_in_the_wall_time():
    counter = CallCounter()
    counter.called(10.0, 10.030)          # 30 ms
    counter.called(10.010, 10.040)        # overlaps the first: 10 ms more
    counter.called(10.100, 10.105)        # apart: 5 ms
    counter.called(10.101, 10.102, answered=False)  # inside the last; no answer
    assert counter.value == 3
    assert counter.wall_ms() == pytest.approx(45.0)


def test_a_page_says_its_cloud_time_and_its_own(portal_settings, cloud):
    acct = cloud.accounts["alice"]
    client = Client()
    assert client.post("/login/", {"domain": acct.domain, "username": acct.username,
                                   "password": acct.password}).status_code == 302
    resp = client.get("/network/")
    assert resp.status_code == 200
    timing = {m[0]: float(m[1]) for m in re.findall(r"(\w+);dur=([\d.]+)",
                                                    resp["Server-Timing"])}
    assert set(timing) == {"app", "cloud", "own", "cpu"}
    assert 0 < timing["cpu"] <= timing["app"] + 0.11   # one thread's CPU: never above wall
    assert int(resp["X-Cloud-Calls"]) >= 1 and timing["cloud"] > 0
    assert timing["cloud"] <= timing["app"]
    assert timing["own"] == pytest.approx(timing["app"] - timing["cloud"], abs=0.11)
