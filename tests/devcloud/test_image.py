"""Glance v2 in devcloud: the seeded cirros image, listing, paging, create/upload/delete."""

import hashlib

import openstack

from .nova import Client


def test_versions_are_multiple_choices_at_the_root_and_200_at_versions(nova_demo):
    resp = nova_demo.call("GET", "/image/")
    assert resp.status_code == 300
    current = [v for v in resp.json()["versions"] if v["status"] == "CURRENT"]
    assert current[0]["links"][0]["href"].endswith("/image/v2/")
    # the real Glance 33 answers /versions with 200 and the same body, in this order
    asked = nova_demo.call("GET", "/image/versions")
    assert asked.status_code == 200 and asked.json() == resp.json()
    ids = [v["id"] for v in asked.json()["versions"]]
    assert ids == ["v2.15", "v2.13", "v2.12", "v2.11", "v2.10", "v2.9", "v2.8", "v2.17",
                   "v2.7", "v2.6", "v2.5", "v2.4", "v2.3", "v2.2", "v2.1", "v2.0"]
    assert [v["id"] for v in asked.json()["versions"] if v["status"] == "CURRENT"] == ["v2.17"]


def test_cirros_is_public_and_active(nova_demo):
    body = nova_demo.call("GET", "/image/v2/images?name=cirros").json()
    assert body["schema"] == "/v2/schemas/images"
    (image,) = body["images"]
    assert (image["disk_format"], image["container_format"]) == ("qcow2", "bare")
    assert (image["visibility"], image["status"]) == ("public", "active")
    assert image["os_hash_algo"] == "sha512" and len(image["os_hash_value"]) == 128
    assert len(image["checksum"]) == 32 and image["size"] > 0
    assert image["self"] == f"/v2/images/{image['id']}"
    shown = nova_demo.call("GET", f"/image/v2/images/{image['id']}").json()
    assert shown == image


def test_missing_image_is_glance_html_404(nova_demo):
    resp = nova_demo.call("GET", "/image/v2/images/11111111-1111-1111-1111-111111111111")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "No image found with ID 11111111-1111-1111-1111-111111111111" in resp.text


def test_create_upload_page_and_delete(nova_demo):
    ids = []
    for n in range(2):
        resp = nova_demo.call("POST", "/image/v2/images", {
            "name": f"mine-{n}", "disk_format": "raw", "container_format": "bare"})
        assert resp.status_code == 201
        assert resp.json()["status"] == "queued" and resp.json()["visibility"] == "shared"
        ids.append(resp.json()["id"])
    data = b"x" * 4096
    up = nova_demo.call("PUT", f"/image/v2/images/{ids[0]}/file", data=data,
                        headers={"Content-Type": "application/octet-stream"})
    assert up.status_code == 204
    image = nova_demo.call("GET", f"/image/v2/images/{ids[0]}").json()
    assert image["status"] == "active" and image["size"] == 4096
    assert image["checksum"] == hashlib.md5(data).hexdigest()
    first = nova_demo.call("GET", "/image/v2/images?limit=1").json()
    assert len(first["images"]) == 1 and "marker=" in first["next"]
    seen = [first["images"][0]["id"]]
    page = first
    while "next" in page:
        page = nova_demo.call("GET", "/image" + page["next"]).json()
        seen += [i["id"] for i in page["images"]]
    assert set(ids) <= set(seen) and len(seen) == len(set(seen))
    bob = Client(nova_demo.devcloud, "bob")
    assert bob.call("GET", f"/image/v2/images/{ids[1]}").status_code == 404
    for image_id in ids:
        assert nova_demo.call("DELETE", f"/image/v2/images/{image_id}").status_code == 204


def test_sdk_finds_cirros(clouds_env):
    conn = openstack.connect(cloud="devcloud-alice")
    image = conn.image.find_image("cirros")
    assert image.disk_format == "qcow2" and image.visibility == "public"


def test_deactivate_and_reactivate_are_admins_and_only_from_active(nova_demo):
    """Glance's image actions (v2.3): 204, admin-only by default policy; a queued image
    is refused in Glance's words; a deactivated image's data is refused to non-admins."""
    made = nova_demo.call("POST", "/image/v2/images", {
        "name": "deact", "disk_format": "raw", "container_format": "bare"}).json()
    path = f"/image/v2/images/{made['id']}"
    admin = Client(nova_demo.devcloud, "admin")
    try:
        queued = admin.call("POST", f"{path}/actions/deactivate")
        assert queued.status_code == 403
        assert "Not allowed to deactivate image in status 'queued'" in queued.text
        nova_demo.call("PUT", f"{path}/file", data=b"x" * 64,
                       headers={"Content-Type": "application/octet-stream"})
        refused = nova_demo.call("POST", f"{path}/actions/deactivate")
        assert refused.status_code == 403
        assert "You are not authorized to complete deactivate action." in refused.text
        assert admin.call("POST", f"{path}/actions/deactivate").status_code == 204
        assert admin.call("POST", f"{path}/actions/deactivate").status_code == 204  # no-op
        assert nova_demo.call("GET", path).json()["status"] == "deactivated"
        download = nova_demo.call("GET", f"{path}/file")
        assert download.status_code == 403 and "has been deactivated" in download.text
        assert admin.call("POST", f"{path}/actions/reactivate").status_code == 204
        assert nova_demo.call("GET", path).json()["status"] == "active"
        assert admin.call("POST", f"{path}/actions/undo").status_code == 404
    finally:
        nova_demo.call("DELETE", path)
