"""Keep console tickets out of the web server's logs.

The page's WebSocket URL is /ws/consoles/<ticket>/, and uvicorn logs every WebSocket
handshake with its path ('"WebSocket /ws/consoles/…/" [accepted]' or '403', on the
`uvicorn.error` logger) and every HTTP request on `uvicorn.access`, before the relay has
spent the ticket. A filter on both loggers rewrites the path to /ws/consoles/<redacted>/.
A front proxy (nginx, HAProxy) needs the same treatment for that path: see README
"Consoles".
"""

import logging
import re

TICKET_PATH = re.compile(r"(/ws/consoles/)[^/\s\"?]+")
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    return TICKET_PATH.sub(r"\1<redacted>", text)


class TicketFilter(logging.Filter):
    """Rewrites ticket paths in a record's message and its arguments; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Filter the server's loggers (idempotent). uvicorn configures them before it imports
    the application, and Django's LOGGING leaves them alone, so the filter stays."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TicketFilter) for f in logger.filters):
            logger.addFilter(TicketFilter())
