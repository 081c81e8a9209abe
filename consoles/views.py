"""The console page (tab and full window), fresh tickets for reconnects, the helpdesk search
and the audit page. Thin: selectors decide the server and the reads, services open."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from portal.access import HelpdeskRequiredMixin, LoginRequiredMixin, readers_may_post

from . import live, selectors, services
from .forms import AuditFilterForm, HelpdeskSearchForm
from .types import DEFAULT, SUPPORTED, UNAVAILABLE


def session_key(request) -> str:
    """The login session a ticket is bound to (saved first if it is new)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _back(server) -> tuple[str, str]:
    """Where the console page leads back to: the server's own page for its project's people,
    the helpdesk search (for that server) when opened through the service account."""
    if server.via == selectors.SERVICE_ACCOUNT:
        return (f"{reverse('consoles:helpdesk')}?{urlencode({'q': server.id})}",
                "Helpdesk search")
    return reverse("vms:detail", args=[server.id]), f"Server {server.name or server.id}"


def _may_open_consoles(request) -> None:
    if not (request.perms.can_open_console or request.perms.can_search_all_projects):
        raise PermissionDenied("Your role cannot open consoles.")


class ConsolePageView(LoginRequiredMixin, View):
    """GET /consoles/<server_id>/?type=novnc|spice-html5[&view=full]. An htmx request gets
    the embeddable partial (the server page's Console tab)."""

    def get(self, request, server_id):
        _may_open_consoles(request)
        server = selectors.console_server(request.actor, server_id)
        key = request.GET.get("type") or DEFAULT
        context = {"server": server, "type_key": key, "supported": SUPPORTED,
                   "unavailable": UNAVAILABLE, "full": request.GET.get("view") == "full",
                   "ws_path": None, "error": None, "page": not request.htmx}
        context["back_url"], context["back_label"] = _back(server)
        if key in UNAVAILABLE:
            label, reason = UNAVAILABLE[key]
            context["error"] = f"{label} consoles are not available. {reason}"
        elif key not in SUPPORTED:
            context["type_key"] = None
            context["error"] = "Unknown console type."
        else:
            context["ctype"] = SUPPORTED[key]
            try:
                context["ws_path"] = services.ws_path(
                    services.open_console(request.actor, server, SUPPORTED[key],
                                         session_key(request)))
            except services.ConsoleUnavailable as exc:
                context["error"] = str(exc)
        if request.htmx:
            template = "consoles/_console.html"
        elif context["full"]:
            template = "consoles/full.html"
        else:
            template = "consoles/page.html"
        response = render(request, template, context)
        response["Cache-Control"] = "no-store"     # the page holds a live ticket
        response["Referrer-Policy"] = "same-origin"
        return response


@readers_may_post       # helpdesk changes nothing but needs tickets; checked below
class TicketView(LoginRequiredMixin, View):
    """POST /consoles/<server_id>/ticket/?type=…: a fresh ticket for a reconnect, as JSON
    {"ws": "/ws/consoles/<ticket>/"} or {"error": "…"}."""

    def post(self, request, server_id):
        _may_open_consoles(request)
        server = selectors.console_server(request.actor, server_id)
        ctype = SUPPORTED.get(request.GET.get("type") or DEFAULT)
        if ctype is None:
            return JsonResponse({"error": "Unknown console type."}, status=400)
        try:
            ticket = services.open_console(request.actor, server, ctype, session_key(request))
        except services.ConsoleUnavailable as exc:
            return JsonResponse({"error": str(exc)}, status=409)
        return JsonResponse({"ws": services.ws_path(ticket)},
                            headers={"Cache-Control": "no-store"})


class HelpdeskView(HelpdeskRequiredMixin, View):
    def get(self, request):
        form = HelpdeskSearchForm(request.GET or None)
        results = None
        if form.is_valid():
            results = selectors.helpdesk_search(form.cleaned_data["q"])
        return render(request, "consoles/helpdesk.html", {"form": form, "results": results})


class AuditView(LoginRequiredMixin, View):
    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        sessions = selectors.audit_page(request.actor, filters, request.cloud_user.projects)
        live.mark(sessions)
        return render(request, "consoles/audit.html", {
            "form": form, "sessions": sessions,
            "live_list": live.list_attrs(filters, len(sessions), selectors.AUDIT_LIMIT),
            "all_projects": request.perms.can_search_all_projects})
