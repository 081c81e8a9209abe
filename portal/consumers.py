"""/ws/events/: live updates for the pages of the session's current project."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .events import project_group
from .session import KEY, CloudUser


async def session_user(scope) -> CloudUser | None:
    """The portal user of the socket's session (the session loads from the database)."""
    data = await database_sync_to_async(scope["session"].get)(KEY)
    return CloudUser(**data) if data else None


class EventsConsumer(AsyncWebsocketConsumer):
    group: str | None = None

    async def connect(self):
        user = await session_user(self.scope)
        if user is None or user.expired:
            await self.close(code=4401)  # before accept: the handshake gets a 403
            return
        self.group = project_group(user.project_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        pass  # the channel is one-way: the browser sends nothing we act on

    async def portal_event(self, event):
        await self.send(text_data=event["html"])
