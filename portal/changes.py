"""How every change ends: one audit record and one live event, together.

A service that changed the cloud finishes with

    announce(actor, "network.create", f"{name} ({net.id})", event=html)

`event` is the HTML fragment (htmx out-of-band swaps) that every open page of the
project receives over /ws/events/ (or {audience: html}, one variant per role, for
fragments that offer changes: portal.events): it is required, so no write can skip telling the
pages, and the audit record cannot be skipped either, since both happen here. Once the
cloud has accepted a change nothing here may turn it into a failure: a live channel that
is down (Redis) is logged, and the pages catch up when they reconnect.
"""

import logging

from . import audit, events

log = logging.getLogger(__name__)


def announce(actor, action: str, target: str = "", *, event: str, detail: str = "",
             project_id: str | None = None, to_admins: bool = False,
             to_user: bool = False):
    """Record `action` on `target` by `actor` and publish `event` to the pages of
    `project_id` (default: the actor's project), with `to_admins` to every cloud admin's
    pages (a change to the cloud itself, not to a project), or with `to_user` to the
    actor's own pages in any project ({audience: html}: what is the person's, such as a
    key pair). Returns the audit row."""
    row = audit.record(actor, action, target, detail)
    if to_user:
        publish_quietly(None, event, kind=action, user_id=actor.user_id)
    elif to_admins:
        publish_quietly(None, event, kind=action, to_admins=True)
    else:
        publish_quietly(project_id or actor.project_id, event, kind=action)
    return row


def afterwards(what: str, step, *args, **kwargs):
    """Run one step that follows a change the cloud already accepted (the poller's kick,
    the timeline, the audit record and live event): a failure is logged and the step's
    answer is None, never an exception that would turn the accepted change into an error
    page (and make the person send it again)."""
    try:
        return step(*args, **kwargs)
    except Exception:
        log.warning("%s: accepted by the cloud, but %s failed", what,
                    getattr(step, "__name__", step), exc_info=True)
        return None


def publish_quietly(project_id: str | None, html, kind: str = "update",
                    to_admins: bool = False, user_id: str | None = None) -> bool:
    """Publish, and say whether it went out: the live channel is a nicety that must
    never fail a change the cloud already accepted."""
    if not (project_id or to_admins or user_id) or not html:
        return False
    try:
        if user_id:
            events.publish_to_user(user_id, html, kind)
        elif to_admins:
            events.publish_to_admins(html, kind)
        elif isinstance(html, dict):  # {audience: fragment} (portal.events)
            for audience, fragment in html.items():
                events.publish(project_id, fragment, kind, audience=audience)
        else:
            events.publish(project_id, html, kind)
        return True
    except Exception:  # Redis down or slow: the change stands, the pages catch up later
        log.warning("live event %s for project %s not sent", kind, project_id,
                    exc_info=True)
        return False
