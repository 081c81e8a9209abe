"""The live channel: publish HTML fragments to every open page of a project.

Pages connect to /ws/events/ (portal.consumers.EventsConsumer), which joins the group of
the session's current project and that project's group for the person's audience
(portal.access.Permissions.audience: reader, member, admin): a fragment that offers
changes (a server row's action menu) is published once per audience, each page getting
the variant its role may use. Fragments are htmx out-of-band swaps: an element with an
id and hx-swap-oob="true" replaces the element with that id on the page.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

# Every open page of a cloud admin also hears the cloud's own news (services going down
# or coming back: cloud/watch.py), whatever project the admin works in.
ADMIN_GROUP = "cloud.admins"
# Every open page of those who see every project's records (admin and helpdesk: the
# console sessions of all projects), whatever project they work in.
ALL_PROJECTS_GROUP = "cloud.all-projects"


def project_group(project_id: str) -> str:
    return f"project.{project_id}"


def audience_group(project_id: str, audience: str) -> str:
    return f"project.{project_id}.{audience}"


def user_group(user_id: str, audience: str) -> str:
    """A person's pages in whichever project, as one role sees them: what belongs to the
    person, not to a project (Nova's key pairs)."""
    return f"user.{user_id}.{audience}"


def _group(project_id: str, audience: str | None) -> str:
    return project_group(project_id) if audience is None else audience_group(project_id,
                                                                             audience)


def _message(html: str, kind: str) -> dict:
    return {"type": "portal.event", "html": html, "kind": kind}


def publish(project_id: str, html: str, kind: str = "update",
            audience: str | None = None) -> None:
    """Send an HTML fragment to every open page of the project (from sync code: views,
    Celery tasks), or to those of one audience."""
    async_to_sync(get_channel_layer().group_send)(_group(project_id, audience),
                                                  _message(html, kind))


def publish_to_admins(html: str, kind: str = "update") -> None:
    """Send an HTML fragment to every open page of every cloud admin."""
    async_to_sync(get_channel_layer().group_send)(ADMIN_GROUP, _message(html, kind))


async def apublish(project_id: str, html: str, kind: str = "update",
                   audience: str | None = None) -> None:
    await get_channel_layer().group_send(_group(project_id, audience), _message(html, kind))


async def apublish_to_all_projects(html: str, kind: str = "update") -> None:
    """Send an HTML fragment to the open pages of everyone who sees every project."""
    await get_channel_layer().group_send(ALL_PROJECTS_GROUP, _message(html, kind))


def publish_to_user(user_id: str, by_audience: dict, kind: str = "update") -> None:
    """Send {audience: fragment} to every open page of the person, each page the variant
    of the role it is open with."""
    layer = get_channel_layer()
    for audience, html in by_audience.items():
        async_to_sync(layer.group_send)(user_group(user_id, audience), _message(html, kind))
