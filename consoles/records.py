"""The ConsoleSession rows the relay writes (sync: called through database_sync_to_async)."""

from datetime import timedelta

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.redisconn import client

from . import conf
from .models import ConsoleSession, ConsoleTicket


def start(ticket: ConsoleTicket, address: str | None) -> int:
    """The session of this ticket (one per ticket: a SPICE client's channel sockets join
    the row its main channel made), with one more open socket."""
    row, _ = ConsoleSession.objects.get_or_create(ticket_digest=ticket.digest, defaults=dict(
        user_id=ticket.user_id, user_name=ticket.user_name, role=ticket.role, via=ticket.via,
        server_id=ticket.server_id, server_name=ticket.server_name,
        project_id=ticket.project_id, console_type=ticket.console_type, mode=ticket.mode,
        address=address, started_at=timezone.now()))
    ConsoleSession.objects.filter(pk=row.pk).update(sockets=F("sockets") + 1,
                                                    open_sockets=F("open_sockets") + 1,
                                                    seen_at=timezone.now())
    return row.pk


def progress(record_id: int, to_client: int, to_server: int) -> None:
    """The heartbeat: the session is alive, with the bytes relayed since the last call
    (several sockets may share the row)."""
    ConsoleSession.objects.filter(pk=record_id).update(
        bytes_to_client=F("bytes_to_client") + to_client,
        bytes_to_server=F("bytes_to_server") + to_server, seen_at=timezone.now())


def end(record_id: int, reason: str, to_client: int, to_server: int) -> None:
    """One socket of the session closed (with its last unrecorded bytes); the session ends
    with its last socket, and the first socket to close says how."""
    ConsoleSession.objects.filter(pk=record_id).update(
        open_sockets=F("open_sockets") - 1, bytes_to_client=F("bytes_to_client") + to_client,
        bytes_to_server=F("bytes_to_server") + to_server)
    ConsoleSession.objects.filter(pk=record_id, close_reason=ConsoleSession.OPEN).update(
        close_reason=reason[:128])
    ConsoleSession.objects.filter(pk=record_id, open_sockets__lte=0,
                                  ended_at__isnull=True).update(ended_at=timezone.now())


def refused(user, reason: str, ticket: ConsoleTicket | None, address: str | None) -> int:
    """A socket refused before it reached the cloud, for the audit page. What the ticket
    was for is shown only to the ticket's owner's side: another user learns nothing."""
    now = timezone.now()
    own = ticket is not None and ticket.user_id == user.user_id
    return ConsoleSession.objects.create(
        user_id=user.user_id, user_name=user.user_name, role=user.perms.label,
        via=ticket.via if own else "", server_id=ticket.server_id if own else "",
        server_name=ticket.server_name if own else "",
        project_id=ticket.project_id if own else user.project_id,
        console_type=ticket.console_type if own else "", mode=ticket.mode if own else "",
        address=address, started_at=now, ended_at=now,
        close_reason=f"refused: {reason}"[:128]).pk


def start_within_cap(ticket: ConsoleTicket, address: str | None, cap: int) -> int | None:
    """Start the session of this ticket's first socket unless the user already has `cap`
    open (None then); a SPICE channel joining its session always may. The count and the
    insert run under a per-user Redis lock: two sockets connecting at the same moment
    would otherwise both see one place left and both take it."""
    if ticket.uses > 1:
        return start(ticket, address)
    with client().lock(f"stackport:consoles:cap:{ticket.user_id}", timeout=30,
                       blocking_timeout=10):
        if open_count(ticket.user_id) >= cap:
            return None
        return start(ticket, address)


def open_count(user_id: str) -> int:
    """Open sessions of the user that still beat."""
    since = timezone.now() - timedelta(seconds=conf.lost_after())
    return ConsoleSession.objects.filter(user_id=user_id, ended_at__isnull=True,
                                         seen_at__gte=since).count()


LOST = "relay lost"


def prune_ended_before(cutoff) -> int:
    """Session records (and refusals) that ended before `cutoff`; open ones stay."""
    deleted, _ = ConsoleSession.objects.filter(ended_at__lt=cutoff).delete()
    return deleted


def close_lost() -> list[int]:
    """End the open sessions whose web process died (no heartbeat for conf.lost_after()):
    ended when last seen, "relay lost". Returns their ids."""
    since = timezone.now() - timedelta(seconds=conf.lost_after())
    lost = ConsoleSession.objects.filter(
        Q(seen_at__lt=since) | Q(seen_at__isnull=True, started_at__lt=since),  # older rows
        ended_at__isnull=True)
    ids = list(lost.values_list("pk", flat=True))
    lost = lost.filter(pk__in=ids)      # still lost: one that beat since is left open
    lost.filter(close_reason=ConsoleSession.OPEN).update(close_reason=LOST)
    lost.update(ended_at=Coalesce("seen_at", "started_at"), open_sockets=0)
    return ids
