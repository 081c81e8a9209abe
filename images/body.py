"""The upload's bytes on their way from the browser to Glance, never all at once.

`StreamedFile(read, size)` is what the Glance PUT sends: an iterable of ~1 MiB chunks,
each read from the request as it arrives (portal/streaming.py under ASGI; the test
client's in-memory body in tests). requests sends an iterable with chunked transfer
encoding, and `tell()` failing makes urllib3 refuse to resend a body it cannot rewind
(a retry after a broken connection would otherwise send the *rest* of the file as if it
were all of it).
"""

from portal.streaming import BodyBroken

CHUNK = 1 << 20


class StreamedFile:
    def __init__(self, read, size: int):
        self._read = read
        self.size = size
        self.sent = 0

    def tell(self):
        raise OSError("a streamed upload cannot be rewound")

    def __iter__(self):
        while self.sent < self.size:
            chunk = self._chunk()
            if not chunk:
                raise BodyBroken(f"the file ended after {self.sent} of {self.size} bytes")
            self.sent += len(chunk)
            yield chunk

    def _chunk(self) -> bytes:
        """Up to CHUNK bytes (fewer at the end): one ASGI message is ~64 KiB, and fewer,
        larger writes to Glance cost less."""
        parts, got = [], 0
        want = min(CHUNK, self.size - self.sent)
        while got < want:
            part = self._read(want - got)
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)
