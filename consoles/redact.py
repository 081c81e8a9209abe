"""Keep console tickets out of the web server's access log.

The page's WebSocket URL is /ws/consoles/<ticket>/ and daphne's access log (on by default:
verbosity 1 writes it to stdout) prints WebSocket paths as they connect, before the relay
has spent the ticket. The entry is rewritten to /ws/consoles/<redacted>/ at the one place
daphne formats it. A front proxy (nginx, HAProxy) needs the same treatment for that path:
see README "Consoles".
"""

import re

TICKET_PATH = re.compile(r"(/ws/consoles/)[^/\s\"?]+")


def redact(text: str) -> str:
    return TICKET_PATH.sub(r"\1<redacted>", text)


def install() -> None:
    try:
        from daphne.access import AccessLogGenerator
    except ImportError:          # not running under daphne
        return
    if getattr(AccessLogGenerator.write_entry, "stackport_redacts", False):
        return
    original = AccessLogGenerator.write_entry

    def write_entry(self, host, date, request, *args, **kwargs):
        return original(self, host, date, redact(request), *args, **kwargs)

    write_entry.stackport_redacts = True
    AccessLogGenerator.write_entry = write_entry
