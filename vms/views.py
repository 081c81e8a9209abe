"""Thin views: a selector for what the page shows, a form for what was typed, a service
for what changes. A CloudRefused goes on the form (or, for buttons, into a message)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin

from . import selectors, services
from .errors import CloudRefused
from .forms import KeypairCreateForm, LaunchForm


class ServerList(LoginRequiredMixin, View):
    def get(self, request):
        filters = {k: request.GET.get(k, "").strip() for k in ("name", "status", "ip")}
        page = selectors.servers_page(request, marker=request.GET.get("marker") or None,
                                      **filters)
        return render(request, "vms/list.html", {
            **page, "filters": filters, "statuses": selectors.STATUS_FILTERS})


class Launch(ChangeRequiredMixin, View):
    template_name = "vms/launch.html"

    def get(self, request):
        options = selectors.launch_options(request)
        return self._page(request, LaunchForm(options=options), options)

    def post(self, request):
        options = selectors.launch_options(request)
        form = LaunchForm(request.POST, options=options)
        if form.is_valid():
            try:
                result = services.launch(request, form.cleaned_data, options,
                                         form.flavor_obj())
            except CloudRefused as refused:
                form.add_error(None, refused.message)
            else:
                return self._launched(request, form.cleaned_data, result)
        return self._page(request, form, options, status=400)

    def _page(self, request, form, options, status=200):
        return render(request, self.template_name, {
            "form": form, "limits": options["limits"], "flavors": options["flavors"]},
            status=status)

    def _launched(self, request, data, result):
        if result.duplicate:
            messages.info(request, "This launch was already submitted; no second server "
                                   "was made.")
        if result.private_key:
            return render(request, "vms/private_key.html", {
                "key_name": result.key_name, "private_key": result.private_key,
                "server_ids": result.server_ids, "name": data["name"]})
        if len(result.server_ids) == 1:
            return redirect("vms:detail", server_id=result.server_ids[0])
        return redirect(f"{reverse('vms:list')}?name={data['name']}")


class ServerDetail(LoginRequiredMixin, View):
    def get(self, request, server_id):
        actions = [(name, label) for name, (label, _) in services.ACTIONS.items()]
        return render(request, "vms/detail.html",
                      {**selectors.server_detail(request, server_id), "actions": actions})


class ConsoleLog(LoginRequiredMixin, View):
    def get(self, request, server_id):
        return render(request, "vms/console_log.html",
                      selectors.console_log(request, server_id))


class ServerAction(ChangeRequiredMixin, View):
    def post(self, request, server_id, action):
        if action not in services.ACTIONS:
            raise Http404("No such action.")
        server = selectors.owned_server(request, server_id)
        try:
            messages.success(request, services.act(request, server, action))
        except CloudRefused as refused:
            messages.error(request, refused.message)
        return redirect("vms:detail", server_id=server_id)


class ServerDelete(ChangeRequiredMixin, View):
    def get(self, request, server_id):
        return render(request, "vms/delete.html",
                      {"server": selectors.owned_server(request, server_id)})

    def post(self, request, server_id):
        server = selectors.owned_server(request, server_id)
        try:
            messages.success(request, services.delete(request, server))
        except CloudRefused as refused:
            messages.error(request, refused.message)
        # The detail page keeps showing the delete timeline from the portal's records.
        return redirect("vms:deleted", server_id=server_id)


class DeletedServer(LoginRequiredMixin, View):
    """The delete timeline of a server that may be gone from Nova already."""

    def get(self, request, server_id):
        from . import timeline
        from .models import TimelineEvent

        events = TimelineEvent.objects.filter(server_id=server_id,
                                              project_id=request.cloud_user.project_id)
        if not events.exists():
            raise Http404("No such server in this project.")
        return render(request, "vms/deleted.html", {
            "server_id": server_id, "timeline": timeline.view(server_id, False)})


class Keypairs(LoginRequiredMixin, View):
    def get(self, request):
        return self._page(request, KeypairCreateForm())

    def post(self, request):
        form = KeypairCreateForm(request.POST)
        if form.is_valid():
            try:
                private = services.create_keypair(request, form.cleaned_data["name"],
                                                  form.cleaned_data["public_key"])
            except CloudRefused as refused:
                form.add_error(None, refused.message)
            else:
                if private:
                    return render(request, "vms/private_key.html", {
                        "key_name": form.cleaned_data["name"], "private_key": private})
                messages.success(request, f"Key pair {form.cleaned_data['name']} imported.")
                return redirect("vms:keypairs")
        return self._page(request, form, status=400)

    def _page(self, request, form, status=200):
        return render(request, "vms/keypairs.html",
                      {"keypairs": selectors.keypairs(request), "form": form}, status=status)


class KeypairDelete(ChangeRequiredMixin, View):
    def post(self, request, name):
        try:
            services.delete_keypair(request, name)
            messages.success(request, f"Key pair {name} deleted.")
        except CloudRefused as refused:
            messages.error(request, refused.message)
        return redirect("vms:keypairs")
