"""devcloud's Glance against what the real Glance 33 (2026.2) answered for the same calls:
image data (upload chunked or sized, status while saving, hashes, download, format
inspection, a broken or refused upload), visibility changes, delete, and the list's
visibility/owner filters and next links. The expected words are the real Glance's."""

import hashlib
import socket
import struct
import threading
import time

import pytest

from .nova import Client

OCTETS = {"Content-Type": "application/octet-stream"}
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}


@pytest.fixture
def made(nova_demo):
    """Images the test creates (as demo unless named), deleted afterwards."""
    ids = []

    def make(name="t-data", client=None, **body):
        client = client or nova_demo
        resp = client.call("POST", "/image/v2/images", {
            "name": name, "disk_format": "raw", "container_format": "bare", **body})
        assert resp.status_code == 201, resp.text
        ids.append((client, resp.json()["id"]))
        return resp.json()["id"]

    yield make
    for client, image_id in ids:
        client.call("DELETE", f"/image/v2/images/{image_id}")


def glance_text(resp) -> str:
    """The explanation line of webob's HTML error page."""
    return resp.text.split("</h1>")[1].split("<br />")[0].strip()


def image(client, image_id) -> dict:
    return client.call("GET", f"/image/v2/images/{image_id}").json()


def test_chunked_upload_saves_then_activates_with_hashes(nova_demo, made):
    image_id = made()
    go_on, sent = threading.Event(), threading.Event()
    parts = [b"a" * 65536, b"b" * 1000]

    def body():
        yield parts[0]
        sent.set()
        go_on.wait(10)
        yield parts[1]

    answer = {}
    upload = threading.Thread(target=lambda: answer.setdefault("r", nova_demo.call(
        "PUT", f"/image/v2/images/{image_id}/file", data=body(), headers=OCTETS)))
    upload.start()
    assert sent.wait(10)
    deadline = time.monotonic() + 10
    while image(nova_demo, image_id)["status"] != "saving" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert image(nova_demo, image_id)["status"] == "saving"
    go_on.set()
    upload.join(10)
    assert answer["r"].status_code == 204
    data = b"".join(parts)
    shown = image(nova_demo, image_id)
    assert (shown["status"], shown["size"], shown["virtual_size"]) == ("active", len(data),
                                                                      len(data))
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert (shown["os_hash_algo"], shown["os_hash_value"]) == (
        "sha512", hashlib.sha512(data).hexdigest())
    got = nova_demo.call("GET", f"/image/v2/images/{image_id}/file")
    assert got.status_code == 200 and got.content == data
    assert got.headers["Content-MD5"] == shown["checksum"]
    assert got.headers["Content-Type"] == "application/octet-stream"
    again = nova_demo.call("PUT", f"/image/v2/images/{image_id}/file", data=b"x",
                           headers=OCTETS)
    assert again.status_code == 409
    assert glance_text(again) == "Image status transition from active to saving is not allowed"


def test_queued_image_has_no_data_and_empty_upload_is_an_empty_image(nova_demo, made):
    image_id = made()
    assert nova_demo.call("GET", f"/image/v2/images/{image_id}/file").status_code == 204
    assert nova_demo.call("PUT", f"/image/v2/images/{image_id}/file", data=b"",
                          headers=OCTETS).status_code == 204
    assert (image(nova_demo, image_id)["status"], image(nova_demo, image_id)["size"]) == (
        "active", 0)


@pytest.mark.parametrize(("sent", "said"), [
    (100, "Size exceeds: expected 50 bytes, got 100 bytes"),
    (20, "Size mismatch: expected 50 bytes, got 20 bytes")])
def test_size_header_holds_the_upload_to_its_size(nova_demo, made, sent, said):
    image_id = made()
    resp = nova_demo.call("PUT", f"/image/v2/images/{image_id}/file", data=b"x" * sent,
                          headers={**OCTETS, "X-OpenStack-Image-Size": "50"})
    assert resp.status_code == 400 and glance_text(resp) == said
    assert image(nova_demo, image_id)["status"] == "queued"


def qcow2_header(virtual: int) -> bytes:
    return b"QFI\xfb" + struct.pack(">I", 3) + b"\0" * 16 + struct.pack(">Q", virtual) \
        + b"\0" * 480


def test_inspected_formats_must_match_their_data(nova_demo, made):
    wrong = made(disk_format="qcow2")
    resp = nova_demo.call("PUT", f"/image/v2/images/{wrong}/file", data=b"\0" * 100,
                          headers=OCTETS)
    assert resp.status_code == 415
    assert "The request media type application/octet-stream is not supported" in resp.text
    assert "Image disk_format qcow2 does not match stream data raw" in resp.text
    assert image(nova_demo, wrong)["status"] == "queued"
    right = made(disk_format="qcow2")
    assert nova_demo.call("PUT", f"/image/v2/images/{right}/file",
                          data=qcow2_header(64 << 20), headers=OCTETS).status_code == 204
    assert image(nova_demo, right)["virtual_size"] == 64 << 20
    json_type = nova_demo.call("PUT", f"/image/v2/images/{made()}/file", data=b"x",
                               headers={"Content-Type": "application/json"})
    assert json_type.status_code == 415 and "Invalid content type application/json" in \
        json_type.text


