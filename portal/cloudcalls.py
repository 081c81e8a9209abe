"""What one request (or one Celery task) asked the cloud: every call's service, method,
status, time and the request id the service gave it (`x-openstack-request-id`; Nova also
says `x-compute-request-id`), so an operator can follow a click into nova-api's log.

`CallCounter` is set for the request or task through `portal.cloud.counting`; every
connection hands it each call. `value` is X-Cloud-Calls and `wall_ms()` Server-Timing's
cloud time: the calls made through the person's connection (the login's Keystone session
and the service account are recorded, not counted, so X-Cloud-Calls keeps meaning what the
page itself cost).

Which service a URL belongs to is learnt from the catalogs the portal sees (a person's
token body, the service account's token answer): the longest endpoint base (the
endpoint's URL without its version or project suffix) that the URL starts with.
"""

import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# A path segment that is an API version (v2.1, v3) or a project id in an old-style URL.
_SUFFIX = re.compile(r"^(v\d[\w.]*|[0-9a-f]{32}|\$\(\w+\)s|%\(\w+\)s)$")
_bases: dict[str, str] = {}            # endpoint base URL → service type
_bases_lock = threading.Lock()


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    status: int
    request_id: str
    ms: float

    def as_dict(self) -> dict:
        return {"service": self.service, "method": self.method, "status": self.status,
                "request_id": self.request_id, "ms": round(self.ms, 1)}


def base_of(url: str) -> str:
    parts = urlsplit(url)
    kept = []
    for segment in parts.path.split("/"):
        if not segment:
            continue
        if _SUFFIX.match(segment):
            break
        kept.append(segment)
    return f"{parts.scheme}://{parts.netloc}" + "".join(f"/{s}" for s in kept)


def learn(catalog: list[dict] | None) -> None:
    """Remember where each service of a catalog lives (the same for every token of the
    cloud; a few dozen endpoints, so learning again costs nothing)."""
    if not catalog:
        return
    found = {}
    for service in catalog:
        for endpoint in service.get("endpoints", ()):
            if endpoint.get("url"):
                found[base_of(endpoint["url"])] = service.get("type", "unknown")
    with _bases_lock:
        _bases.update(found)


def service_of(url: str) -> str:
    with _bases_lock:
        bases = dict(_bases)
    bases.setdefault(base_of(settings.KEYSTONE_URL), "identity")
    best = ""
    for base in bases:
        if url.startswith(base) and len(base) > len(best) and \
                url[len(base):len(base) + 1] in ("", "/", "?"):
            best = base
    return bases[best] if best else "unknown"


def learn_from_token_answer(response) -> None:
    """The service account authenticates by itself (openstacksdk's password plugin): its
    token answer carries the catalog its calls will use."""
    if response.request.method == "POST" and response.status_code == 201 and \
            response.request.url.rstrip("/").endswith("/auth/tokens"):
        try:
            learn(response.json().get("token", {}).get("catalog"))
        except ValueError:
            pass


def call_of(prepared, response=None, ms: float = 0.0) -> Call:
    """One call: what was asked, what answered (status 0: no answer at all)."""
    headers = response.headers if response is not None else {}
    return Call(service=service_of(prepared.url), method=prepared.method,
                status=response.status_code if response is not None else 0,
                request_id=(headers.get("x-openstack-request-id")
                            or headers.get("x-compute-request-id") or ""),
                ms=ms)


def observed(prepared, response, ms: float) -> Call:
    """The call, counted in the process's metrics (every call, in a request or not)."""
    from . import metrics

    call = call_of(prepared, response, ms)
    metrics.observe_call(call)
    return call


class CallCounter:
    """The calls of one request or task. Thread-safe: gather() answers arrive in a pool,
    and two answered at once must not store their counts out of order."""

    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0                 # X-Cloud-Calls: answers to the person's connection
        self._spans: list[tuple[float, float]] = []
        self.calls: list[Call] = []

    def called(self, started: float, ended: float, answered: bool = True,
               call: Call | None = None) -> None:
        """A call through the person's connection: counted, timed (Server-Timing) and
        recorded (the log line)."""
        with self._lock:
            if answered:
                self.value += 1
            self._spans.append((started, ended))
            if call is not None:
                self.calls.append(call)

    def record(self, call: Call) -> None:
        """A call of the service account or the login's session: recorded only."""
        with self._lock:
            self.calls.append(call)

    def wall_ms(self) -> float:
        """How long the request waited for the cloud: the union of its calls' spans
        (calls run concurrently by gather() overlap, and count once)."""
        with self._lock:
            spans = sorted(self._spans)
        total, end = 0.0, None
        for start, stop in spans:
            if end is None or start > end:
                total += stop - start
                end = stop
            elif stop > end:
                total += stop - end
                end = stop
        return total * 1000

    def request_ids(self) -> list[str]:
        return [c.request_id for c in self.calls if c.request_id]
