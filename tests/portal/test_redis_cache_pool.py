"""Django's cache keeps one Redis connection pool per process (portal.rediscache): under
ASGI each request runs in a context of its own, where django.core.cache.caches hands out a
new RedisCache, and each of those made its own pool and a new TCP connection (Django
ticket #35651)."""

import contextvars

from django.core.cache import caches


def in_request_context(fn):
    """Run fn as an ASGI request runs: in a fresh context."""
    return contextvars.Context().run(fn)


def pool_of(cache):
    return cache._cache._get_connection_pool(write=False)


def test_requests_in_contexts_of_their_own_share_one_pool_and_connection():
    def one_request(n):
        cache = caches["default"]
        cache.set(f"rediscache-test:{n}", n, 30)
        assert cache.get(f"rediscache-test:{n}") == n
        return cache

    first, second = in_request_context(lambda: one_request(1)), \
        in_request_context(lambda: one_request(2))
    assert first is not second                # what Django does under ASGI: a cache each
    assert pool_of(first) is pool_of(second)  # what it did not: one pool for both
    made = pool_of(first)._created_connections
    for n in range(3, 13):
        in_request_context(lambda n=n: one_request(n))
    assert pool_of(first)._created_connections == made  # ten more requests, no new socket


def test_another_redis_url_gets_a_pool_of_its_own():
    from portal.rediscache import SharedConnectionPool

    a = SharedConnectionPool.from_url("redis://127.0.0.1:6379/3", socket_timeout=5)
    b = SharedConnectionPool.from_url("redis://127.0.0.1:6379/4", socket_timeout=5)
    c = SharedConnectionPool.from_url("redis://127.0.0.1:6379/3", socket_timeout=1)
    assert a is SharedConnectionPool.from_url("redis://127.0.0.1:6379/3", socket_timeout=5)
    assert len({id(a), id(b), id(c)}) == 3
