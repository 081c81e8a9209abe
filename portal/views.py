"""Login, logout, project switching and the overview page."""

import hashlib
import logging

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from . import audit, keystone, ratelimit, session
from .access import LoginRequiredMixin, readers_may_post
from .actor import Actor
from .forms import LoginForm, SwitchProjectForm
from .models import LastProject
from .selectors import overview
from .sessionsockets import LOGGED_OUT, SWITCHED, end_session_sockets

log = logging.getLogger(__name__)


def _safe_next(request, default="/") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def _pick_project(user_id: str, projects: list[dict]) -> dict:
    last = LastProject.objects.filter(keystone_user_id=user_id).first()
    if last:
        for p in projects:
            if p["id"] == last.project_id:
                return p
    return projects[0]


def login_key(domain: str, username: str) -> str:
    """What a login form names a person by, before Keystone says who they are: the
    domain and user name exactly as typed (hashed), to find their last project."""
    return hashlib.sha256(f"{domain}\0{username}".encode()).hexdigest()


def _remembered(domain: str, username: str) -> keystone.Remembered | None:
    """The project this login name last worked in: the login scopes straight to it."""
    last = (LastProject.objects.filter(login_key=login_key(domain, username))
            .order_by("-updated_at").first())
    return keystone.Remembered(last.keystone_user_id, last.project_id) if last else None


def _remember_project(user: session.CloudUser, key: str | None = None) -> None:
    defaults = {"project_id": user.project_id}
    if key:
        defaults["login_key"] = key
    LastProject.objects.update_or_create(keystone_user_id=user.user_id, defaults=defaults)


@readers_may_post
class LoginView(View):
    template_name = "portal/login.html"

    def get(self, request):
        if request.cloud_user:
            return redirect(_safe_next(request))
        return render(request, self.template_name, {"form": LoginForm(), "next":
                                                    _safe_next(request)})

    def post(self, request):
        form = LoginForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        domain, username, password = (form.cleaned_data[k] for k in
                                      ("domain", "username", "password"))
        address = audit.client_address(request)
        # The attempt takes its slot before Keystone is asked: concurrent guesses are
        # counted as they start, not after they fail (portal/ratelimit.py).
        wait = ratelimit.reserve(username, address)
        if wait:
            form.add_error(None, f"Too many failed attempts. Try again in {wait} seconds.")
            return render(request, self.template_name, {"form": form}, status=429)
        try:
            got = keystone.login(domain, username, password,
                                 _remembered(domain, username), _pick_project)
        except keystone.LoginError as exc:
            if not exc.is_guess:
                ratelimit.release(username, address)   # it said nothing about the password
            form.add_error(None, str(exc))
            return render(request, self.template_name, {"form": form}, status=400)
        except BaseException:
            ratelimit.release(username, address)
            raise
        ratelimit.succeeded(username, address)
        request.session.cycle_key()
        user = session.from_scoped(got.scoped, domain, got.projects, got.unscoped_token)
        session.store(request, user)
        _remember_project(user, login_key(domain, username))
        request.cloud_user = user
        audit.record(Actor.for_request(request), "session.login", user.project_name)
        return redirect(_safe_next(request))


@readers_may_post
class LogoutView(View):
    def post(self, request):
        user = request.cloud_user
        if user:
            audit.record(request.actor, "session.logout")
            keystone.revoke(user.token)
            keystone.revoke(user.unscoped_token)
        session_key = request.session.session_key
        request.session.flush()
        # The session's open consoles and live-event sockets end with it.
        end_session_sockets(session_key, LOGGED_OUT)
        messages.info(request, "You have logged out.")
        return redirect("portal:login")


@readers_may_post
class SwitchProjectView(LoginRequiredMixin, View):
    def post(self, request):
        form = SwitchProjectForm(request.POST)
        user = request.cloud_user
        if not form.is_valid():
            return HttpResponseBadRequest("project_id is required")
        project_id = form.cleaned_data["project_id"]
        if project_id not in {p["id"] for p in user.projects}:
            messages.error(request, "You have no role in that project.")
            return redirect("portal:home")
        # Rescope from the chain's root: the unscoped token, or after a login scoped
        # straight to a project, that login's token. Keystone revokes a token together
        # with every token rescoped from it, so the root stays (in this server-side
        # session only) until logout, and only a token derived from it is revoked here.
        root = user.unscoped_token or user.token
        try:
            scoped = keystone.scope(root, project_id)
        except keystone.LoginError as exc:
            session_key = request.session.session_key
            keystone.revoke(user.token)             # the session ends: so do its tokens
            keystone.revoke(user.unscoped_token)
            request.session.flush()
            end_session_sockets(session_key, LOGGED_OUT)
            messages.warning(request, str(exc))
            return redirect("portal:login")
        if user.token != root:
            keystone.revoke(user.token)
        # What the session opened in the old project (consoles, its live events) ends;
        # the next page opens its sockets in the new project.
        end_session_sockets(request.session.session_key, SWITCHED)
        new_user = session.from_scoped(scoped, user.domain, user.projects, root)
        session.store(request, new_user)
        _remember_project(new_user)
        request.cloud_user = new_user
        audit.record(Actor.for_request(request), "session.switch_project",
                     new_user.project_name)
        messages.success(request, f"Now working in project {new_user.project_name}.")
        return redirect(_safe_next(request, default="/"))


class HomeView(LoginRequiredMixin, TemplateView):
    """The landing page, shown at once: its usage sections are a fragment it loads when
    shown (UsageView). A fresh token's first call to Nova and to Neutron costs each a
    token validation with Keystone (0.15–0.5 s on a real cloud), which the page does not
    wait for; the login's POST waits for one Keystone token only."""

    template_name = "portal/home.html"


class UsageView(LoginRequiredMixin, TemplateView):
    """The project's usage against its quotas (Nova and Neutron, concurrently): the
    landing page's fragment (htmx), or the whole overview page without JavaScript."""

    def get_template_names(self):
        return ["portal/_usage_sections.html" if self.request.htmx else "portal/home.html"]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "overview": overview(self.request.actor)}
