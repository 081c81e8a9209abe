"""Helpers for the console tests: a server to look at, the WebSocket URL of a console page,
and what a web process logged."""

import contextlib
import html
import re
import uuid

from tests.conftest import CloudTarget, LivePortal

WS_PATH = re.compile(r'data-ws="(/ws/consoles/[^"/]+/)"')


@contextlib.contextmanager
def server(cloud: CloudTarget, who: str = "alice", name: str | None = None):
    """A server of `who`'s project, ACTIVE, on a network made for it; all deleted after."""
    conn = cloud.connect(who)
    name = name or f"console-test-{uuid.uuid4().hex[:6]}"
    net = conn.network.create_network(name=f"{name}-net")
    conn.network.create_subnet(network_id=net.id, cidr="10.66.0.0/24", ip_version=4,
                               name=f"{name}-subnet")
    try:
        flavor = conn.compute.find_flavor("m1.tiny") or next(iter(conn.compute.flavors()))
        image = conn.image.find_image("cirros") or next(iter(conn.image.images()))
        srv = conn.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id,
                                         networks=[{"uuid": net.id}])
        try:
            yield conn.compute.wait_for_server(srv, wait=60, interval=0.3)
        finally:
            conn.compute.delete_server(srv.id)
            conn.compute.wait_for_delete(srv, wait=60, interval=0.3)
    finally:
        conn.network.delete_network(net.id)


def ws_path(page_html: str) -> str:
    match = WS_PATH.search(page_html)
    assert match, "the console page carries no WebSocket URL"
    return html.unescape(match.group(1))


def ws_url(portal: LivePortal, path: str) -> str:
    return portal.url.replace("http://", "ws://") + path


def cookie_header(session) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}


def live_log(portal: LivePortal) -> str:
    """What the web process wrote (stdout and stderr go to one file)."""
    return portal.log_path.read_text(errors="replace")
