"""The console sessions list (the audit page) as a live list (portal/live.py): a session
opened, closed or refused on any web process, or ended by beat as lost, reaches every open
audit page that shows it, without a reload.

    sort     started_at, newest first (the page's order), then the row's id
    filter   the page's own: user and server (name or id, as the page searches them: a
             literal, case-insensitive), project, type, state (open, closed, refused); a
             page that ends before today (`until`) takes no new rows
    sent to  the session's project (its members see their project's sessions) and
             everyone who sees every project's (admin, helpdesk: ALL_PROJECTS_GROUP)

The row is rendered where the record changed (the relay, beat's close_lost) and sent once;
a failure to send is logged and never touches the console session itself.
"""

import asyncio
import logging
import re

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.utils import timezone

from portal import events, live

from .models import ConsoleSession

log = logging.getLogger(__name__)

LIST = "console-sessions"
SEND_WITHIN = 2.0       # seconds: a channel layer that hangs does not hold the relay


def key(s: ConsoleSession) -> str:
    return f"{s.started_at.isoformat(timespec='microseconds')} {s.pk:012d}"


def state_of(s: ConsoleSession) -> str:
    return "refused" if s.refused else "open" if s.ended_at is None else "closed"


def mark(sessions) -> None:
    for s in sessions:
        s.live_attrs = live.row_attrs(LIST, key(s), {
            "user": [s.user_id, s.user_name], "server": [s.server_id, s.server_name],
            "project": s.project_id, "type": s.console_type, "state": state_of(s)})


def list_attrs(filters: dict, shown: int, limit: int):
    wanted = []
    for field in ("user", "server"):
        if filters.get(field):      # the page's icontains, as a literal in JS's RegExp
            wanted.append((field, "search", re.escape(filters[field])))
    for field, name in (("project", "project"), ("console_type", "type"),
                        ("state", "state")):
        if filters.get(field):
            wanted.append((name, "eq", filters[field]))
    until = filters.get("until")
    return live.list_attrs(LIST, wanted, order="desc",
                           first=not until or until >= timezone.localdate(),
                           last=shown < limit)


def fragment(record_id: int, project_names: dict) -> tuple[str, str] | None:
    """(project id, the row as pushed) of a session, or None when it is gone."""
    s = ConsoleSession.objects.filter(pk=record_id).first()
    if s is None:
        return None
    s.project_name = project_names.get(s.project_id, "")
    mark([s])
    return s.project_id, live.pushed(render_to_string("consoles/_session_row.html", {"s": s}))


def names_known_to(user) -> dict:
    """Project names the relay knows without asking Keystone: the user's own projects (a
    session in another project shows its id until the page is loaded again)."""
    names = {p["id"]: p["name"] for p in (user.projects or [])} if user else {}
    if user:
        names[user.project_id] = user.project_name
    return names


async def aannounce(record_id: int | None, user=None) -> None:
    if record_id is None:
        return
    try:
        said = await database_sync_to_async(fragment)(record_id, names_known_to(user))
        if said:
            project_id, html = said
            await asyncio.wait_for(asyncio.gather(
                events.apublish(project_id, html), events.apublish_to_all_projects(html)),
                SEND_WITHIN)
    except Exception as exc:  # noqa: BLE001 - the list is a view; the session goes on
        log.warning("console session %s: live row not sent: %s: %s", record_id,
                    type(exc).__name__, exc)


def announce(record_ids) -> None:
    """From sync code (beat's close_lost): each session's row, sent as the relay sends it."""
    for record_id in record_ids:
        async_to_sync(aannounce)(record_id)
