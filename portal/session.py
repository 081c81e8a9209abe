"""The portal user as kept in the server-side session."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from .access import Permissions, permissions_for
from .keystone import Scoped

KEY = "cloud"


@dataclass
class CloudUser:
    user_id: str
    user_name: str
    domain: str
    project_id: str
    project_name: str
    roles: list[str]
    projects: list[dict]  # [{"id", "name"}] the user can switch to
    token: str
    token_body: dict
    expires_at: str
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


def from_scoped(scoped: Scoped, domain: str, projects: list[dict],
                unscoped_token: str) -> CloudUser:
    return CloudUser(
        user_id=scoped.user["id"], user_name=scoped.user["name"], domain=domain,
        project_id=scoped.project["id"], project_name=scoped.project["name"],
        roles=scoped.roles,
        projects=[{"id": p["id"], "name": p["name"]} for p in projects],
        token=scoped.token, token_body=scoped.body,
        expires_at=scoped.expires_at.isoformat(), unscoped_token=unscoped_token,
    )
