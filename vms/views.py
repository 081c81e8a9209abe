"""Thin views: a selector for what the page shows, a form for what was typed, a service
for what changes, all for `self.actor` (request.actor). Forms, buttons and deletes are
portal.generic's views; a CloudRefused goes on the form or, for buttons, into a message."""

from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.converters import id_param
from portal.generic import ActorMixin, CloudActionView, CloudDeleteView, CloudFormView

from . import fragments, selectors, services, timeline
from .forms import KeypairCreateForm, LaunchForm, ServerFilterForm
from .models import ServerState, TimelineEvent


def private_key_page(request, ctx: dict):
    """The one answer that carries a new private key (with its download link, a data:
    URL made from this same answer): kept by no cache, stored nowhere."""
    response = render(request, "vms/private_key.html", ctx)
    response["Cache-Control"] = "no-store"
    return response


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


class Launch(ChangeRequiredMixin, CloudFormView):
    template_name = "vms/launch.html"
    form_class = LaunchForm

    def context(self, **kwargs):
        options = selectors.launch_options(self.actor)
        return {"options": options, "limits": options["limits"],
                "flavors": options["flavors"]}

    def form_kwargs(self, ctx):
        return {"options": ctx["options"]}

    def act(self, form, ctx):
        data = form.cleaned_data
        result = services.launch(self.actor, data, ctx["options"], form.flavor_obj())
        if result.duplicate:
            messages.info(self.request, "This launch was already submitted; no second "
                                        "server was made.")
        if result.private_key:
            return private_key_page(self.request, {
                "key_name": result.key_name, "private_key": result.private_key,
                "server_ids": result.server_ids, "name": data["name"]})
        if len(result.server_ids) == 1:
            return redirect("vms:detail", server_id=result.server_ids[0])
        return redirect(f"{reverse('vms:list')}?name={data['name']}")


class ServerDetail(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, server_id):
        actions = [(name, a.label) for name, a in services.ACTIONS.items()]
        return render(request, "vms/detail.html",
                      {**selectors.server_detail(self.actor, server_id), "actions": actions})


class ConsoleLog(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, server_id):
        return render(request, "vms/console_log.html",
                      selectors.console_log(self.actor, server_id))


class ServerAction(CloudActionView):
    def target(self, server_id, action):
        if action not in services.ACTIONS:
            raise Http404("No such action.")
        return selectors.owned_server(self.actor, server_id)

    def act(self, server):
        return services.act(self.actor, server, self.kwargs["action"])

    def next_url(self, server, server_id, action):
        return reverse("vms:detail", args=[server_id])


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
        # The delete timeline, from the portal's records, outlives the server in Nova.
        if self.deleted:
            return reverse("vms:deleted", args=[server_id])
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


class Keypairs(LoginRequiredMixin, CloudFormView):
    template_name = "vms/keypairs.html"
    form_class = KeypairCreateForm

    def context(self, **kwargs):
        # The list is called for by the template, so only a page that is shown costs the
        # Nova call: a successful POST redirects without it.
        return {"keypairs": partial(selectors.keypairs, self.actor),
                "keypairs_id": fragments.keypairs_id(self.actor.user_id)}

    def act(self, form, ctx):
        name = form.cleaned_data["name"]
        private = services.create_keypair(self.actor, name, form.cleaned_data["public_key"])
        if private:
            return private_key_page(self.request, {"key_name": name, "private_key": private})
        messages.success(self.request, f"Key pair {name} imported.")
        return redirect("vms:keypairs")


class KeypairDelete(CloudDeleteView):
    noun = "Key pair"

    def target(self, name):
        return name  # Nova's key pairs are the user's own: the token only reaches those

    def name_of(self, target):
        return target

    def delete(self, target):
        services.delete_keypair(self.actor, target)

    def next_url(self, target, **kwargs):
        return reverse("vms:keypairs")
