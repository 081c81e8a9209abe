"""Placement requests whose answers devcloud must give as the real 2026.2 Placement does.

`record_placement.py` asks a real cloud each case (GETs only, nothing changes there) and
writes placement_real.json; test_placement.py asks devcloud the same and compares. Ids,
names, generations and request ids are normalised away, so the two clouds compare field
by field. `{rp}` is the compute host's resource provider, `{zero}` an unknown uuid,
`{project}` the demo account's project.
"""

import json
import re
from pathlib import Path

import requests

RECORDED = Path(__file__).with_name("placement_real.json")
ZERO = "00000000-0000-0000-0000-000000000000"
HEADERS = ("openstack-api-version", "vary", "cache-control", "allow", "content-type")
RP = "/resource_providers/{rp}"

CASES = [
    # (who: admin|demo|none, method, path, microversion or None)
    ("none", "GET", "/", None),
    ("admin", "GET", "/", "1.39"),
    *[("admin", "GET", "/resource_providers", v) for v in
      (None, "1.1", "1.6", "1.11", "1.14", "1.15", "1.39", "latest")],
    *[("admin", "GET", RP, v) for v in (None, "1.20", "1.39")],
    ("admin", "GET", f"{RP}/inventories", None),
    ("admin", "GET", f"{RP}/inventories", "1.39"),
    ("admin", "GET", f"{RP}/inventories/VCPU", "1.39"),
    ("admin", "GET", f"{RP}/inventories/MEMORY_MB", None),
    ("admin", "GET", f"{RP}/inventories/VGPU", "1.39"),
    ("admin", "GET", f"{RP}/usages", None),
    ("admin", "GET", f"{RP}/usages", "1.39"),
    *[("admin", "GET", f"{RP}/aggregates", v) for v in (None, "1.1", "1.19")],
    ("admin", "GET", f"{RP}/traits", None),
    ("admin", "GET", f"{RP}/traits", "1.39"),
    ("admin", "GET", f"{RP}/allocations", "1.39"),
    ("admin", "GET", "/resource_providers/{zero}", None),
    *[("admin", "GET", f"/resource_providers/{{zero}}{sub}", "1.39") for sub in
      ("", "/inventories", "/inventories/VCPU", "/usages", "/aggregates", "/traits",
       "/allocations")],
    ("admin", "GET", "/resource_providers/notauuid", "1.39"),
    ("admin", "GET", "/resource_providers?bogus=1", None),
    ("admin", "GET", "/resource_providers?uuid={rp}&bogus=1&x=2", "1.39"),
    ("admin", "GET", "/resource_providers?required=COMPUTE_NODE", "1.17"),
    ("admin", "GET", "/resource_providers?uuid=bad", "1.39"),
    ("admin", "GET", "/resource_providers?in_tree=bad", "1.39"),
    ("admin", "GET", "/resource_providers?uuid={rp}", "1.39"),
    ("admin", "GET", "/resource_providers?uuid={zero}", "1.39"),
    ("admin", "GET", "/resource_providers?in_tree={rp}", "1.39"),
    ("admin", "GET", "/resource_providers?in_tree={zero}", "1.39"),
    ("admin", "GET", "/resource_providers?name=nope", "1.39"),
    ("admin", "GET", "/resource_providers?resources=VCPU:1000", "1.39"),
    ("admin", "GET", "/resource_providers?resources=VCPU:1001", "1.39"),
    ("admin", "GET", "/resource_providers?resources=MEMORY_MB:799488,DISK_GB:10", "1.39"),
    ("admin", "GET", "/resource_providers?resources=MEMORY_MB:799489", "1.39"),
    ("admin", "GET", "/resource_providers?resources=VCPU:1,PCI_DEVICE:1", "1.39"),
    ("admin", "GET", "/resource_providers?resources=FOO:1", "1.39"),
    ("admin", "GET", "/resource_providers?resources=", "1.39"),
    ("admin", "GET", "/resource_providers?resources=VCPU", "1.39"),
    ("admin", "GET", "/resource_providers?resources=VCPU:x", "1.39"),
    ("admin", "GET", "/resource_providers?resources=VCPU:0", "1.39"),
    ("admin", "GET", "/resource_providers?required=COMPUTE_NODE,OWNER_NOVA", "1.39"),
    ("admin", "GET", "/resource_providers?required=HW_CPU_X86_VMX", "1.39"),
    ("admin", "GET", "/resource_providers?required=!COMPUTE_NODE", "1.39"),
    ("admin", "GET", "/resource_providers?required=!COMPUTE_NODE", "1.21"),
    ("admin", "GET", "/resource_providers?required=in:COMPUTE_NODE,HW_CPU_X86_VMX", "1.39"),
    ("admin", "GET", "/resource_providers?required=in:COMPUTE_NODE", "1.38"),
    ("admin", "GET", "/resource_providers?required=FOO_BAR", "1.39"),
    ("admin", "GET", "/resource_providers?required=", "1.39"),
    ("admin", "GET", "/resource_providers?member_of=bad", "1.39"),
    ("admin", "GET", "/resource_providers?member_of=a,b", "1.39"),
    ("admin", "GET", "/resource_providers?member_of={zero}", "1.39"),
    ("admin", "GET", "/resource_providers?member_of=!{zero}", "1.39"),
    ("admin", "GET", "/resource_providers?member_of=!{zero}", "1.31"),
    ("admin", "GET", "/usages?project_id={project}", "1.8"),
    ("admin", "GET", "/usages", "1.9"),
    ("admin", "GET", "/usages?project_id=", "1.39"),
    ("admin", "GET", "/usages?project_id={project}&bogus=1", "1.9"),
    ("admin", "GET", "/usages?project_id={project}", "1.9"),
    ("admin", "GET", "/usages?project_id={project}", "1.38"),
    ("admin", "GET", "/usages?project_id={project}&consumer_type=all", "1.38"),
    ("admin", "GET", "/usages?project_id={project}&consumer_type=lower", "1.38"),
    ("demo", "GET", "/resource_providers", "1.39"),
    ("demo", "GET", RP, None),
    ("demo", "GET", f"{RP}/inventories", "1.39"),
    ("demo", "GET", "/usages?project_id={project}", "1.39"),
    ("demo", "GET", "/usages?project_id={zero}", "1.39"),
    ("admin", "GET", "/", "1.40"),
    ("admin", "GET", "/", "0.9"),
    ("admin", "GET", "/", "abc"),
    ("admin", "GET", "/", "1.a"),
    ("admin", "GET", "/", "1"),
    ("admin", "POST", "/usages", "1.39"),
    ("admin", "DELETE", f"{RP}/usages", None),
    ("admin", "GET", "/nothing", "1.39"),
    ("none", "GET", "/resource_providers", None),
]


