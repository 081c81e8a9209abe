"""What the web process logs: each line once, under DEBUG too."""

import uuid

import pytest
import requests

from tests.conftest import run_portal
from tests.consoles import live


@pytest.mark.parametrize("debug", ["0", "1"])
def test_each_log_line_appears_once(cloud, tmp_path, debug):
    path = f"/no-such-page-{uuid.uuid4().hex[:8]}/"
    with run_portal(cloud, tmp_path, DEBUG=debug) as portal:
        assert requests.get(portal.url + path, timeout=10).status_code == 404
    # Django's request logger ("Not Found") and uvicorn's access log.
    log = live.live_log(portal)
    assert log.count(f"Not Found: {path}") == 1, log
    assert log.count(f'"GET {path} HTTP/1.1" 404') == 1, log
