"""The operator's URLs: /healthz, /readyz (portal/health.py) and /metrics (portal/metrics.py).

Answered by the first middleware, before SecurityMiddleware's HTTPS redirect and before
CommonMiddleware validates the Host header: a balancer or Prometheus connects to the
process's own address (http://10.0.3.7:8000/readyz), a Host that ALLOWED_HOSTS rightly
refuses, over plain HTTP behind the TLS proxy. No session, no cloud call, no log line per
probe (a balancer probing every second would drown the request log).
"""

import json

from django.http import HttpResponse

from . import health


def _json(body: dict, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json",
                        headers={"Cache-Control": "no-store"})


def healthz(request) -> HttpResponse:
    return _json({"status": "alive"}, 200)


def readyz(request) -> HttpResponse:
    checks = health.readiness()
    ready = all(said == health.OK for said in checks.values())
    return _json({"status": "ready" if ready else "not ready", "checks": checks},
                 200 if ready else 503)


def metrics(request) -> HttpResponse:
    from . import metrics as portal_metrics

    return portal_metrics.view(request)


HANDLERS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        handler = HANDLERS.get(request.path_info.rstrip("/") or "/")
        if handler is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        request.is_probe = True            # the request log leaves these out
        return handler(request)
