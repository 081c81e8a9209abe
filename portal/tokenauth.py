"""The auth plugin of a person's kept connection (portal.cloud.connection_for_token): the
token they logged in with, and what it says about the cloud, looked up once.

keystoneauth looks the endpoint up again for every call (and openstacksdk once more for
the microversion): it deep-copies the token's whole catalog to normalise it, then walks
the version discovery (cached, but still walked). A token's catalog does not change while
it lives, and the discovery documents are cached process-wide already
(portal.cloud._discovery_cache), so what a lookup found is kept with the plugin: per
token, so per connection, never shared between people. A lookup that finds nothing is
not kept (asked again next time).
"""

import copy

from keystoneauth1.identity.access import AccessInfoPlugin

MAX_KEPT = 64  # distinct lookups (service × interface × version range): a handful in use


class TokenPlugin(AccessInfoPlugin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._endpoints: dict[str, object] = {}

    def get_endpoint_data(self, session, **kwargs):
        key = repr(sorted(kwargs.items()))
        found = self._endpoints.get(key)
        if found is None:
            found = super().get_endpoint_data(session, **kwargs)
            if found is None:
                return None
            if len(self._endpoints) >= MAX_KEPT:
                self._endpoints.clear()
            self._endpoints[key] = found
        return copy.copy(found)  # callers may set attributes on theirs
