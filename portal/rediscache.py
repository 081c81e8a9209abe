"""One Redis connection pool per process for Django's cache (CACHES' pool_class).

Why: Django keeps its cache objects in a context-local (django.core.cache.caches), and
under ASGI each request runs in a context of its own, so every request built a new
RedisCache, a new redis-py ConnectionPool and a new TCP connection with its handshake
(HELLO, CLIENT SETINFO): about 1 ms of the instances page's own time on the real cloud
went to that. Django ticket #35651 (open): the pools are per client object, not per
process. Here `from_url` hands every client the pool already made for the same URL and
options. redis-py's pools are thread-safe and start over in a forked child (they check
the pid), so one per process is what redis-py itself expects.
"""

import threading

import redis

_pools: dict[tuple, redis.ConnectionPool] = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs) -> redis.ConnectionPool:
        key = (cls, url, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **kwargs)
            return pool
