"""Who an operation acts for: one small value that services and selectors take instead
of an HttpRequest, so that the same function serves a view, a Celery task and a test.

    Actor.for_request(request)   the person: their scoped token's connection, their
                                 project and roles, the request id the audit log keeps
    Actor.service(project_id)    the portal's service account (tasks, helpdesk), acting
                                 in the name of the project whose object it touches

The connection is made on first use: a page that reads nothing from the cloud costs
no connection.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .access import Permissions, permissions_for
from .audit import client_address

SERVICE_USER = "stackport (service account)"


def new_request_id() -> str:
    """The same shape as the ids OpenStack's services give their requests."""
    return f"req-{uuid.uuid4()}"


@dataclass(frozen=True)
class Actor:
    user_id: str
    user_name: str
    project_id: str
    roles: tuple[str, ...]
    request_id: str = field(default_factory=new_request_id)
    address: str | None = None
    is_service: bool = False
    connect: Callable = field(default=None, repr=False, compare=False)

    @cached_property
    def conn(self):
        """The openstacksdk connection this actor's calls go through (made once)."""
        return self.connect()

    @property
    def perms(self) -> Permissions:
        return permissions_for(self.roles)

    @classmethod
    def for_request(cls, request) -> "Actor":
        """The logged-in person of the request (built once per request: request.actor)."""
        from .cloud import user_connection

        user = request.cloud_user
        return cls(user_id=user.user_id, user_name=user.user_name,
                   project_id=user.project_id, roles=tuple(user.roles),
                   request_id=getattr(request, "request_id", None) or new_request_id(),
                   address=client_address(request),
                   connect=lambda: user_connection(request))

    @classmethod
    def service(cls, project_id: str = "", *, on_behalf_of: str = "",
                conn=None) -> "Actor":
        """The service account, e.g. a Celery task finishing what a person started: its
        audit records name the service account (and whom it acted for). `conn`: a
        service connection the caller holds already (a poller's)."""
        from .cloud import service_connection

        return cls(user_id="", user_name=on_behalf_of or SERVICE_USER,
                   project_id=project_id, roles=("admin",), is_service=True,
                   connect=service_connection if conn is None else (lambda: conn))

    def in_project(self, project_id: str) -> "Actor":
        """The same actor announcing into another project (the service account acting
        on one project's object after another's)."""
        return Actor(self.user_id, self.user_name, project_id, self.roles, self.request_id,
                     self.address, self.is_service, self.connect)
