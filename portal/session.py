"""The portal user as kept in the server-side session."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from .access import Permissions, permissions_for
from .keystone import Scoped

log = logging.getLogger(__name__)

KEY = "cloud"


@dataclass
class CloudUser:
    user_id: str
    user_name: str
    domain: str
    project_id: str
    project_name: str
    roles: list[str]
    projects: list[dict] | None  # [{"id", "name"}] to switch to; None: not listed yet
    token: str
    token_body: dict
    expires_at: str
    # The token a project switch rescopes from: the unscoped token, or the login's own
    # scoped token when the login went straight to the remembered project (then kept
    # until logout, since revoking it would revoke every token rescoped from it).
    unscoped_token: str

    @property
    def perms(self) -> Permissions:
        return permissions_for(self.roles)

    @property
    def expired(self) -> bool:
        expires = parse_datetime(self.expires_at)
        return expires is None or expires <= datetime.now(UTC)


def store(request, user: CloudUser) -> None:
    request.session[KEY] = user.__dict__


def load(request) -> CloudUser | None:
    data = request.session.get(KEY)
    return CloudUser(**data) if data else None


def from_scoped(scoped: Scoped, domain: str, projects: list[dict] | None,
                unscoped_token: str) -> CloudUser:
    return CloudUser(
        user_id=scoped.user["id"], user_name=scoped.user["name"], domain=domain,
        project_id=scoped.project["id"], project_name=scoped.project["name"],
        roles=scoped.roles,
        projects=None if projects is None else [{"id": p["id"], "name": p["name"]}
                                                for p in projects],
        token=scoped.token, token_body=scoped.body,
        expires_at=scoped.expires_at.isoformat(), unscoped_token=unscoped_token,
    )


def list_projects(user: CloudUser) -> list[dict]:
    """The user's projects from Keystone, with their token (no session write: this may
    run in gather's pool). Unauthorized propagates (the middleware logs them out); a
    Keystone that fails otherwise leaves the current project only, asked again later."""
    from keystoneauth1 import exceptions as ks_exc

    from .keystone import list_projects as keystone_projects

    try:
        return keystone_projects(user.token)
    except ks_exc.Unauthorized:
        raise
    except ks_exc.ClientException:
        log.warning("could not list %s's projects", user.user_name, exc_info=True)
        return None


def set_projects(request, projects: list[dict] | None) -> list[dict]:
    """Keep the listed projects in the session (the current one always among them); a
    failed listing (None) shows the current project only and is tried again later."""
    user = request.cloud_user
    current = {"id": user.project_id, "name": user.project_name}
    if projects is None:
        user.projects = None
        return [current]
    rows = [{"id": p["id"], "name": p["name"]} for p in projects]
    if not any(p["id"] == user.project_id for p in rows):
        rows.append(current)
    user.projects = rows
    store(request, user)
    return rows


def ensure_projects(request) -> list[dict]:
    """The user's projects, listed now if the login left them to be listed."""
    user = request.cloud_user
    if user.projects is not None:
        return user.projects
    return set_projects(request, list_projects(user))
