"""Which services the cloud's catalog has, read from the connection's token (no call),
once per token.

openstacksdk's `has_service` looks the catalog up on every call and, for a service that is
missing, logs "Keystone catalog entry not found" each time: on a cloud without Cinder every
page (its menu, the server detail's panel, the overview's usage) would log it. The answer
is kept on the connection, keyed by the token it was read from: a person's connection
belongs to one token (a new login or a project switch makes a new one), and the service
account's connection re-reads it when it re-authenticates.
"""

import logging

log = logging.getLogger(__name__)
BLOCK_STORAGE = "block-storage"


def _token(conn) -> str | None:
    try:
        return conn.session.get_token()
    except Exception:  # noqa: BLE001 (no token: has_service finds nothing either)
        return None


def has_service(conn, service: str) -> bool:
    token = _token(conn)
    kept = getattr(conn, "_stackport_catalog", None)
    if kept is None or kept[0] != token:
        kept = (token, {})
        conn._stackport_catalog = kept
    answers = kept[1]
    if service not in answers:
        answers[service] = bool(conn.has_service(service))
        if not answers[service]:
            log.info("the catalog has no %s service: its pages are hidden", service)
    return answers[service]


def has_block_storage(conn) -> bool:
    """Whether the catalog has Cinder (volumes pages, menu entry, usage, panels)."""
    return has_service(conn, BLOCK_STORAGE)
