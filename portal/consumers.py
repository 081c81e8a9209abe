"""/ws/events/: live updates for the pages of the session's current project."""

from channels.generic.websocket import AsyncWebsocketConsumer

from .events import project_group
from .session import KEY, CloudUser


class EventsConsumer(AsyncWebsocketConsumer):
    group: str | None = None

    async def connect(self):
        data = self.scope["session"].get(KEY)
        user = CloudUser(**data) if data else None
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
