"""The upload through the live web process (uvicorn + portal/streaming.py), as a browser
sends it: a PUT whose body is read as it arrives and streamed on into Glance; and one
whose sender goes away half way, which must leave no image record and say so."""

import hashlib
import os
import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.pages import text as page_text


def ticket(session, url, prefix, size) -> str:
    session.get(f"{url}/images/upload/")
    resp = session.post(f"{url}/images/upload/", data={
        "csrfmiddlewaretoken": session.cookies["csrftoken"], "name": f"{prefix}-live",
        "disk_format": "raw", "container_format": "bare", "visibility": "private",
        "min_disk": "0", "min_ram": "0", "file_size": str(size)},
        headers={"Accept": "application/json", "Referer": f"{url}/images/upload/"})
    assert resp.status_code == 200, resp.text
    return resp.json()["upload_url"]


def named(conn, name):
    return [i for i in conn.image.images(visibility="all") if i.name == name]


class Page:
    def __init__(self, resp):
        self.content = resp.content


def test_streamed_upload_through_the_web_process(live_portal, cloud, prefix):
    data = os.urandom(5 * 1024 * 1024 + 7)
    s = live_portal.login("alice", cloud)
    upload = ticket(s, live_portal.url, prefix, len(data))
    resp = s.put(live_portal.url + upload, data=data, headers={
        "Content-Type": "application/octet-stream", "Accept": "application/json",
        "X-CSRFToken": s.cookies["csrftoken"]}, timeout=120)
    assert resp.status_code == 200, resp.text
    image = cloud.connect("alice").image.get_image(resp.json()["image_id"])
    assert (image.status, image.size, image.checksum) == (
        "active", len(data), hashlib.md5(data).hexdigest())


def half_sent(live_portal, session, upload: str, size: int, sent: int) -> socket.socket:
    """A PUT announcing `size` bytes, of which `sent` go out, on a socket the test holds."""
    where = urlsplit(live_portal.url)
    cookies = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    sock = socket.create_connection((where.hostname, where.port))
    sock.sendall((f"PUT {upload} HTTP/1.1\r\nHost: {where.netloc}\r\n"
                  f"Cookie: {cookies}\r\nX-CSRFToken: {session.cookies['csrftoken']}\r\n"
                  "Content-Type: application/octet-stream\r\nAccept: application/json\r\n"
                  f"Content-Length: {size}\r\n\r\n").encode())
    chunk = b"\1" * 65536
    for _ in range(sent // len(chunk)):
        sock.sendall(chunk)
    return sock


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return result


def test_upload_broken_half_way_leaves_no_image_and_says_so(live_portal, cloud, prefix):
    size, sent = 8 * 1024 * 1024, 2 * 1024 * 1024
    s = live_portal.login("alice", cloud)
    upload = ticket(s, live_portal.url, prefix, size)
    conn = cloud.connect("alice")
    sock = half_sent(live_portal, s, upload, size, sent)
    # the record exists while the data streams in ...
    assert wait_for(lambda: named(conn, f"{prefix}-live")), "no image record was made"
    sock.close()                                    # ... and the browser goes away
    assert wait_for(lambda: not named(conn, f"{prefix}-live")), "the record was left"
    # the notice is kept a moment after the record goes (discard, then the view's notice)
    broke = f"The upload of “{prefix}-live” broke off after"

    def notice() -> str:
        said = page_text(Page(s.get(f"{live_portal.url}/images/")))
        return said if broke in said else ""

    said = wait_for(notice, timeout=10)
    assert broke in said
    assert "The half-made image was deleted; nothing is left." in said


@pytest.mark.parametrize("who", ["reader"])
def test_a_reader_is_refused_before_any_byte_is_read(live_portal, cloud, prefix, who):
    s = live_portal.login(who, cloud)
    resp = s.put(f"{live_portal.url}/images/upload/data/?ticket=x", data=b"x" * 1024,
                 headers={"Content-Type": "application/octet-stream",
                          "X-CSRFToken": s.cookies.get("csrftoken", "")})
    assert resp.status_code == 403