def raw_put(devcloud, token, image_id) -> socket.socket:
    """An upload whose first 64 KiB are sent, on a socket the test holds."""
    sock = socket.create_connection((devcloud.host, devcloud.port))
    sock.sendall(f"PUT /image/v2/images/{image_id}/file HTTP/1.1\r\nHost: x\r\n"
                 f"X-Auth-Token: {token}\r\nContent-Type: application/octet-stream\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n".encode())
    sock.sendall(b"10000\r\n" + b"z" * 65536 + b"\r\n")
    return sock


def wait_status(client, image_id, status, timeout=10):
    deadline = time.monotonic() + timeout
    while (image(client, image_id).get("status") != status
           and time.monotonic() < deadline):
        time.sleep(0.05)
    return image(client, image_id).get("status")


def test_upload_broken_half_way_leaves_the_image_queued(nova_demo, made, devcloud):
    image_id = made()
    sock = raw_put(devcloud, nova_demo.token, image_id)
    assert wait_status(nova_demo, image_id, "saving") == "saving"
    sock.close()
    assert wait_status(nova_demo, image_id, "queued") == "queued"
    assert image(nova_demo, image_id)["size"] is None
    assert nova_demo.call("GET", f"/image/v2/images/{image_id}/file").status_code == 204


def test_image_deleted_while_saving_answers_the_upload_410(nova_demo, made, devcloud):
    image_id = made()
    sock = raw_put(devcloud, nova_demo.token, image_id)
    assert wait_status(nova_demo, image_id, "saving") == "saving"
    assert nova_demo.call("DELETE", f"/image/v2/images/{image_id}").status_code == 204
    sock.sendall(b"0\r\n\r\n")
    sock.settimeout(10)
    answer = sock.recv(4096).decode()
    sock.close()
    assert answer.startswith("HTTP/1.1 410")
    assert "text/plain" in answer
    assert (f"Image {image_id} could not be found after upload. The image may have been "
            "deleted during the upload, cleaning up the chunks uploaded.") in answer
    assert nova_demo.call("GET", f"/image/v2/images/{image_id}").status_code == 404


def visibility(client, image_id, value):
    return client.call("PATCH", f"/image/v2/images/{image_id}",
                       [{"op": "replace", "path": "/visibility", "value": value}],
                       headers=PATCH)


def test_visibility_changes_as_glance_allows_them(nova_demo, nova_admin, made):
    image_id = made()
    for value in ("private", "community", "shared"):
        resp = visibility(nova_demo, image_id, value)
        assert resp.status_code == 200 and resp.json()["visibility"] == value
    public = visibility(nova_demo, image_id, "public")
    assert public.status_code == 403
    assert glance_text(public) == "You are not authorized to complete publicize_image action."
    bogus = visibility(nova_demo, image_id, "bogus")
    assert bogus.status_code == 400
    assert glance_text(bogus).startswith(
        "Provided object does not match schema &#x27;image&#x27;: &#x27;bogus&#x27; is not "
        "one of [&#x27;community&#x27;, &#x27;public&#x27;, &#x27;private&#x27;, "
        "&#x27;shared&#x27;]")
    assert visibility(nova_admin, image_id, "public").json()["visibility"] == "public"


def test_other_projects_images_refused_in_glance_words(nova_demo, made, devcloud):
    bob = Client(devcloud, "bob")
    private = made(visibility="private")
    for method, path, said in [
            ("PATCH", "", f"No image found with ID {private}"),
            ("DELETE", "", f"Failed to find image {private} to delete"),
            ("PUT", "/file", f"No image found with ID {private}"),
            ("GET", "/file", f"No image found with ID {private}")]:
        resp = bob.call(method, f"/image/v2/images/{private}{path}", headers={
            **(PATCH if method == "PATCH" else OCTETS)}, data=b"[]")
        assert resp.status_code == 404 and glance_text(resp) == said, (method, path)
    community = made(visibility="community")
    for method, path, action in [("PATCH", "", "modify_image"),
                                 ("DELETE", "", "delete_image"),
                                 ("PUT", "/file", "upload_image")]:
        resp = bob.call(method, f"/image/v2/images/{community}{path}", headers={
            **(PATCH if method == "PATCH" else OCTETS)}, data=b"[]")
        assert resp.status_code == 403, (method, resp.text)
        assert glance_text(resp) == f"You are not authorized to complete {action} action."


