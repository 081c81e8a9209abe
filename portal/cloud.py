"""The openstacksdk connection factory: the only way apps reach the cloud.

user_connection(request): the person's own project-scoped token, reused from the session
    with its catalog (no Keystone call per page). The connection (its keep-alive HTTP
    pools) is kept for the person's next request with the same token: `connections`, a
    bounded LRU keyed by the token, never shared between tokens (so never between users
    or projects), dropped when the token expires, when it is revoked (`evict(token)`:
    logout, project switch, a 401) or after CLOUD_CONNECTION_IDLE seconds unused.
service_connection(): the portal's service account from clouds.yaml (OS_CLOUD), for the
    Celery poller and helpdesk; one per process.
keystone_session(): the one session the login's Keystone calls share (no auth of its
    own: each call names its token or plugin).

The calls a request makes through a person's connection are counted on that request
(X-Cloud-Calls): the middleware sets the request's counter in a context variable for the
request (`counting`), the connection's response hook adds to whichever counter is set,
and `gather` runs each call in a copy of the caller's context, so concurrent requests of
the same person on one connection never count each other's calls.
"""

import contextvars
import hashlib
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import openstack
from django.conf import settings
from django.core.signals import setting_changed
from keystoneauth1 import access
from keystoneauth1 import session as ks_session
from openstack.config import loader

from . import cloudcalls, httpenv, retries
from .tokenauth import TokenPlugin

_service_lock = threading.Lock()
_service_conn = None
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="cloud")
# Version discovery documents, shared by every request's session: without this each page
# would cost one extra GET per service to rediscover what the endpoint supports.
_discovery_cache: dict = {}
# keystoneauth retries nothing: what may be sent again is decided in portal/retries.py,
# where urllib3 knows whether the request went out (keystoneauth resent a timed-out POST).
NO_KEYSTONEAUTH_RETRIES = {"connect_retries": 0, "status_code_retries": 0}
# The counter of the request or task being served (portal.cloudcalls.CallCounter), or None.
_calls: contextvars.ContextVar = contextvars.ContextVar("cloud_calls", default=None)


@contextmanager
def counting(counter):
    """Count the person's cloud calls made inside this block (and in the gather() calls
    it starts) on `counter`: `counter.called(start, end, answered)` per HTTP call."""
    reset = _calls.set(counter)
    try:
        yield counter
    finally:
        _calls.reset(reset)


def _timed(requests_session) -> None:
    """Count each HTTP call on the request's counter with the time it took, body read
    included (requests reads it inside `send`; a response hook runs before that): the
    portal's own time on a page is its server time minus the wall time of these."""
    send = requests_session.send

    def timed_send(prepared, **kwargs):
        counter = _calls.get()
        started = time.perf_counter()
        response = None
        try:
            response = send(prepared, **kwargs)
            return response
        finally:
            ended = time.perf_counter()
            call = cloudcalls.observed(prepared, response, (ended - started) * 1000)
            if counter is not None:
                counter.called(started, ended, answered=response is not None, call=call)

    requests_session.send = timed_send


def _record(response, *args, **kwargs):
    """The service account's and the login's calls: recorded (the log line's request
    ids), not counted in X-Cloud-Calls nor in Server-Timing's cloud time."""
    cloudcalls.learn_from_token_answer(response)
    call = cloudcalls.observed(response.request, response,
                               response.elapsed.total_seconds() * 1000)
    counter = _calls.get()
    if counter is not None:
        counter.record(call)
    return response


def new_session(auth=None, **kwargs) -> ks_session.Session:
    """A keystoneauth session with the configured timeout and the safe-retry policy: every
    cloud call the portal makes (login included) goes through one of these."""
    sess = retries.install(ks_session.Session(auth=auth, timeout=settings.CLOUD_TIMEOUT,
                                              **kwargs))
    httpenv.read_once(sess.session)     # the proxy environment, once per origin
    return sess


def connection_for_token(token: str, token_body: dict) -> openstack.connection.Connection:
    auth_ref = access.create(body=token_body, auth_token=token)
    cloudcalls.learn(token_body.get("token", {}).get("catalog"))    # which URL is which
    plugin = TokenPlugin(auth_ref, auth_url=settings.KEYSTONE_URL)  # endpoints looked up once
    sess = new_session(plugin, app_name="stackport", discovery_cache=_discovery_cache)
    _timed(sess.session)       # X-Cloud-Calls and Server-Timing cloud (`counting`)
    return openstack.connection.Connection(
        session=sess, region_name=settings.OS_REGION_NAME,
        interface=settings.OS_INTERFACE, strict_proxies=False, **NO_KEYSTONEAUTH_RETRIES,
    )


def _close(conn) -> None:
    try:
        conn.close()            # its HTTP pools: the kept sockets
    except Exception:  # noqa: BLE001 - best effort, the sockets go with the object anyway
        pass


@dataclass
class _Kept:
    conn: openstack.connection.Connection
    user_id: str
    project_id: str
    expires_at: datetime
    used: float                 # time.monotonic() of the last hand-out

    def usable(self, user_id: str, project_id: str, now: datetime, mono: float) -> bool:
        return (self.user_id == user_id and self.project_id == project_id
                and now < self.expires_at and mono - self.used <= _idle())


