"""Which cloud calls may be sent again, and the HTTP session every cloud call goes through.

keystoneauth's own `connect_retries` resends any request that failed with what it calls a
connection failure, and it maps a *read timeout* to `ConnectTimeout` too: a slow
`POST /servers` was sent twice (two servers for one launch) and a 15 s timeout became 30 s.
So keystoneauth retries nothing here (`connect_retries=0` on every connection), and the
retry lives one level down, in urllib3, which knows how far a request got:

- the connection could not be made (refused, unreachable): nothing was sent, so any
  method is sent again, once;
- the connection broke after the request went out (reset, closed without an answer):
  only idempotent methods are sent again; a POST may already have made something;
- a timeout, connecting or reading, is never retried: the configured timeout is the
  whole wait, and a server that is slow now is slow on the second try too.

A pooled keep-alive connection that the API server has closed (gunicorn/uwsgi close idle
ones) is noticed by urllib3 before it is reused, and a fresh one is opened instead. One
that the server is closing *just then* is not: a request sent on it is reset, and a POST
would not be sent again. So a pooled connection idle for longer than `keepalive`
(PORTAL_CLOUD_KEEPALIVE, 1.5 s: below gunicorn's 2 s, the shortest usual server timeout)
is closed and replaced before it carries a request, instead of racing the server's close.
"""

import time

from django.conf import settings
from keystoneauth1 import session as ks_session
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class SafeRetry(Retry):
    """urllib3's Retry, minus timeouts (see the module docstring)."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None):
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(_stacktrace)     # requests: ReadTimeout
        if isinstance(error, ConnectTimeoutError) and not isinstance(error,
                                                                     NewConnectionError):
            raise MaxRetryError(_pool, url, error) from error   # requests: ConnectTimeout
        return super().increment(method, url, response, error, _pool, _stacktrace)


def policy() -> SafeRetry:
    # One retry of a failure that is safe to repeat; no retry on HTTP status codes
    # (a 5xx is the cloud's answer, shown as such), and redirects stay keystoneauth's.
    return SafeRetry(total=1, connect=1, read=1, other=0, status=0, redirect=False,
                     allowed_methods=IDEMPOTENT, raise_on_redirect=False,
                     raise_on_status=False, respect_retry_after_header=False)


class _FreshIdle:
    """A pool whose connections idle longer than `keepalive` seconds are reopened."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        since = getattr(conn, "_idle_since", None)
        if since is not None and time.monotonic() - since > settings.CLOUD_KEEPALIVE:
            conn.close()        # reconnects on its next request
        return conn

    def _put_conn(self, conn):
        if conn is not None:
            conn._idle_since = time.monotonic()
        super()._put_conn(conn)


class FreshIdleHTTPConnectionPool(_FreshIdle, HTTPConnectionPool):
    pass


class FreshIdleHTTPSConnectionPool(_FreshIdle, HTTPSConnectionPool):
    pass


class SafeRetryAdapter(ks_session.TCPKeepAliveAdapter):
    """keystoneauth's adapter (TCP keep-alive, no Nagle) with the retry policy above, and
    pools that never reuse a connection the server may be closing (module docstring)."""

    def __init__(self, **kwargs):
        super().__init__(max_retries=policy(), **kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": FreshIdleHTTPConnectionPool,
                                                   "https": FreshIdleHTTPSConnectionPool}


def install(sess: ks_session.Session) -> ks_session.Session:
    """Mount the safe-retry adapter on a keystoneauth session's requests session."""
    adapter = SafeRetryAdapter()
    for scheme in ("http://", "https://"):
        sess.session.mount(scheme, adapter)
    return sess
