"""/ws/events/: live updates for the pages of the session's current project, for as long
as the session lasts (portal/sessionsockets.py).

With Redis away (or just back, and a connection of the layer's failing) the socket is
closed with TRY_AGAIN, which the page's socket retries after its backoff (static/js/
live.js), instead of a 500 or 1011 with a traceback; whatever it held (its session watch,
its groups, the open-sockets gauge) is let go however it ends."""

import contextlib
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from . import metrics
from .access import permissions_for
from .channellayer import LAYER_DOWN
from .events import ADMIN_GROUP, ALL_PROJECTS_GROUP, audience_group, project_group, user_group
from .session import KEY, CloudUser
from .sessionsockets import SESSION_ENDED, SessionWatch
from .wsguards import refuse

log = logging.getLogger(__name__)

TRY_AGAIN = 1013   # "try again later": htmx's ws extension reconnects on it (and 1006/1011)


async def session_user(scope) -> CloudUser | None:
    """The portal user of the socket's session (the session loads from the database)."""
    data = await database_sync_to_async(scope["session"].get)(KEY)
    return CloudUser(**data) if data else None


class EventsConsumer(AsyncWebsocketConsumer):
    groups_joined: tuple[str, ...] = ()
    user: CloudUser | None = None
    watch: SessionWatch | None = None
    counted = False             # in stackport_websockets_open

    async def __call__(self, scope, receive, send):
        # The session is checked before the consumer subscribes to the channel layer:
        # a refused socket costs no subscription (see portal/wsguards.py).
        self.user = await session_user(scope)
        if self.user is None or self.user.expired:
            return await refuse(receive, send, 4401)
        try:
            return await super().__call__(scope, receive, send)
        except LAYER_DOWN as exc:
            log.warning("live socket closed, the channel layer failed: %s: %s",
                        type(exc).__name__, exc)
            with contextlib.suppress(Exception):    # the client may be gone already
                await self.close(code=TRY_AGAIN)
        finally:
            await self.release()

    async def connect(self):
        perms = permissions_for(self.user.roles)
        # the project's fragments, and those for this person's role (portal.events)
        self.groups_joined = (project_group(self.user.project_id),
                              audience_group(self.user.project_id, perms.audience),
                              user_group(self.user.user_id, perms.audience))
        if perms.is_admin:
            self.groups_joined += (ADMIN_GROUP,)
        if perms.can_search_all_projects:
            self.groups_joined += (ALL_PROJECTS_GROUP,)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.counted = True
        metrics.WEBSOCKETS.labels("events").inc()
        self.watch = SessionWatch(self.scope["session"].session_key, self.user.token,
                                  self.user.expires_at, self.session_ended)
        await self.watch.start()

    async def session_ended(self, reason: str) -> None:
        await self.close(code=SESSION_ENDED, reason=reason)

    async def disconnect(self, code):
        await self.release()

    async def release(self) -> None:
        """Let go of what the socket held; once, whether it closed or its consumer failed
        (channels calls disconnect() only for the first)."""
        if self.counted:
            self.counted = False
            metrics.WEBSOCKETS.labels("events").dec()
        watch, self.watch = self.watch, None
        if watch:
            await watch.stop()
        groups, self.groups_joined = self.groups_joined, ()
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except LAYER_DOWN:      # Redis away: the entry expires with the group
                log.info("group discard failed (%s)", group)

    async def receive(self, text_data=None, bytes_data=None):
        pass  # the channel is one-way: the browser sends nothing we act on

    async def portal_event(self, event):
        await self.send(text_data=event["html"])