def _idle() -> float:
    return settings.CLOUD_CONNECTION_IDLE


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Connections:
    """People's connections kept between requests: at most `size` (CLOUD_CONNECTIONS),
    least recently used dropped first; one per token, handed out only for that token and
    the user and project its body names, never once the token expired or was evicted.
    Thread-safe: requests run in threads and gather() in a pool."""

    def __init__(self, size: int | None = None):
        self._size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    @property
    def size(self) -> int:
        return self._size if self._size is not None else settings.CLOUD_CONNECTIONS

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, token: str) -> bool:
        return _key(token) in self._kept

    def get(self, token: str, token_body: dict) -> openstack.connection.Connection:
        """The token's kept connection, or a new one (kept unless its token expired)."""
        body = token_body["token"]
        user_id, project_id = body["user"]["id"], (body.get("project") or {}).get("id", "")
        key = _key(token)
        now, mono = datetime.now(UTC), time.monotonic()
        gone = []
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                if kept.usable(user_id, project_id, now, mono):
                    kept.used = mono
                    self._kept.move_to_end(key)
                    return kept.conn
                gone.append(self._kept.pop(key).conn)
        for conn in gone:
            _close(conn)
        conn = connection_for_token(token, token_body)      # no network: outside the lock
        expires_at = conn.session.auth.auth_ref.expires
        if expires_at is None or expires_at <= now or self.size <= 0:
            return conn                                     # this request's only
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept.usable(user_id, project_id, now, mono):
                gone.append(conn)                           # a concurrent request won
                conn = kept.conn
            else:
                if kept is not None:
                    gone.append(kept.conn)
                self._kept[key] = _Kept(conn, user_id, project_id, expires_at, mono)
                self._kept.move_to_end(key)
            gone.extend(self._sweep(now, mono))
        for old in gone:
            _close(old)
        return conn

    def _sweep(self, now: datetime, mono: float) -> list:
        """Under the lock: drop expired and idle entries, then the oldest over the bound."""
        gone = [k for k, kept in self._kept.items()
                if now >= kept.expires_at or mono - kept.used > _idle()]
        dropped = [self._kept.pop(k).conn for k in gone]
        while len(self._kept) > max(self.size, 0):
            dropped.append(self._kept.popitem(last=False)[1].conn)
        return dropped

    def evict(self, token: str) -> bool:
        """Forget (and close) the token's connection: it was revoked or replaced."""
        if not token:
            return False
        with self._lock:
            kept = self._kept.pop(_key(token), None)
        if kept is not None:
            _close(kept.conn)
        return kept is not None

    def clear(self) -> None:
        with self._lock:
            gone = [kept.conn for kept in self._kept.values()]
            self._kept.clear()
        for conn in gone:
            _close(conn)


connections = Connections()


def evict(token: str) -> bool:
    """The token's kept connection is closed and forgotten (logout, project switch, a
    token the cloud refused): no later request gets it."""
    return connections.evict(token)


def user_connection(request) -> openstack.connection.Connection:
    """The person's connection for this request: kept from their previous request with
    the same token, else built from the session's scoped token (and kept). Its calls are
    counted on the request being served (`counting`)."""
    conn = getattr(request, "_cloud_conn", None)
    if conn is None:
        user = request.cloud_user
        conn = connections.get(user.token, user.token_body)
        request._cloud_conn = conn
    return conn


def service_connection() -> openstack.connection.Connection:
    global _service_conn
    with _service_lock:
        if _service_conn is None:
            _service_conn = openstack.connection.Connection(config=service_region(),
                                                            strict_proxies=False)
        return _service_conn


def service_region():
    """The service account's cloud from clouds.yaml, under the same rules as a person's
    connection: PORTAL_CLOUD_TIMEOUT as its timeout (openstacksdk's `api_timeout`, else
    none at all) and the safe-retry policy, whatever retries clouds.yaml asks for."""
    config = loader.OpenStackConfig(config_files=[settings.OS_CLIENT_CONFIG_FILE])
    region = config.get_one(cloud=settings.OS_CLOUD, api_timeout=settings.CLOUD_TIMEOUT)
    # Per-service spellings too (compute_connect_retries, ...): the proxies read those.
    for key in list(region.config):
        if key.endswith(("connect_retries", "status_code_retries")):
            region.config[key] = 0
    region.config.update(NO_KEYSTONEAUTH_RETRIES)
    sess = retries.install(region.get_session())
    sess.session.hooks["response"].append(_record)     # the task's log line
    return region


def reset_service_connection() -> None:
    global _service_conn
    with _service_lock:
        _service_conn = None


def gather(**calls):
    """Run independent cloud calls concurrently: gather(servers=fn, flavors=fn2) →
    {"servers": ..., "flavors": ...}. The first exception is raised. Each call runs in a
    copy of the caller's context: its cloud calls count toward the caller's request."""
    futures = {name: _pool.submit(contextvars.copy_context().run, fn)
               for name, fn in calls.items()}
    return {name: f.result() for name, f in futures.items()}


_keystone_lock = threading.Lock()
_keystone_session = None


def keystone_session() -> ks_session.Session:
    """The session every login call (authenticate, scope, list projects, revoke) shares,
    so that they reuse its keep-alive connection to Keystone. It has no auth: each call
    passes its own plugin or token."""
    global _keystone_session
    with _keystone_lock:
        if _keystone_session is None:
            _keystone_session = new_session()
            _keystone_session.session.hooks["response"].append(_record)
        return _keystone_session


def _forget_sessions(*, setting, **kwargs) -> None:
    """Tests change where the cloud is and how long a call may take: what was kept for
    the old settings goes."""
    global _keystone_session
    if setting in ("KEYSTONE_URL", "CLOUD_TIMEOUT", "OS_REGION_NAME", "OS_INTERFACE"):
        with _keystone_lock:
            _keystone_session = None
        connections.clear()


setting_changed.connect(_forget_sessions)
