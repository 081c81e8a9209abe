"""The openstacksdk connection factory: the only way apps reach the cloud.

user_connection(request): the person's own project-scoped token, reused from the session
    with its catalog (no Keystone call per page).
service_connection(): the portal's service account from clouds.yaml (OS_CLOUD), for the
    Celery poller and helpdesk; one per process.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import openstack
from django.conf import settings
from keystoneauth1 import access
from keystoneauth1 import session as ks_session
from keystoneauth1.identity.access import AccessInfoPlugin
from openstack.config import loader

from . import retries

_service_lock = threading.Lock()
_service_conn = None
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="cloud")
# Version discovery documents, shared by every request's session: without this each page
# would cost one extra GET per service to rediscover what the endpoint supports.
_discovery_cache: dict = {}
# keystoneauth retries nothing: what may be sent again is decided in portal/retries.py,
# where urllib3 knows whether the request went out (keystoneauth resent a timed-out POST).
NO_KEYSTONEAUTH_RETRIES = {"connect_retries": 0, "status_code_retries": 0}


def new_session(auth=None, **kwargs) -> ks_session.Session:
    """A keystoneauth session with the configured timeout and the safe-retry policy: every
    cloud call the portal makes (login included) goes through one of these."""
    return retries.install(ks_session.Session(auth=auth, timeout=settings.CLOUD_TIMEOUT,
                                              **kwargs))


def connection_for_token(token: str, token_body: dict) -> openstack.connection.Connection:
    auth_ref = access.create(body=token_body, auth_token=token)
    plugin = AccessInfoPlugin(auth_ref, auth_url=settings.KEYSTONE_URL)
    sess = new_session(plugin, app_name="stackport", discovery_cache=_discovery_cache)
    return openstack.connection.Connection(
        session=sess, region_name=settings.OS_REGION_NAME,
        interface=settings.OS_INTERFACE, strict_proxies=False, **NO_KEYSTONEAUTH_RETRIES,
    )


def user_connection(request) -> openstack.connection.Connection:
    """One connection per request, built from the session's scoped token. Every HTTP call
    it makes is counted on the request (X-Cloud-Calls header, benchmarks)."""
    conn = getattr(request, "_cloud_conn", None)
    if conn is None:
        user = request.cloud_user
        conn = connection_for_token(user.token, user.token_body)
        counter = getattr(request, "cloud_calls", None)
        if counter is not None:
            conn.session.session.hooks["response"].append(counter.hook)
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
    retries.install(region.get_session())
    return region


def reset_service_connection() -> None:
    global _service_conn
    with _service_lock:
        _service_conn = None


def gather(**calls):
    """Run independent cloud calls concurrently: gather(servers=fn, flavors=fn2) →
    {"servers": ..., "flavors": ...}. The first exception is raised."""
    futures = {name: _pool.submit(fn) for name, fn in calls.items()}
    return {name: f.result() for name, f in futures.items()}