def listed(client, query="") -> set[str]:
    resp = client.call("GET", f"/image/v2/images?limit=1000&{query}")
    assert resp.status_code == 200, resp.text
    return {i["id"] for i in resp.json()["images"]}


def test_list_filters_by_visibility_and_owner(nova_demo, nova_admin, made, devcloud):
    bob = Client(devcloud, "bob")
    mine = {v: made(visibility=v) for v in ("private", "shared", "community")}
    theirs = made(client=bob, visibility="community")
    default = listed(nova_demo)
    assert set(mine.values()) <= default and theirs not in default   # own community listed
    assert {theirs, *mine.values()} <= listed(nova_demo, "visibility=all")
    assert listed(nova_demo, "visibility=community") >= {theirs, mine["community"]}
    assert mine["private"] in listed(nova_demo, "visibility=private")
    assert listed(nova_demo, "visibility=shared") & set(mine.values()) == {mine["shared"]}
    assert theirs not in listed(nova_demo, f"owner={nova_demo.project_id()}&visibility=all")
    admin_default = listed(nova_admin)
    assert {mine["private"], mine["shared"]} <= admin_default
    assert mine["community"] not in admin_default and theirs not in admin_default
    bad = nova_demo.call("GET", "/image/v2/images?visibility=bogus")
    assert bad.status_code == 400 and glance_text(bad) == "Invalid visibility value: bogus"


def test_next_link_whenever_the_page_is_full(nova_demo, made):
    made(), made()
    owner = nova_demo.project_id()
    full = nova_demo.call("GET", f"/image/v2/images?owner={owner}&limit=2").json()
    assert len(full["images"]) == 2 and "marker=" in full["next"]
    everything = nova_demo.call("GET", f"/image/v2/images?owner={owner}&limit=1000").json()
    assert "next" not in everything


@pytest.mark.parametrize(("accept", "ctype", "body"), [
    (None, "text/html", "No image found with ID {id}<br /><br />"),
    ("application/json", "application/json",
     '{"message": "No image found with ID {id}<br /><br />\\n\\n\\n", "code": "404 Not Found", '
     '"title": "Not Found"}'),
    ("", "text/plain", "404 Not Found\n\nNo image found with ID {id}\n\n   "),
])
def test_errors_in_the_form_accept_asks_for(nova_demo, accept, ctype, body):
    """webob's negotiation, as Glance 33 answers: openstacksdk's upload sends Accept ""."""
    missing = "11111111-2222-3333-4444-555555555555"
    headers = {} if accept is None else {"Accept": accept}
    resp = nova_demo.call("GET", f"/image/v2/images/{missing}", headers=headers)
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith(ctype)
    expected = body.replace("{id}", missing)
    assert expected in resp.text if ctype == "text/html" else resp.text == expected


def test_upload_refusal_in_plain_text_for_an_empty_accept(nova_demo, made):
    resp = nova_demo.call("PUT", f"/image/v2/images/{made(disk_format='qcow2')}/file",
                          data=b"\0" * 100, headers={**OCTETS, "Accept": ""})
    assert resp.status_code == 415 and resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text == ("415 Unsupported Media Type\n\nThe request media type "
                         "application/octet-stream is not supported by this server. \n\n "
                         "Image disk_format qcow2 does not match stream data raw")


def test_roles_as_glance_default_policy_has_them(nova_demo, made, devcloud):
    """A reader reads but changes nothing (not even a download: download_image needs
    member); a token with no reader role in its project (helpdesk's) lists nothing."""
    reader, helpdesk = Client(devcloud, "reader"), Client(devcloud, "helpdesk")
    image_id = made()
    assert nova_demo.call("PUT", f"/image/v2/images/{image_id}/file", data=b"x" * 10,
                          headers=OCTETS).status_code == 204
    assert image_id in listed(reader)
    assert reader.call("GET", f"/image/v2/images/{image_id}").status_code == 200
    for method, path, body, action in [
            ("POST", "", {"name": "x", "disk_format": "raw", "container_format": "bare"},
             "add_image"),
            ("PATCH", f"/{image_id}", None, "modify_image"),
            ("DELETE", f"/{image_id}", None, "delete_image"),
            ("GET", f"/{image_id}/file", None, "download_image")]:
        resp = reader.call(method, f"/image/v2/images{path}", body,
                           **({"headers": PATCH, "data": b"[]"} if method == "PATCH" else {}))
        assert resp.status_code == 403, (method, path, resp.text)
        assert glance_text(resp) == f"You are not authorized to complete {action} action."
    refused = helpdesk.call("GET", "/image/v2/images")
    assert refused.status_code == 403
    assert glance_text(refused) == "You are not authorized to complete get_images action."
    cirros = nova_demo.cirros()
    assert helpdesk.call("GET", f"/image/v2/images/{cirros}").status_code == 404
