"""Servers: the list, a server's detail, its delete, and the delete
timeline of one that is gone (its actions: views/actions.py)."""


from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from portal.access import LoginRequiredMixin
from portal.converters import id_param
from portal.generic import ActorMixin, CloudDeleteView

from .. import offered, selectors, services, snapshots, timeline
from ..forms import ServerFilterForm
from ..models import ServerState, TimelineEvent
from .actions import safe_next


class ServerList(LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        form = ServerFilterForm(request.GET)
        ctx = {"filters": form.filters(), "statuses": selectors.STATUS_FILTERS}
        if not form.is_valid():  # nothing Nova would refuse is sent to it
            return render(request, "vms/list.html", {
                **ctx, "servers": [], "filter_errors": form.problems()}, status=400)
        page = selectors.servers_page(self.actor, marker=id_param(request, "marker"),
                                      **ctx["filters"])
        return render(request, "vms/list.html", {**page, **ctx})


class ServerDetail(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, server_id):
        ctx = selectors.server_detail(self.actor, server_id)
        return render(request, "vms/detail.html", {
            **ctx, "actions": offered.buttons(ctx["server"], self.actor.perms),
            "snapshots": snapshots.view(server_id)})


class ServerDelete(CloudDeleteView):
    noun = "Server"

    def get(self, request, server_id):
        return render(request, "vms/delete.html",
                      selectors.delete_confirmation(self.actor, server_id))

    def target(self, server_id):
        return selectors.owned_server(self.actor, server_id)

    def delete(self, server):
        self.said = services.delete(
            self.actor, server,
            release_floating_ips=self.request.POST.get("release_floating_ips") == "on")

    def act(self, server):
        super().act(server)
        return self.said  # "Delete requested": Nova deletes in the background

    def next_url(self, server, server_id):
        # The delete timeline, from the portal's records, outlives the server in Nova;
        # the list's row menu asks to go back to the list.
        if self.deleted:
            return safe_next(self.request, reverse("vms:deleted", args=[server_id]))
        return reverse("vms:detail", args=[server_id])


class DeletedServer(LoginRequiredMixin, ActorMixin, View):
    """The delete timeline of a server that may be gone from Nova already."""

    def get(self, request, server_id):
        events = TimelineEvent.objects.filter(server_id=server_id,
                                              project_id=self.actor.project_id)
        if not events.exists():
            raise Http404("No such server in this project.")
        state = ServerState.objects.filter(server_id=server_id).first()
        return render(request, "vms/deleted.html", {
            "server_id": server_id, "name": state.name if state else "",
            "timeline": timeline.view(server_id, False)})
