"""Keystone roles → portal permissions, decided in this one place.

    admin     everything, plus floating IP pools, cross-project views, topology
    member    create and change objects of the current project
    reader    sees everything of the project, changes nothing
    helpdesk  (a Keystone role named by PORTAL_HELPDESK_ROLE) finds any server in any
              project and opens its console through the service account; changes nothing
"""

from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


@dataclass(frozen=True)
class Permissions:
    roles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_helpdesk(self) -> bool:
        return settings.PORTAL_HELPDESK_ROLE in self.roles

    @property
    def can_view(self) -> bool:
        return self.is_admin or bool({"member", "reader"} & set(self.roles))

    @property
    def can_change(self) -> bool:
        """May create, change and delete objects of the current project."""
        return self.is_admin or "member" in self.roles

    @property
    def can_open_console(self) -> bool:
        """Own project's servers for members; any server for helpdesk."""
        return self.can_change or self.is_helpdesk

    @property
    def can_read_console_log(self) -> bool:
        """Nova's default policy for os-console-output is project member or admin: a
        reader's token is refused (403), so readers are not offered it."""
        return self.can_change

    @property
    def can_search_all_projects(self) -> bool:
        return self.is_admin or self.is_helpdesk

    @property
    def audience(self) -> str:
        """Which variant of a live fragment this person's pages get (portal.events): a
        fragment that offers changes (a list row's action menu) differs by role."""
        if self.is_admin:
            return "admin"
        return "member" if self.can_change else "reader"

    @property
    def label(self) -> str:
        for role in ("admin", settings.PORTAL_HELPDESK_ROLE, "member", "reader"):
            if role in self.roles:
                return role
        return "no role"


def permissions_for(roles) -> Permissions:
    return Permissions(tuple(sorted(set(roles or ()))))


# One Permissions per audience, to render a fragment as that audience sees it.
AUDIENCES = {"reader": permissions_for(["reader"]), "member": permissions_for(["member"]),
             "admin": permissions_for(["admin"])}


def readers_may_post(view):
    """Exempt a view from the global rule that refuses POSTs from users who cannot change
    anything (login, logout and project switching change only the person's own session)."""
    view.readers_may_post = True
    return view


def enforce_read_only(request, view_func) -> None:
    """Refuse any changing request from a user without change permission (403)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    target = getattr(view_func, "view_class", view_func)
    if getattr(view_func, "readers_may_post", False) or getattr(target, "readers_may_post",
                                                                False):
        return
    perms = getattr(request, "perms", None)
    if perms is not None and not perms.can_change:
        raise PermissionDenied("Your role in this project cannot change anything.")


def login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(request, "cloud_user", None):
            return redirect(f"/login/?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper


class LoginRequiredMixin:
    """A logged-in portal user (a Keystone session), not Django's auth user."""

    def dispatch(self, request, *args, **kwargs):
        if not getattr(request, "cloud_user", None):
            return redirect(f"/login/?next={request.get_full_path()}")
        return super().dispatch(request, *args, **kwargs)


class ChangeRequiredMixin(LoginRequiredMixin):
    """Views that change the cloud: members and admins only (readers get 403)."""

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "cloud_user", None) and not request.perms.can_change:
            raise PermissionDenied("Your role in this project cannot change anything.")
        return super().dispatch(request, *args, **kwargs)


class AdminRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "cloud_user", None) and not request.perms.is_admin:
            raise PermissionDenied("This page is for cloud administrators.")
        return super().dispatch(request, *args, **kwargs)


class HelpdeskRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "cloud_user", None) and not request.perms.can_search_all_projects:
            raise PermissionDenied("This page is for helpdesk staff and administrators.")
        return super().dispatch(request, *args, **kwargs)