def ask(base: str, tokens: dict, names: dict, case) -> dict:
    """One case's answer, normalised: status, the headers that matter, the JSON body."""
    who, method, path, version = case
    headers = {"X-Auth-Token": tokens[who]} if who != "none" else {}
    if version:
        headers["OpenStack-API-Version"] = f"placement {version}"
    resp = requests.request(method, base + path.format(**names), headers=headers, timeout=30)
    seen = {h: resp.headers[h] for h in HEADERS if h in resp.headers}
    seen["last-modified"] = "last-modified" in resp.headers
    body = resp.json()
    request_id = resp.headers.get("x-openstack-request-id")
    return {"status": resp.status_code, "headers": seen,
            "body": normalise(body, names, request_id)}


def normalise(body, names: dict, request_id: str | None):
    text = json.dumps(body)
    if request_id:
        text = text.replace(request_id, "{request_id}")
    for key, value in names.items():
        text = text.replace(value, "{" + key + "}")
    out = json.loads(text)

    def walk(node):
        if isinstance(node, dict):
            for key in ("generation", "resource_provider_generation"):
                if key in node:
                    node[key] = "{generation}"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(out)
    return out


def case_id(case) -> str:
    """A readable, unique name for the case (the recorded file's key, the test's id)."""
    who, method, path, version = case
    text = f"{who} {method} {path.replace('!', ' not ')} {version or 'min'}"
    return re.sub(r"\W+", "-", text).strip("-")
