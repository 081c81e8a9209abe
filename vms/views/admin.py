"""Admin: every project's instances (project, host; filters by project, host, status;
Nova's paging), and the one-button actions on any project's server.

An admin acts with their own token: Nova's admin role may start, stop or reboot any
project's server, so no service account is needed (and the audit names the person). The
audit record and the live row go to the server's project (Actor.in_project), where the
change happened, not to the admin's own."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from openstack import exceptions as os_exc

from portal.access import AdminRequiredMixin
from portal.converters import id_param
from portal.generic import ActorMixin, CloudActionView

from .. import all_projects, selectors, services
from ..admin_forms import AllServersFilterForm

STATUSES = selectors.STATUS_FILTERS + ["SHELVED", "SHELVED_OFFLOADED", "RESCUE",
                                       "VERIFY_RESIZE"]


class AllServers(AdminRequiredMixin, ActorMixin, View):
    def get(self, request):
        form = AllServersFilterForm(request.GET, statuses=STATUSES)
        ctx = {"filters": form.filters(), "form": form}
        if not form.is_valid():  # nothing Nova would refuse is sent to it
            return render(request, "vms/admin/servers.html", {
                **ctx, "servers": [], "filter_errors": form.problems()}, status=400)
        page = all_projects.servers_page(self.actor, marker=id_param(request, "marker"),
                                         **ctx["filters"])
        return render(request, "vms/admin/servers.html", {**page, **ctx})


class AdminServerAction(AdminRequiredMixin, CloudActionView):
    def target(self, server_id, action):
        if action not in services.ACTIONS:
            raise Http404("No such action.")
        try:
            return self.actor.conn.compute.get_server(server_id)
        except os_exc.NotFoundException:
            raise Http404("No such server.") from None

    def act(self, server):
        return services.act(self.actor.in_project(server.project_id), server,
                            self.kwargs["action"])

    def next_url(self, server, server_id, action):
        return reverse("vms:admin_servers")
