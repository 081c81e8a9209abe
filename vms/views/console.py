"""The console log: its last N lines (20, 100 or 500), followed live while the page is
open by an htmx poll of the text alone every few seconds (see vms.dayselectors: one
console-output call per refresh, bounded by Nova's `length`).

Why a poll and not the poller: Nova has no "log changed" signal, so a poller-driven
update would still read each followed server's log on every tick, and would need to know
which pages are open; the page asking for its own text while it is open costs the same
call only while someone reads it, and stops when the tab closes."""

from django import forms
from django.shortcuts import render
from django.views import View

from portal.access import LoginRequiredMixin
from portal.generic import ActorMixin

from .. import dayselectors

REFRESH_SECONDS = 5
STOP_POLLING = 286  # htmx stops polling on this status
CHECKED = "vms:console-checked"  # session: servers whose log page this project showed
CHECKED_KEEP = 20


def _checked(request, project_id: str) -> list[str]:
    return request.session.get(CHECKED, {}).get(project_id, [])


def _remember(request, project_id: str, server_id: str) -> None:
    seen = request.session.get(CHECKED, {})
    kept = [s for s in seen.get(project_id, []) if s != server_id][-(CHECKED_KEEP - 1):]
    request.session[CHECKED] = {project_id: kept + [server_id]}


class TailForm(forms.Form):
    lines = forms.TypedChoiceField(coerce=int, required=False, empty_value=100,
                                   choices=[(n, f"last {n} lines")
                                            for n in dayselectors.TAIL_LINES],
                                   error_messages={"invalid_choice":
                                                   "Show the last 20, 100 or 500 lines."})
    follow = forms.BooleanField(required=False)

    def lines_or_default(self) -> int:
        return self.cleaned_data["lines"] if self.is_valid() else 100


class ConsoleLog(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, server_id):
        form = TailForm(request.GET or {"lines": 100, "follow": "on"})
        lines = form.lines_or_default()
        ctx = dayselectors.console_tail(self.actor, server_id, lines)
        if server_id not in _checked(request, self.actor.project_id):
            _remember(request, self.actor.project_id, server_id)
        follow = form.is_valid() and form.cleaned_data["follow"] and not ctx["gone"]
        return render(request, "vms/console_log.html", {
            **ctx, "form": form, "lines": lines, "follow": follow,
            "refresh": REFRESH_SECONDS}, status=200 if form.is_valid() else 400)


class ConsoleLogText(LoginRequiredMixin, ActorMixin, View):
    """The text alone, for the page's refresh (the same element, swapped whole)."""

    def get(self, request, server_id):
        form = TailForm(request.GET)
        lines = form.lines_or_default()
        ctx = dayselectors.console_tail_text(
            self.actor, server_id, lines, server_id in _checked(request, self.actor.project_id))
        response = render(request, "vms/_console_text.html", {
            **ctx, "server_id": server_id, "lines": lines, "follow": not ctx["gone"],
            "refresh": REFRESH_SECONDS})
        if ctx["gone"]:
            response.status_code = STOP_POLLING
        return response
