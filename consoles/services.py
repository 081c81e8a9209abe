"""Opening a console: ask Nova, work out the upstream, mint the one-time ticket."""

import logging

from openstack import exceptions as os_exc

from portal.cloud import service_connection

from . import conf, tickets, upstream
from .selectors import SERVICE_ACCOUNT, ConsoleServer
from .types import ConsoleType

log = logging.getLogger(__name__)


class ConsoleUnavailable(Exception):
    """A console the cloud will not give; the message is for the person on the page."""


def _nova_says(exc: os_exc.HttpException) -> str:
    # `details` is Nova's own message; str(exc) would carry the request URL as well.
    return (getattr(exc, "details", None) or "").strip().rstrip(".")


def remote_console_url(server: ConsoleServer, ctype: ConsoleType) -> str:
    try:
        console = server.conn.compute.create_console(
            server.id, console_type=ctype.key, console_protocol=ctype.protocol)
    except os_exc.ConflictException as exc:
        raise ConsoleUnavailable(
            f"The server is not ready for a console yet (status {server.status}). "
            f"Nova says: {_nova_says(exc) or 'conflict'}.") from None
    except os_exc.BadRequestException as exc:
        raise ConsoleUnavailable(
            f"This cloud does not offer {ctype.label} consoles for this server. "
            f"Nova says: {_nova_says(exc) or 'bad request'}.") from None
    except os_exc.ForbiddenException:
        raise ConsoleUnavailable("The cloud's policy does not let you open this console.") \
            from None
    url = (console or {}).get("url")
    if not url:
        raise ConsoleUnavailable("The cloud returned no console address.")
    return url


def upstream_target(server: ConsoleServer, console_url: str, mode: str) -> tickets.Target:
    try:
        if mode == "proxy":
            return upstream.proxy_target(console_url)
        token = upstream.console_token(console_url)
        # os-console-auth-tokens is an admin API: always the service account.
        auth = service_connection().compute.validate_console_auth_token(token)
        if auth.instance_uuid and auth.instance_uuid != server.id:
            raise upstream.UpstreamError("the console token belongs to another server")
        return upstream.direct_target({"host": auth.host, "port": auth.port,
                                       "internal_access_path": auth.internal_access_path})
    except os_exc.NotFoundException:
        raise ConsoleUnavailable("The cloud no longer knows the console token.") from None
    except upstream.UpstreamError as exc:
        raise ConsoleUnavailable(f"The console cannot be reached: {exc}.") from None


def open_console(actor, server: ConsoleServer, ctype: ConsoleType, session_key: str) -> str:
    """A fresh ticket for the server's console, bound to `actor` and their login session
    (`session_key`: the ticket works only with that session's cookie); the page's WebSocket
    goes to /ws/consoles/<ticket>/. Raises ConsoleUnavailable with a message for the page.
    The session itself is recorded (ConsoleSession) when the socket opens."""
    user, perms = actor, actor.perms
    mode = conf.mode()
    target = upstream_target(server, remote_console_url(server, ctype), mode)
    role = perms.label
    if server.via == SERVICE_ACCOUNT and perms.is_helpdesk:
        role = "helpdesk"
    binding = tickets.Binding(
        user_id=user.user_id, user_name=user.user_name, role=role,
        session_key=session_key, server_id=server.id,
        server_name=server.name or "", project_id=server.project_id or "",
        console_type=ctype.key, mode=mode, via=server.via)
    ticket = tickets.mint(binding, target)
    log.info("console ticket minted: user=%s server=%s type=%s mode=%s via=%s",
             user.user_name, server.id, ctype.key, mode, server.via)
    return ticket


def ws_path(ticket: str) -> str:
    return f"/ws/consoles/{ticket}/"
