"""Attach the Keystone session to each request and turn cloud auth failures into a login.

- request.cloud_user / request.perms from the server-side session.
- A token past its expiry, or one the cloud rejects (401: expired or revoked), sends the
  person back to the login page with a message.
- Changing requests from users who cannot change anything are refused (403) here, once
  for every view (portal.access.enforce_read_only).
- A cloud that does not answer gives a 503 page with a plain message, not a stack trace.
- Any other error answer from the cloud that reaches here becomes a page saying what the
  cloud said: a refusal (403, e.g. a policy the person's role does not pass) a 403 page,
  a 404 the not-found page, a 5xx a 502 page, another 4xx a 400 page. Forms and buttons
  show their own refusals (CloudRefused); this is the net under every page.
"""

import logging
import time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from . import cloud, logs, metrics, session
from .access import enforce_read_only
from .actor import Actor, new_request_id
from .cloudcalls import CallCounter  # noqa: F401 - where tests and benches find it
from .errors import cloud_said
from .sessionsockets import ENDED, EXPIRED, end_session_sockets

log = logging.getLogger(__name__)

UNREACHABLE = (ks_exc.ConnectFailure, ks_exc.ConnectTimeout, ks_exc.RequestTimeout,
               ks_exc.DiscoveryFailure, ks_exc.EndpointNotFound)


def is_unauthorized(exc: Exception) -> bool:
    if isinstance(exc, ks_exc.Unauthorized):
        return True
    return isinstance(exc, os_exc.HttpException) and exc.status_code == 401


def is_unreachable(exc: Exception) -> bool:
    if isinstance(exc, UNREACHABLE):
        return True
    cause = exc.__cause__ or exc.__context__
    return isinstance(exc, os_exc.SDKException) and isinstance(cause, UNREACHABLE)


def to_login(request, message: str, reason: str = EXPIRED):
    user = getattr(request, "cloud_user", None)
    if user:
        cloud.evict(user.token)      # expired or refused: its kept connection goes too
    session_key = request.session.session_key
    request.session.flush()
    end_session_sockets(session_key, reason)
    messages.warning(request, message)
    url = f"/login/?next={request.get_full_path()}"
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


class CloudSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, started_cpu = time.perf_counter(), time.thread_time()
        user = session.load(request)
        request.cloud_user = user
        request.perms = user.perms if user else None
        request.cloud_calls = CallCounter()
        request.request_id = new_request_id()
        # Who the request acts for, handed to selectors and services (built on first use).
        request.actor = SimpleLazyObject(lambda: Actor.for_request(request)) if user else None
        # Every line logged while serving it names the request (portal/logs.py).
        with logs.bound(request_id=request.request_id, user=user and user.user_name,
                        project=user and user.project_id):
            if user and user.expired:
                response = to_login(request, "Your session has expired. Please log in again.")
            else:
                with cloud.counting(request.cloud_calls):
                    response = self.get_response(request)
            # What a page cost: server time and cloud API calls (read by bench/ scripts).
            # `cpu` is this thread's CPU time: own time well above it was spent waiting
            # (for the GIL, for a core), not computing.
            elapsed_ms = (time.perf_counter() - started) * 1000
            cpu_ms = (time.thread_time() - started_cpu) * 1000
            cloud_ms = request.cloud_calls.wall_ms()
            response["Server-Timing"] = (f"app;dur={elapsed_ms:.1f}, cloud;dur={cloud_ms:.1f}, "
                                         f"own;dur={max(elapsed_ms - cloud_ms, 0):.1f}, "
                                         f"cpu;dur={cpu_ms:.1f}")
            response["X-Cloud-Calls"] = str(request.cloud_calls.value)
            response["X-Request-Id"] = request.request_id
            logs.request_finished(request, response, elapsed_ms)
            metrics.observe_request(request, response, elapsed_ms)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        logs.bind(view=match.view_name if match else None)
        enforce_read_only(request, view_func)
        user = request.cloud_user
        if user and user.projects is None:
            # A login that went straight to the project listed none (its POST waits for
            # one Keystone token only): the first page after it lists them (one call).
            try:
                session.ensure_projects(request)
            except ks_exc.Unauthorized:
                return to_login(request, "Your login is no longer valid (it expired or "
                                         "was revoked). Please log in again.", ENDED)
        return None

    def process_exception(self, request, exc):
        if is_unauthorized(exc) and request.cloud_user:
            return to_login(request, "Your login is no longer valid (it expired or was "
                                     "revoked). Please log in again.", ENDED)
        if is_unreachable(exc):
            log.warning("cloud unreachable on %s: %s", request.path, exc)
            return render(request, "portal/cloud_unreachable.html", status=503)
        if isinstance(exc, os_exc.HttpException) and exc.status_code:
            return cloud_error_page(request, exc)
        return None


def cloud_error_page(request, exc: os_exc.HttpException):
    """The page for an error answer from the cloud that no view turned into words."""
    said = cloud_said(exc)
    log.warning("cloud answered %s on %s: %s (request %s)", exc.status_code,
                request.path, said, getattr(exc, "request_id", None))
    if exc.status_code == 404:
        return render(request, "404.html", status=404)
    if exc.status_code == 403:
        return render(request, "portal/cloud_refused.html", {"said": said}, status=403)
    return render(request, "portal/cloud_error.html", {
        "said": said, "cloud_status": exc.status_code,
        "cloud_request_id": getattr(exc, "request_id", None)},
        status=502 if exc.status_code >= 500 else 400)
