"""Cinder's attachments API (3.27+) and the older volume actions Nova used before it,
as devcloud must answer them like the real Cinder 29 does.

`run(admin, demo)` plays one scenario as the demo account (volumes of its own, an
instance uuid that no Nova knows: Cinder does not ask Nova), recording per step the status
code and the normalised body. record.py attachments plays it on the real cloud into
attachments_real.json; test_attachments_parity.py plays it on devcloud and compares.
Ids, times, URLs and host names are normalised away; a volume view is reduced to what
an attachment changes. Everything the scenario makes is deleted at the end.
"""

import json
import re
import time
import uuid
from pathlib import Path

from keystoneauth1.exceptions import ConnectFailure

RECORDED = Path(__file__).with_name("attachments_real.json")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")
VOLUME_FIELDS = ("status", "attach_status", "multiattach", "attachments")
CONNECTOR = {"initiator": "iqn.1993-08.org.debian:01:stackport", "ip": "127.0.0.1",
             "platform": "x86_64", "host": "stackport-test", "os_type": "linux",
             "multipath": False, "mountpoint": "/dev/vdb"}


def _text(value) -> str:
    s = json.dumps(value, sort_keys=True)
    s = re.sub(r"req-(?:" + UUID.pattern + ")", "<req>", s)
    s = UUID.sub("<id>", s)
    s = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|\+00:00)?", "<t>", s)
    s = re.sub(r"http://127\.0\.0\.1:\d+(/volume)?", "<url>", s)
    s = re.sub(r'"(harness|devcloud)@fake(#fake)?"', '"<host>"', s)
    return s


def _volume(view: dict) -> dict:
    out = {k: view.get(k, "<absent>") for k in VOLUME_FIELDS}
    out["attachments"] = [sorted(a) for a in view.get("attachments") or []]
    return out


def _connection_info(info) -> dict:
    """The driver's own connection data differs between backends: its keys only."""
    if not isinstance(info, dict):
        return info
    out = {k: v for k, v in info.items() if k != "data"}
    if "data" in info:
        out["data"] = sorted(info["data"]) if isinstance(info["data"], dict) else info["data"]
    return out


def reduce(body):
    if isinstance(body, dict):
        if isinstance(body.get("volume"), dict):
            return json.loads(_text({"volume": _volume(body["volume"])}))
        if isinstance(body.get("attachment"), dict) and "connection_info" in body["attachment"]:
            att = dict(body["attachment"])
            att["connection_info"] = _connection_info(att["connection_info"])
            return json.loads(_text({"attachment": att}))
        if "connection_info" in body:
            return json.loads(_text({"connection_info": _connection_info(
                body["connection_info"])}))
    return json.loads(_text(body))


