"""Day-2 server actions whose answers devcloud must give as the real Nova 2026.2 does.

`run(admin, demo)` plays one scenario with two openstacksdk connections: a server booted on
a network of its own, then every day-2 action and its refusals (pause ... snapshot, security
groups, interfaces), recording per step the status code, the body and the
(status, vm_state, task_state, power_state) states the server passed through.
`record.py day2` plays it on the real cloud into day2_real.json; test_day2_parity.py plays it
on devcloud and compares. Ids, times, addresses, host names and passwords are normalised
away; a server view is reduced to its keys and the fields that say what happened.
Everything the scenario makes is deleted at the end.
"""

import json
import re
import threading
import time
import uuid
from pathlib import Path

from keystoneauth1.exceptions import ConnectFailure

RECORDED = Path(__file__).with_name("day2_real.json")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")
SERVER_FIELDS = ("status", "OS-EXT-STS:vm_state", "OS-EXT-STS:task_state",
                 "OS-EXT-STS:power_state", "locked", "locked_reason", "name", "key_name",
                 "OS-EXT-AZ:availability_zone", "progress", "flavor", "fault")
IMAGE_FIELDS = ("name", "status", "visibility", "disk_format", "container_format", "size",
                "min_disk", "min_ram", "image_type", "k")


def _text(value) -> str:
    s = json.dumps(value, sort_keys=True)
    s = re.sub(r"req-(?:" + UUID.pattern + ")", "<req>", s)
    s = re.sub(r"\b[0-9a-f]{56}\b", "<hostid>", s)
    s = re.sub(r'"(host-ovs-no_filter|devcloud)"', '"<host>"', s)
    s = UUID.sub("<id>", s)
    s = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z?", "<t>", s)
    s = re.sub(r"-t[0-9a-f]{6}\b", "", s)                     # the scenario's name tag
    s = re.sub(r"10\.7\d\.0\.\d+", "<ip>", s)
    s = re.sub(r"fa:16:3e(:[0-9a-f]{2}){3}", "<mac>", s)
    s = re.sub(r"http://127\.0\.0\.1:\d+(/compute)?", "<url>", s)
    # the project's usage depends on what else runs in it (other tests on a shared cloud)
    s = re.sub(r"Requested \d+, but already used \d+", "Requested N, but already used U", s)
    return s


def _server(view: dict) -> dict:
    out = {k: view.get(k, "<absent>") for k in SERVER_FIELDS}
    out["keys"] = sorted(view)
    out["hostId"] = bool(view.get("hostId"))
    groups = view.get("security_groups")
    out["security_groups"] = sorted(g["name"] for g in groups) if groups else groups
    out["addresses"] = {net: len(entries) for net, entries in (view.get("addresses") or {}
                                                              ).items()}
    out["image"] = bool(view.get("image"))
    return out


def _image(view: dict) -> dict:
    out = {k: view.get(k, "<absent>") for k in IMAGE_FIELDS}
    out["keys"] = sorted(k for k in view if k != "stores")
    return out


def reduce(body):
    """What of an answer is compared: server views and images by their fields, else all."""
    if isinstance(body, dict):
        if isinstance(body.get("server"), dict):
            return json.loads(_text({"server": _server(body["server"])}))
        if isinstance(body.get("servers"), list):
            return json.loads(_text({"servers": [_server(s) for s in body["servers"]]}))
        if isinstance(body.get("images"), list):
            return json.loads(_text({"images": [_image(i) for i in body["images"]]}))
        if "schema" in body and "visibility" in body:
            return json.loads(_text(_image(body)))
        if "adminPass" in body:
            return {"adminPass": "<password>"}
    return json.loads(_text(body))


class _Watch:
    def __init__(self, conn, server_id):
        self.conn, self.server_id, self.seen, self.stop = conn, server_id, [], False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _look(self):
        s = _get(self.conn, self.server_id)
        state = [s.get("status"), s.get("OS-EXT-STS:vm_state"), s.get("OS-EXT-STS:task_state"),
                 s.get("OS-EXT-STS:power_state")]
        if not self.seen or self.seen[-1] != state:
            self.seen.append(state)

    def _run(self):
        while not self.stop:
            self._look()
            time.sleep(0.02)

    def done(self):
        self.stop = True
        self.thread.join()
        self._look()
        return self.seen


