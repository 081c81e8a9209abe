"""One-time console tickets.

A ticket is 256 random bits (URL-safe), handed to the page in exactly one place: the
WebSocket URL /ws/consoles/<ticket>/. The database keeps its SHA-256 only, and the upstream
target sealed (Fernet) under a key derived from the ticket, so Nova's console token can be
read back only by whoever presents the ticket. A ticket is bound to the user, the session
(its key, hashed), the server and the target; valid `ticket_ttl()` seconds; usable once:
`take` counts the use with a single conditional UPDATE, so two sockets racing for the same
ticket cannot both win. (SPICE, whose client opens one socket per channel, gets as many
uses as it has channels: SPICE_SOCKETS, same user, same session, same 30 seconds.)
"""

import base64
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.db.models import F
from django.utils import timezone

from . import conf
from .models import ConsoleTicket
from .upstream import Target


@dataclass(frozen=True)
class Binding:
    """Who may use a ticket and what it opens (also what the audit record is made of)."""

    user_id: str
    user_name: str
    role: str
    session_key: str
    server_id: str
    server_name: str
    project_id: str
    console_type: str
    mode: str
    via: str


class Refused(Exception):
    """The socket is refused before anything reaches the upstream."""

    def __init__(self, reason: str, ticket: ConsoleTicket | None = None):
        super().__init__(reason)
        self.reason = reason
        self.ticket = ticket


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _fernet(ticket: str) -> Fernet:
    key = hashlib.sha256(b"stackport console target\0" + ticket.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


SPICE_SOCKETS = 8      # main, display, inputs, cursor, playback, record, port, usbredir


def mint(binding: Binding, target: Target) -> str:
    """A fresh ticket for `binding` → `target`; the plain ticket is returned, never stored."""
    ticket = secrets.token_urlsafe(32)
    now = timezone.now()
    ConsoleTicket.objects.create(
        digest=digest(ticket), user_id=binding.user_id, user_name=binding.user_name,
        role=binding.role, session_digest=digest(binding.session_key),
        server_id=binding.server_id, server_name=binding.server_name,
        project_id=binding.project_id, console_type=binding.console_type, mode=binding.mode,
        via=binding.via, max_uses=SPICE_SOCKETS if binding.console_type == "spice-html5" else 1,
        sealed_target=_fernet(ticket).encrypt(json.dumps(asdict(target)).encode()).decode(),
        created_at=now, expires_at=now + timedelta(seconds=conf.ticket_ttl()))
    prune_expired(now)
    return ticket


def prune_expired(now=None) -> int:
    """Spent and expired tickets are worthless; an hour's grace keeps recent ones
    inspectable. Minting prunes, and so does beat's housekeeping (a portal where nobody
    opens a console for a while still forgets the last ones)."""
    now = now or timezone.now()
    deleted, _ = ConsoleTicket.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    return deleted


def take(ticket: str, user_id: str, session_key: str | None) -> tuple[ConsoleTicket, Target]:
    """Spend the ticket and return what it opens, or raise Refused. The ticket is spent
    first, whatever follows: a ticket shown to a wrong socket is gone for everyone."""
    if not ticket or len(ticket) > 128:
        raise Refused("unknown ticket")
    key = digest(ticket)
    now = timezone.now()
    if not ConsoleTicket.objects.filter(digest=key, uses__lt=F("max_uses")).update(
            uses=F("uses") + 1, used_at=now):
        row = ConsoleTicket.objects.filter(digest=key).first()
        raise Refused("ticket already used" if row else "unknown ticket", row)
    row = ConsoleTicket.objects.get(digest=key)
    if row.expires_at <= now:
        raise Refused("ticket expired", row)
    if row.user_id != user_id:
        raise Refused("ticket of another user", row)
    if not session_key or not secrets.compare_digest(row.session_digest, digest(session_key)):
        raise Refused("ticket of another session", row)
    try:
        target = Target(**json.loads(_fernet(ticket).decrypt(row.sealed_target.encode())))
    except (InvalidToken, TypeError, ValueError):
        raise Refused("ticket damaged", row) from None
    return row, target
