"""Server actions: the one-button ones (vms:action), those that take a field first (lock
with a reason, rescue with an image: a small form page each) and the bulk actions on the
list's selected rows. Which of them a page offers is vms.offered's business; each view
checks the server is the project's (404) and lets the service say why not."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.access import ChangeRequiredMixin
from portal.converters import is_id
from portal.generic import CloudActionView, CloudFormView

from .. import offered, selectors, services
from ..forms import LockForm, RescueForm

BULK = ("start", "stop", "reboot", "delete")


def safe_next(request, default: str) -> str:
    """Where the posting page asked to go back to (a list with its filters), if it is
    this site's; `default` otherwise."""
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


class ServerAction(CloudActionView):
    def target(self, server_id, action):
        if action not in offered.BUTTONS or action not in services.ACTIONS:
            raise Http404("No such action.")
        return selectors.owned_server(self.actor, server_id)

    def act(self, server):
        return services.act(self.actor, server, self.kwargs["action"])

    def next_url(self, server, server_id, action):
        return safe_next(self.request, reverse("vms:detail", args=[server_id]))


class _OneFieldAction(ChangeRequiredMixin, CloudFormView):
    """An action that asks one thing first (lock's reason, rescue's image)."""

    action = ""

    def context(self, server_id):
        server = selectors.owned_server(self.actor, server_id)
        return {"server": server, "action": offered.ACTIONS[self.action],
                "what": offered.ACTIONS[self.action].says(server.name),
                "refused": offered.refusal(server, self.actor.perms, self.action)}

    def options(self, form) -> dict:
        return {}

    def act(self, form, ctx):
        server = ctx["server"]
        messages.success(self.request, services.act(self.actor, server, self.action,
                                                    **self.options(form)))
        return redirect("vms:detail", server.id)


class ServerLock(_OneFieldAction):
    template_name = "vms/lock.html"
    form_class = LockForm
    action = "lock"

    def options(self, form):
        return {"reason": form.cleaned_data["reason"].strip()}


class ServerRescue(_OneFieldAction):
    template_name = "vms/rescue.html"
    form_class = RescueForm
    action = "rescue"

    def context(self, server_id):
        ctx = super().context(server_id)
        return {**ctx, "images": selectors.rescue_images(self.actor)}

    def form_kwargs(self, ctx):
        return {"images": ctx["images"]}

    def options(self, form):
        return {"image": form.cleaned_data["image"]}


class ServerBulk(CloudActionView):
    """start / stop / reboot / delete on the selected rows: each server's result in the
    message, a refusal for one not stopping the others."""

    def target(self, action):
        if action not in BULK:
            raise Http404("No such action.")
        ids = list(dict.fromkeys(self.request.POST.getlist("server")))
        if len(ids) > selectors.PAGE_SIZE or any(
                not is_id(i) for i in ids):
            raise Http404("No such server in this project.")
        return selectors.owned_servers(self.actor, ids)

    def post(self, request, action):
        found, missing = self.target(action)
        if not found and not missing:
            messages.error(request, "Select the instances first.")
            return redirect(safe_next(request, reverse("vms:list")))
        if action == "delete":
            outcomes = services.act_on_many(self.actor, found, action,
                                            one=lambda a, s: services.delete(a, s))
        else:
            outcomes = services.act_on_many(self.actor, found, action)
        outcomes += [services.Outcome(sid, False, "No such server in this project.")
                     for sid in missing]
        done = [o for o in outcomes if o.ok]
        refused = [o for o in outcomes if not o.ok]
        label = offered.ACTIONS[action].label
        if done:
            messages.success(request, f"{label} requested for "
                                      f"{', '.join(o.name for o in done)}.")
        if refused:
            messages.error(request, f"Not {_done_word(action)}: " + "; ".join(
                f"{o.name}: {o.message}" for o in refused))
        return redirect(safe_next(request, reverse("vms:list")))


def _done_word(action: str) -> str:
    return {"start": "started", "stop": "stopped", "reboot": "rebooted",
            "delete": "deleted"}[action]