class Scenario:
    def __init__(self, admin, demo):
        self.admin, self.demo, self.answers, self.volumes = admin, demo, {}, []
        self.tag = f"t{uuid.uuid4().hex[:6]}"

    def call(self, tag, method, path, body=None, mv="3.27", conn=None):
        proxy = (conn or self.demo).block_storage
        kwargs = {"microversion": mv} if mv else {}
        try:
            resp = proxy.request(path, method, json=body, raise_exc=False, **kwargs)
        except ConnectFailure:   # a kept connection the server had just closed: never sent
            resp = proxy.request(path, method, json=body, raise_exc=False, **kwargs)
        try:
            data = resp.json()
        except ValueError:
            data = resp.text
        if tag:
            self.answers[tag] = {"status": resp.status_code, "body": reduce(data)}
        return resp.status_code, data

    def volume(self, suffix: str) -> str:
        _, body = self.call(None, "POST", "/volumes",
                            {"volume": {"size": 1, "name": f"att-{self.tag}-{suffix}"}})
        vid = body["volume"]["id"]
        self.volumes.append(vid)
        self.settle(vid, {"available"})
        return vid

    def settle(self, vid: str, statuses, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, body = self.call(None, "GET", f"/volumes/{vid}")
            if body.get("volume", {}).get("status") in statuses:
                return body["volume"]
            time.sleep(0.1)
        raise AssertionError(f"volume {vid}: {body}")

    def attachments_api(self) -> None:
        vid, server = self.volume("new"), str(uuid.uuid4())
        self.call("list-before-3.27", "GET", "/attachments", mv="3.26")
        self.call("create-no-body", "POST", "/attachments", {})
        self.call("create-no-volume", "POST", "/attachments",
                  {"attachment": {"instance_uuid": server}})
        self.call("create-unknown-volume", "POST", "/attachments",
                  {"attachment": {"volume_uuid": str(uuid.uuid4()), "instance_uuid": server}})
        _, made = self.call("create-reserve", "POST", "/attachments",
                            {"attachment": {"volume_uuid": vid, "instance_uuid": server}})
        att = made["attachment"]["id"]
        self.call("volume-reserved", "GET", f"/volumes/{vid}")
        self.call("create-on-reserved", "POST", "/attachments",
                  {"attachment": {"volume_uuid": vid, "instance_uuid": str(uuid.uuid4())}})
        self.call("show-reserved", "GET", f"/attachments/{att}")
        self.call("list", "GET", f"/attachments?volume_id={vid}")
        self.call("list-detail", "GET", f"/attachments/detail?volume_id={vid}")
        self.call("update-no-connector", "PUT", f"/attachments/{att}", {"attachment": {}})
        self.call("update", "PUT", f"/attachments/{att}",
                  {"attachment": {"connector": CONNECTOR}})
        self.call("volume-after-update", "GET", f"/volumes/{vid}")
        self.call("show-attaching", "GET", f"/attachments/{att}")
        self.call("complete-3.27", "POST", f"/attachments/{att}/action",
                  {"os-complete": {}}, mv="3.27")
        self.call("complete", "POST", f"/attachments/{att}/action", {"os-complete": {}},
                  mv="3.44")
        self.call("volume-in-use", "GET", f"/volumes/{vid}")
        self.call("show-attached", "GET", f"/attachments/{att}")
        self.call("create-on-in-use", "POST", "/attachments",
                  {"attachment": {"volume_uuid": vid, "instance_uuid": str(uuid.uuid4())}})
        self.call("show-unknown", "GET", f"/attachments/{uuid.uuid4()}")
        self.call("show-as-admin", "GET", f"/attachments/{att}", conn=self.admin)
        self.call("delete", "DELETE", f"/attachments/{att}")
        self.call("volume-after-delete", "GET", f"/volumes/{vid}")
        self.call("show-deleted", "GET", f"/attachments/{att}")
        self.call("delete-deleted", "DELETE", f"/attachments/{att}")
        _, made = self.call("create-no-instance", "POST", "/attachments",
                            {"attachment": {"volume_uuid": vid}})
        self.call("delete-reserved", "DELETE", f"/attachments/{made['attachment']['id']}")
        self.call("volume-after-unreserve", "GET", f"/volumes/{vid}")

    def legacy_actions(self) -> None:
        """What Nova sent before 3.27: reserve, initialize_connection, attach; then
        begin_detaching, terminate_connection, detach."""
        vid, server = self.volume("old"), str(uuid.uuid4())

        def act(tag, name, args=None, mv="3.0"):
            return self.call(tag, "POST", f"/volumes/{vid}/action", {name: args or {}}, mv=mv)

        act("reserve", "os-reserve")
        self.call("volume-os-reserved", "GET", f"/volumes/{vid}")
        act("reserve-reserved", "os-reserve")
        act("unreserve", "os-unreserve")
        self.call("volume-os-unreserved", "GET", f"/volumes/{vid}")
        act("reserve-again", "os-reserve")
        act("initialize-no-connector", "os-initialize_connection")
        act("initialize", "os-initialize_connection", {"connector": CONNECTOR})
        act("attach-no-mountpoint", "os-attach", {"instance_uuid": server})
        act("attach", "os-attach", {"instance_uuid": server, "mountpoint": "/dev/vdb",
                                    "mode": "rw"})
        self.call("volume-os-attached", "GET", f"/volumes/{vid}")
        act("begin-detaching", "os-begin_detaching")
        self.call("volume-os-detaching", "GET", f"/volumes/{vid}")
        act("roll-detaching", "os-roll_detaching")
        self.call("volume-os-rolled", "GET", f"/volumes/{vid}")
        act("begin-detaching-again", "os-begin_detaching")
        act("terminate", "os-terminate_connection", {"connector": CONNECTOR})
        _, vol = self.call(None, "GET", f"/volumes/{vid}")
        attachment_id = vol["volume"]["attachments"][0]["attachment_id"]
        act("detach-unknown", "os-detach", {"attachment_id": str(uuid.uuid4())})
        act("detach", "os-detach", {"attachment_id": attachment_id})
        self.call("volume-os-detached", "GET", f"/volumes/{vid}")
        act("begin-detaching-available", "os-begin_detaching")
        act("unreserve-available", "os-unreserve")

    def cleanup(self) -> None:
        for vid in self.volumes:
            _, body = self.call(None, "GET", f"/attachments?volume_id={vid}")
            for att in body.get("attachments", []):
                self.call(None, "DELETE", f"/attachments/{att['id']}")
            self.settle(vid, {"available", "error"})
            self.call(None, "DELETE", f"/volumes/{vid}")


def run(admin, demo) -> dict:
    scenario = Scenario(admin, demo)
    try:
        scenario.attachments_api()
        scenario.legacy_actions()
    finally:
        scenario.cleanup()
    return scenario.answers
