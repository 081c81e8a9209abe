"""The HTTP environment (proxy variables, no_proxy, CA bundle) read once per origin.

requests reads it on every call (`Session.merge_environment_settings`): it walks the whole
of os.environ for *_proxy variables and checks no_proxy, 105 µs a call with 35 variables
(more in a container's longer environment); read from here, 1.6 µs. A web process's
environment does not change while it runs, so what it says for an origin is kept for the
process (a few origins: the catalog's endpoints and Keystone).
"""

from functools import lru_cache
from urllib.parse import urlsplit

import requests

# Reads the environment only; never sends (holds no pools, no sockets).
_reader = requests.Session()


@lru_cache(maxsize=256)
def _merged(origin: str, proxies: tuple, stream, verify, cert) -> dict:
    return _reader.merge_environment_settings(origin + "/", dict(proxies), stream, verify,
                                              cert)


def _as_requests_has_it(session: requests.Session) -> bool:
    """A session with settings of its own merges them in; only a default one is cached."""
    return (session.trust_env and not session.proxies and session.verify is True
            and session.cert is None and not session.stream)


def read_once(session: requests.Session) -> requests.Session:
    """Make `session` take what the environment says for a URL's origin from the cache."""
    merge = session.merge_environment_settings

    def merge_environment_settings(url, proxies, stream, verify, cert):
        if not _as_requests_has_it(session):
            return merge(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        try:
            said = _merged(f"{parts.scheme}://{parts.netloc}",
                           tuple(sorted((proxies or {}).items())), stream, verify, cert)
        except TypeError:       # an unhashable verify/cert value: read as requests does
            return merge(url, proxies, stream, verify, cert)
        if proxies is not None:     # requests fills the caller's dict in too
            for scheme, proxy in said["proxies"].items():
                proxies.setdefault(scheme, proxy)
        return {**said, "proxies": dict(said["proxies"])}

    session.merge_environment_settings = merge_environment_settings
    return session


def forget() -> None:
    """Read the environment again on the next call (tests that change it)."""
    _merged.cache_clear()