def _get(conn, server_id):
    resp = conn.compute.get(f"/servers/{server_id}", microversion="2.100", raise_exc=False)
    return resp.json().get("server", {})


class Scenario:
    def __init__(self, admin, demo):
        self.admin, self.demo, self.answers = admin, demo, {}
        self.tag = f"t{uuid.uuid4().hex[:6]}"
        self.made = {"servers": [], "flavors": [], "images": [], "ports": []}

    def call(self, tag, conn, method, path, body=None, mv="2.100", service="compute"):
        kwargs = {"microversion": mv} if mv else {}
        try:
            resp = getattr(conn, service).request(path, method, json=body, raise_exc=False,
                                                  **kwargs)
        except ConnectFailure:
            # a pooled connection the server's keep-alive had just closed (gunicorn's 2 s):
            # the request never reached it, so it is sent once more
            resp = getattr(conn, service).request(path, method, json=body, raise_exc=False,
                                                  **kwargs)
        try:
            data = resp.json()
        except ValueError:
            data = resp.text
        if tag:
            self.answers[tag] = {"status": resp.status_code, "body": reduce(data)}
        return resp.status_code, data

    def wait(self, server_id, statuses, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = _get(self.demo, server_id)
            if s.get("status") in statuses and s.get("OS-EXT-STS:task_state") is None:
                return s
            time.sleep(0.05)
        raise AssertionError(f"{server_id}: {s.get('status')}/{s.get('OS-EXT-STS:task_state')}")

    def act(self, tag, body, final, conn=None, mv="2.100"):
        watch = _Watch(self.demo, self.sid)
        time.sleep(0.05)
        status, data = self.call(tag, conn or self.demo, "POST", f"/servers/{self.sid}/action",
                                 body, mv)
        if status < 300:
            self.wait(self.sid, final)
        self.answers[tag]["sequence"] = watch.done()
        return status, data

    # --- setup and teardown ----------------------------------------------------------
    def setup(self):
        admin, demo, tag = self.admin, self.demo, self.tag
        self.f1, self.f2, self.huge = [
            admin.compute.create_flavor(name=f"dd2-{n}-{tag}", ram=ram, vcpus=vcpus, disk=1)
            for n, ram, vcpus in (("f1", 256, 1), ("f2", 512, 2), ("huge", 1024, 64))]
        self.made["flavors"] += [self.f1.id, self.f2.id, self.huge.id]
        self.img = demo.image.create_image(name=f"dd2-img-{tag}", disk_format="raw",
                                           container_format="bare", data=b"\0" * 1024,
                                           visibility="private")
        self.made["images"].append(self.img.id)
        self.net = demo.network.create_network(name=f"dd2-net-{tag}")
        demo.network.create_subnet(network_id=self.net.id, cidr="10.77.0.0/24",
                                   ip_version=4, name=f"dd2-sub-{tag}")
        self.sg = demo.network.create_security_group(name=f"dd2-sg-{tag}")
        self.key = demo.compute.create_keypair(name=f"dd2-key-{tag}")
        status, body = self.call(None, demo, "POST", "/servers", {"server": {
            "name": f"dd2-{tag}", "flavorRef": self.f1.id, "imageRef": self.img.id,
            "networks": [{"uuid": self.net.id}]}})
        assert status == 202, body
        self.sid = body["server"]["id"]
        self.made["servers"].append(self.sid)
        self.wait(self.sid, ["ACTIVE"])

    def cleanup(self):
        admin, demo = self.admin, self.demo
        for sid in self.made["servers"]:
            self.call(None, admin, "POST", f"/servers/{sid}/action", {"unlock": None})
            admin.compute.delete_server(sid, ignore_missing=True)
        for sid in self.made["servers"]:
            try:
                admin.compute.wait_for_delete(admin.compute.get_server(sid), wait=60)
            except Exception:   # already gone
                pass
        for port in self.made["ports"]:
            demo.network.delete_port(port, ignore_missing=True)
        for image in admin.image.images(owner=demo.current_project_id):
            if self.tag in (image.name or "") or image.id in self.made["images"]:
                admin.image.delete_image(image, ignore_missing=True)
        for flavor in self.made["flavors"]:
            admin.compute.delete_flavor(flavor, ignore_missing=True)
        for port in demo.network.ports(network_id=self.net.id):
            if not port.device_owner.startswith("network:"):
                demo.network.delete_port(port, ignore_missing=True)
        demo.network.delete_network(self.net, ignore_missing=True)
        demo.network.delete_security_group(self.sg, ignore_missing=True)
        demo.compute.delete_keypair(self.key, ignore_missing=True)

    # --- the steps ---------------------------------------------------------------------
    def pause_and_suspend(self):
        act = self.act
        act("unpause-active", {"unpause": None}, ["ACTIVE"])
        act("pause", {"pause": None}, ["PAUSED"])
        act("pause-paused", {"pause": None}, ["PAUSED"])
        act("suspend-paused", {"suspend": None}, ["PAUSED"])
        act("unpause", {"unpause": None}, ["ACTIVE"])
        act("suspend", {"suspend": None}, ["SUSPENDED"])
        act("resume", {"resume": None}, ["ACTIVE"])
        act("resume-active", {"resume": None}, ["ACTIVE"])

    def lock(self):
        act, call, sid = self.act, self.call, self.sid
        act("lock-2.72", {"lock": {"locked_reason": "ignored"}}, ["ACTIVE"], mv="2.72")
        call("show-locked-noreason", self.demo, "GET", f"/servers/{sid}", mv="2.73")
        act("lock-locked", {"lock": {"locked_reason": "kept out"}}, ["ACTIVE"])
        act("unlock", {"unlock": None}, ["ACTIVE"])
        act("lock-reason", {"lock": {"locked_reason": "maintenance window"}}, ["ACTIVE"])
        call("show-locked", self.demo, "GET", f"/servers/{sid}", mv="2.73")
        call("show-locked-2.72", self.demo, "GET", f"/servers/{sid}", mv="2.72")
        for body in ({"pause": None}, {"os-stop": None}, {"suspend": None}, {"shelve": None},
                     {"resize": {"flavorRef": self.f2.id}},
                     {"rebuild": {"imageRef": self.img.id}}, {"rescue": None},
                     {"reboot": {"type": "SOFT"}}):
            call(f"locked-{next(iter(body))}", self.demo, "POST", f"/servers/{sid}/action",
                 body)
        call("locked-delete", self.demo, "DELETE", f"/servers/{sid}")
        call("locked-attach", self.demo, "POST", f"/servers/{sid}/os-interface",
             {"interfaceAttachment": {"net_id": self.net.id}})
        call("locked-metadata", self.demo, "POST", f"/servers/{sid}/metadata",
             {"metadata": {"a": "b"}})
        act("unlock-2", {"unlock": None}, ["ACTIVE"])
        act("unlock-unlocked", {"unlock": None}, ["ACTIVE"])
        act("admin-lock", {"lock": {"locked_reason": "admin did"}}, ["ACTIVE"], conn=self.admin)
        call("demo-unlock-admin-lock", self.demo, "POST", f"/servers/{sid}/action",
             {"unlock": None})
        act("admin-pause-locked", {"pause": None}, ["PAUSED"], conn=self.admin)
        act("admin-unpause-locked", {"unpause": None}, ["ACTIVE"], conn=self.admin)
        act("admin-unlock", {"unlock": None}, ["ACTIVE"], conn=self.admin)
        call("lock-long-reason", self.demo, "POST", f"/servers/{sid}/action",
             {"lock": {"locked_reason": "x" * 256}})
        call("lock-bogus", self.demo, "POST", f"/servers/{sid}/action", {"lock": {"bogus": 1}})

    def rescue(self):
        act = self.act
        act("rescue-null", {"rescue": None}, ["RESCUE"])
        self.call("show-rescued", self.demo, "GET", f"/servers/{self.sid}")
        act("rescue-rescued", {"rescue": None}, ["RESCUE"])
        act("stop-rescued", {"os-stop": None}, ["RESCUE"])
        act("unrescue", {"unrescue": None}, ["ACTIVE"])
        act("unrescue-active", {"unrescue": None}, ["ACTIVE"])
        act("rescue-image", {"rescue": {"adminPass": "s3cret", "rescue_image_ref": self.img.id}},
            ["RESCUE"])
        act("unrescue-2", {"unrescue": None}, ["ACTIVE"])
        act("rescue-unknown-image", {"rescue": {"rescue_image_ref": str(uuid.uuid4())}},
            ["ACTIVE"])
        act("rescue-bad-image", {"rescue": {"rescue_image_ref": "nope"}}, ["ACTIVE"])

    def shelve(self):
        act, call, sid = self.act, self.call, self.sid
        act("unshelve-active", {"unshelve": None}, ["ACTIVE"])
        act("offload-active-admin", {"shelveOffload": None}, ["ACTIVE"], conn=self.admin)
        act("offload-active-demo", {"shelveOffload": None}, ["ACTIVE"])
        act("shelve", {"shelve": None}, ["SHELVED_OFFLOADED"])
        call("show-shelved", self.demo, "GET", f"/servers/{sid}")
        call("show-shelved-admin", self.admin, "GET", f"/servers/{sid}")
        call("shelve-images", self.demo, "GET", f"/images?name=dd2-{self.tag}-shelved",
             service="image", mv=None)
        call("iface-shelved", self.demo, "GET", f"/servers/{sid}/os-interface")
        act("shelve-shelved", {"shelve": None}, ["SHELVED_OFFLOADED"])
        act("offload-offloaded", {"shelveOffload": None}, ["SHELVED_OFFLOADED"],
            conn=self.admin)
        act("start-shelved", {"os-start": None}, ["SHELVED_OFFLOADED"])
        act("snapshot-shelved", {"createImage": {"name": "no"}}, ["SHELVED_OFFLOADED"])
        act("unshelve", {"unshelve": None}, ["ACTIVE"])
        call("show-unshelved", self.demo, "GET", f"/servers/{sid}")
        call("shelve-images-after", self.demo, "GET", f"/images?name=dd2-{self.tag}-shelved",
             service="image", mv=None)

    def resize(self):
        act, call, sid = self.act, self.call, self.sid
        act("resize-same", {"resize": {"flavorRef": self.f1.id}}, ["ACTIVE"])
        act("resize-unknown", {"resize": {"flavorRef": "nosuch"}}, ["ACTIVE"])
        act("resize-noflavor", {"resize": {}}, ["ACTIVE"])
        act("confirm-not-resized", {"confirmResize": None}, ["ACTIVE"])
        act("revert-not-resized", {"revertResize": None}, ["ACTIVE"])
        act("resize", {"resize": {"flavorRef": self.f2.id}}, ["VERIFY_RESIZE"])
        call("show-verify", self.demo, "GET", f"/servers/{sid}")
        act("resize-verify", {"resize": {"flavorRef": self.f1.id}}, ["VERIFY_RESIZE"])
        act("pause-verify", {"pause": None}, ["VERIFY_RESIZE"])
        act("stop-verify", {"os-stop": None}, ["VERIFY_RESIZE"])
        act("confirm", {"confirmResize": None}, ["ACTIVE"])
        call("show-confirmed", self.demo, "GET", f"/servers/{sid}")
        act("resize-back", {"resize": {"flavorRef": self.f1.id}}, ["VERIFY_RESIZE"])
        act("revert", {"revertResize": None}, ["ACTIVE"])
        call("show-reverted", self.demo, "GET", f"/servers/{sid}")
        call("show-reverted-2.46", self.demo, "GET", f"/servers/{sid}", mv="2.46")
        act("stop-for-resize", {"os-stop": None}, ["SHUTOFF"])
        act("resize-stopped", {"resize": {"flavorRef": self.f1.id}}, ["VERIFY_RESIZE"])
        act("revert-stopped", {"revertResize": None}, ["SHUTOFF"])
        act("start-after-revert", {"os-start": None}, ["ACTIVE"])
        # demo uses 2 cores of 20 now; 64 more would be over by 62 → Nova asks 62
        act("resize-over-quota", {"resize": {"flavorRef": self.huge.id}}, ["ACTIVE"])

    def rebuild(self):
        act, key = self.act, self.key.name
        act("rebuild-unknown-image", {"rebuild": {"imageRef": str(uuid.uuid4())}}, ["ACTIVE"])
        act("rebuild-bad-image", {"rebuild": {"imageRef": "nope"}}, ["ACTIVE"])
        act("rebuild-no-image", {"rebuild": {}}, ["ACTIVE"])
        act("rebuild-bad-key", {"rebuild": {"imageRef": self.img.id, "key_name": "nokey"}},
            ["ACTIVE"])
        act("rebuild-key-2.53", {"rebuild": {"imageRef": self.img.id, "key_name": key}},
            ["ACTIVE"], mv="2.53")
        act("rebuild", {"rebuild": {"imageRef": self.img.id, "name": f"dd2-rebuilt-{self.tag}",
                                    "key_name": key}}, ["ACTIVE"])
        self.call("show-rebuilt", self.demo, "GET", f"/servers/{self.sid}")
        act("rebuild-no-key", {"rebuild": {"imageRef": self.img.id, "key_name": None}},
            ["ACTIVE"])
        act("rebuild-2.1", {"rebuild": {"imageRef": self.img.id}}, ["ACTIVE"], mv="2.1")
        act("rebuild-2.75", {"rebuild": {"imageRef": self.img.id, "name": f"dd2-{self.tag}"}},
            ["ACTIVE"], mv="2.75")
        act("stop-for-rebuild", {"os-stop": None}, ["SHUTOFF"])
        act("rebuild-stopped", {"rebuild": {"imageRef": self.img.id}}, ["SHUTOFF"])
        act("start-after-rebuild", {"os-start": None}, ["ACTIVE"])

    def snapshot(self):
        act, call = self.act, self.call
        act("snapshot-empty-name", {"createImage": {"name": ""}}, ["ACTIVE"])
        act("snapshot-no-name", {"createImage": {}}, ["ACTIVE"])
        status, body = act("snapshot", {"createImage": {"name": f"dd2-snap-{self.tag}",
                                                        "metadata": {"k": "v"}}}, ["ACTIVE"])
        self._image_active(body["image_id"])
        call("snapshot-image", self.demo, "GET", f"/images/{body['image_id']}",
             service="image", mv=None)
        act("snapshot-2.1", {"createImage": {"name": f"dd2-old-{self.tag}"}}, ["ACTIVE"],
            mv="2.1")
        act("stop-for-snapshot", {"os-stop": None}, ["SHUTOFF"])
        status, body = act("snapshot-stopped", {"createImage": {"name": f"dd2-s-{self.tag}"}},
                           ["SHUTOFF"])
        act("start-after-snapshot", {"os-start": None}, ["ACTIVE"])

    def _image_active(self, image_id):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.demo.image.get_image(image_id).status == "active":
                return
            time.sleep(0.1)

    def security_groups(self):
        act, call, sid, sg = self.act, self.call, self.sid, self.sg
        call("sg-list", self.demo, "GET", f"/servers/{sid}/os-security-groups")
        act("sg-add", {"addSecurityGroup": {"name": sg.name}}, ["ACTIVE"])
        call("show-sg-added", self.demo, "GET", f"/servers/{sid}")
        call("sg-list-added", self.demo, "GET", f"/servers/{sid}/os-security-groups")
        act("sg-add-again", {"addSecurityGroup": {"name": sg.name}}, ["ACTIVE"])
        act("sg-add-unknown", {"addSecurityGroup": {"name": "nosuch"}}, ["ACTIVE"])
        act("sg-add-by-id", {"addSecurityGroup": {"name": sg.id}}, ["ACTIVE"])
        act("sg-add-no-name", {"addSecurityGroup": {}}, ["ACTIVE"])
        act("sg-remove", {"removeSecurityGroup": {"name": sg.name}}, ["ACTIVE"])
        act("sg-remove-again", {"removeSecurityGroup": {"name": sg.name}}, ["ACTIVE"])
        act("sg-remove-unknown", {"removeSecurityGroup": {"name": "nosuch"}}, ["ACTIVE"])
        act("sg-remove-default", {"removeSecurityGroup": {"name": "default"}}, ["ACTIVE"])
        call("show-sg-none", self.demo, "GET", f"/servers/{sid}")
        act("sg-add-default", {"addSecurityGroup": {"name": "default"}}, ["ACTIVE"])

    def interfaces(self):
        call, sid, net, demo = self.call, self.sid, self.net.id, self.demo
        base = f"/servers/{sid}/os-interface"
        call("iface-list", demo, "GET", base)
        status, added = call("iface-attach-net", demo, "POST", base,
                             {"interfaceAttachment": {"net_id": net}})
        call("show-iface", demo, "GET", f"/servers/{sid}")
        port = demo.network.create_port(network_id=net, name=f"dd2-port-{self.tag}")
        self.made["ports"].append(port.id)
        call("iface-attach-port", demo, "POST", base, {"interfaceAttachment": {"port_id": port.id}})
        call("iface-attach-port-again", demo, "POST", base,
             {"interfaceAttachment": {"port_id": port.id}})
        call("iface-attach-unknown-port", demo, "POST", base,
             {"interfaceAttachment": {"port_id": str(uuid.uuid4())}})
        call("iface-attach-unknown-net", demo, "POST", base,
             {"interfaceAttachment": {"net_id": str(uuid.uuid4())}})
        call("iface-attach-both", demo, "POST", base,
             {"interfaceAttachment": {"net_id": net, "port_id": port.id}})
        call("iface-attach-fixed-ip", demo, "POST", base,
             {"interfaceAttachment": {"net_id": net, "fixed_ips": [{"ip_address": "10.77.0.50"}]}})
        call("iface-show", demo, "GET", f"{base}/{port.id}")
        call("iface-show-unknown", demo, "GET", f"{base}/{uuid.uuid4()}")
        call("iface-detach-port", demo, "DELETE", f"{base}/{port.id}")
        deadline = time.monotonic() + 30    # the real compute unbinds it a moment later
        while demo.network.get_port(port.id).device_id and time.monotonic() < deadline:
            time.sleep(0.2)
        left = demo.network.get_port(port.id)
        self.answers["port-after-detach"] = {"body": [left.device_id, left.device_owner,
                                                      left.status]}
        call("iface-detach-again", demo, "DELETE", f"{base}/{port.id}")
        call("iface-detach-unknown", demo, "DELETE", f"{base}/{uuid.uuid4()}")
        if status == 200:
            gone = added["interfaceAttachment"]["port_id"]
            call("iface-detach-net", demo, "DELETE", f"{base}/{gone}")
            deadline = time.monotonic() + 30
            while demo.network.find_port(gone) and time.monotonic() < deadline:
                time.sleep(0.2)
        call("iface-list-after", demo, "GET", base)
        self.act("stop-for-iface", {"os-stop": None}, ["SHUTOFF"])
        call("iface-attach-stopped", demo, "POST", base, {"interfaceAttachment": {"net_id": net}})
        self.act("start-after-iface", {"os-start": None}, ["ACTIVE"])

    def instance_actions(self):
        status, body = self.call(None, self.demo, "GET", f"/servers/{self.sid}/os-instance-actions")
        actions = body["instanceActions"]
        self.answers["actions"] = {"body": [[a["action"], a["message"]] for a in actions]}
        for tag, conn, mv in (("action-show", self.demo, "2.100"),
                              ("action-show-admin", self.admin, "2.100"),
                              ("action-show-2.50", self.demo, "2.50")):
            self.call(tag, conn, "GET",
                      f"/servers/{self.sid}/os-instance-actions/{actions[0]['request_id']}",
                      mv=mv)

    def run(self) -> dict:
        self.setup()
        try:
            for step in (self.pause_and_suspend, self.lock, self.rescue, self.shelve,
                         self.resize, self.rebuild, self.snapshot, self.security_groups,
                         self.interfaces, self.instance_actions):
                step()
        finally:
            self.cleanup()
        return self.answers


def run(admin, demo) -> dict:
    return Scenario(admin, demo).run()


def is_subsequence(short: list, long: list) -> bool:
    """The real cloud's fake driver moves faster than a poll can see: the states it showed
    must all be among devcloud's, in the same order."""
    it = iter(long)
    return all(any(item == other for other in it) for item in short)
