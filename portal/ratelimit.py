"""Slow down repeated failed logins, per user name + client address.

Counted atomically in Redis: an attempt first takes a slot (`reserve`), before Keystone is
asked, so that concurrent attempts cannot all pass a check made before any of them has
failed (16 at once all reached Keystone when the count was read, then written). The slot
stays counted when the password was wrong, is given back when the attempt said nothing
about the password (Keystone unreachable, no project), and everything is forgotten on a
successful login.

The attempt that takes the LIMIT-th slot sets the lockout at once: until it ends, every
other attempt is refused without asking Keystone. Each attempt past the limit (one per
lockout) doubles the wait, so guessing stays slow.

The state lives in the portal's own Redis (portal.redisconn), not the cache, which has no
atomic read-modify-write.
"""

import hashlib
import logging
import time

import redis
from django.conf import settings

from . import redisconn

log = logging.getLogger(__name__)

# KEYS[1]: the pair's hash {count, locked_until}; ARGV: now, limit, lockout, window.
# Returns 0 (go ahead, a slot is taken) or the seconds left to wait.
_RESERVE = """
local now = tonumber(ARGV[1])
local locked = tonumber(redis.call('HGET', KEYS[1], 'locked_until') or '0')
if locked > now then return math.max(1, math.ceil(locked - now)) end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local limit, lockout, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if count >= limit then
  local wait = lockout * 2 ^ math.min(count - limit, 6)
  redis.call('HSET', KEYS[1], 'locked_until', tostring(now + wait))
  ttl = math.max(ttl, math.ceil(wait))
end
redis.call('EXPIRE', KEYS[1], ttl)
return 0
"""

# KEYS[1]: the pair's hash; ARGV: limit. Gives one slot back; a lockout that slot set goes.
_RELEASE = """
local count = redis.call('HINCRBY', KEYS[1], 'count', -1)
if count <= 0 then redis.call('DEL', KEYS[1]) return 0 end
if count < tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], 'locked_until') end
return count
"""


def _key(username: str, address: str | None) -> str:
    digest = hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()[:32]
    return f"stackport:login-failures:{digest}"


def _run(script: str, key: str, *args):
    return redisconn.client().eval(script, 1, key, *args)


def reserve(username: str, address: str | None) -> int:
    """Take an attempt's slot: 0 when this attempt may ask Keystone, else the seconds the
    pair must wait. With Redis down the login goes on unthrottled (logged): a person must
    still be able to log in, and Keystone keeps its own lockout rules."""
    try:
        return int(_run(_RESERVE, _key(username, address), time.time(),
                        settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT,
                        settings.LOGIN_FAILURE_WINDOW))
    except redis.RedisError:
        log.warning("login throttle unavailable (Redis): attempt not counted", exc_info=True)
        return 0


def release(username: str, address: str | None) -> None:
    """The reserved attempt said nothing about the password: give its slot back."""
    try:
        _run(_RELEASE, _key(username, address), settings.LOGIN_FAILURE_LIMIT)
    except redis.RedisError:
        log.warning("login throttle unavailable (Redis)", exc_info=True)


def succeeded(username: str, address: str | None) -> None:
    try:
        redisconn.client().delete(_key(username, address))
    except redis.RedisError:
        log.warning("login throttle unavailable (Redis)", exc_info=True)
