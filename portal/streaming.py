"""Request bodies a view reads as they arrive, instead of Django's buffered copy.

Django's ASGIHandler reads the whole body before any middleware or view runs: into memory
up to FILE_UPLOAD_MAX_MEMORY_SIZE, then into a temporary file on the portal's disk. For an
image upload (gigabytes, on their way to Glance) both are wrong. So:

    @streams_body                       a view (or view class) whose PUT body is read by
    class UploadData(View): ...         the view itself: request.read(n) pulls the next
                                        bytes from the client, as the client sends them

and `StreamingASGIHandler` (portal/asgi.py) gives such a request a `BodyStream` as its
body. Every middleware still runs (session, CSRF from the X-CSRFToken header, the
read-only rule: a reader's upload is refused before one byte is read); nothing may touch
request.body or request.POST, which would read it all (an octet-stream body has no POST).

How the bytes flow: the view runs in its request's own thread (Django's sync views under
ASGI); each read asks the event loop for the next ASGI `http.request` message and waits
for it. uvicorn stops reading the socket while ~64 KiB are waiting, so the client is held
to the speed the view consumes at and the process holds at most a chunk or two per upload.
A client that goes away (`http.disconnect`) or sends nothing for `idle_timeout` seconds
makes the next read raise BodyBroken; the view decides what that means.

Only PUT requests to a marked view stream: every other request is Django's as before.
"""

import asyncio
import io

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.urls import Resolver404, resolve, set_script_prefix

STREAMED_METHODS = ("PUT",)


class BodyBroken(Exception):
    """The client stopped sending before the body was complete (it went away, or sent
    nothing for too long). Deliberately not an OSError: HTTP libraries turn those into
    connection errors they may retry."""


def streams_body(view):
    """Mark a view (function or class) as reading its own PUT body (see module doc)."""
    view.streams_body = True
    return view


def _marked(func) -> bool:
    return bool(getattr(func, "streams_body", False)
                or getattr(getattr(func, "view_class", None), "streams_body", False))


class BodyStream(io.RawIOBase):
    """The request body, read from the ASGI `receive` channel on demand (from the view's
    thread: the event loop serves each read)."""

    def __init__(self, receive, loop, idle_timeout: float):
        super().__init__()
        self._receive = receive
        self._loop = loop
        self._idle = idle_timeout
        self._buffer = b""
        self._more = True
        self.received = 0

    def readable(self) -> bool:
        return True

    def _next_message(self) -> dict:
        future = asyncio.run_coroutine_threadsafe(self._receive(), self._loop)
        try:
            return future.result(timeout=self._idle)
        except TimeoutError:
            future.cancel()
            raise BodyBroken(f"the client sent nothing for {self._idle:.0f} s") from None

    def _fill(self) -> None:
        while not self._buffer and self._more:
            message = self._next_message()
            if message["type"] == "http.disconnect":
                self._more = False
                raise BodyBroken("the client went away")
            self._buffer = message.get("body", b"")
            self._more = message.get("more_body", False)
            self.received += len(self._buffer)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(1 << 20):
                parts.append(chunk)
            return b"".join(parts)
        self._fill()
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk

    def readinto(self, b) -> int:
        chunk = self.read(len(b))
        b[:len(chunk)] = chunk
        return len(chunk)


class StreamingASGIHandler(ASGIHandler):
    """Django's ASGI handler; PUTs to a view marked @streams_body get a BodyStream."""

    def streams(self, scope) -> bool:
        if scope.get("method") not in STREAMED_METHODS:
            return False
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        try:
            return _marked(resolve(path).func)
        except Resolver404:
            return False

    async def handle(self, scope, receive, send):
        if not self.streams(scope):
            return await super().handle(scope, receive, send)
        body = BodyStream(receive, asyncio.get_running_loop(),
                          settings.STREAMED_BODY_IDLE_TIMEOUT)
        set_script_prefix(get_script_prefix(scope))
        await signals.request_started.asend(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body)
        if request is None:
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return
        # No disconnect listener beside the view, as Django runs for buffered bodies: it
        # would take the body's messages. The view's reads see a disconnect themselves.
        response = await self.run_get_response(request)
        try:
            await self.send_response(response, send)
        except (asyncio.CancelledError, OSError):
            pass                    # the client is gone; the view has done its part
        await sync_to_async(response.close)()
        body.close()
