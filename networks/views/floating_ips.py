"""Floating IPs of the project: list, allocate from a pool, associate with a server (and
one of its addresses), disassociate, release."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.converters import id_param
from portal.errors import CloudRefused
from portal.generic import ActorMixin, CloudActionView, CloudFormView, require_offered

from .. import forms, selectors, services
from ..lookups import owned
from .base import PoolChoiceMixin, widened


class FloatingIPList(LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        data = selectors.floatingips_page(self.actor, widened(request),
                                          id_param(request, "marker"))
        return render(request, "networks/fip_list.html",
                      {**data, "form": forms.AllocateForm(pools=data["pools"])})


class FloatingIPAllocate(ChangeRequiredMixin, PoolChoiceMixin, CloudFormView):
    template_name = "networks/fip_allocate.html"
    form_class = forms.AllocateForm

    def act(self, form, ctx):
        pool = self.chosen_pool(form, ctx)
        fip = services.allocate_floating_ip(self.actor, pool["id"], pool_name=pool["name"])
        messages.success(self.request, f"Floating IP {fip.floating_ip_address} allocated "
                                       f"from “{pool['name']}”.")
        return redirect("networks:floatingips")


class FloatingIPAssociate(ChangeRequiredMixin, ActorMixin, View):
    """Pick the server; when it has several addresses, pick the port / fixed IP too.
    Not a CloudFormView: which fields the form has depends on the server posted."""

    template_name = "networks/fip_associate.html"

    def _data(self, server_id):
        data = selectors.associate_choices(self.actor, self.kwargs["fip_id"], server_id)
        require_offered(server_id, [s["id"] for s in data["servers"]])
        return data

    def get(self, request, fip_id):
        data = self._data(None)
        return render(request, self.template_name,
                      {**data, "form": forms.AssociateForm(servers=data["servers"])})

    def post(self, request, fip_id):
        server_id = request.POST.get("server") or None
        data = self._data(server_id)
        target = request.POST.get("target") or None
        require_offered(target, [t["value"] for t in data["targets"]])
        form = forms.AssociateForm(request.POST, servers=data["servers"],
                                   targets=data["targets"])
        if form.is_valid():
            chosen = self._chosen(form, data)
            if chosen is not None:
                try:
                    return self._associate(data, chosen, server_id)
                except CloudRefused as refused:
                    form.add_error(None, refused.message)
        return render(request, self.template_name,
                      {**data, "form": form, "server_chosen": bool(server_id)}, status=400)

    def _chosen(self, form, data):
        targets = data["targets"]
        if data["fip"].get("port_id"):
            form.add_error(None, f"{data['fip']['floating_ip_address']} is already "
                                 "associated. Disassociate it first.")
            return None
        if not targets:
            form.add_error("server", "That server has no IPv4 address to attach to (yet).")
            return None
        if len(targets) == 1:
            return targets[0]
        value = form.cleaned_data.get("target")
        if not value:
            form.add_error("target", "The server has several addresses: choose one.")
            return None
        return next(t for t in targets if t["value"] == value)

    def _associate(self, data, chosen, server_id):
        fip = data["fip"]
        name = next(s["name"] for s in data["servers"] if s["id"] == server_id)
        services.associate_floating_ip(self.actor, fip["id"], chosen["port_id"],
                                       chosen["fixed_ip"], server_name=name,
                                       pool_name=fip["pool_name"])
        messages.success(self.request, f"{fip['floating_ip_address']} now points at "
                                       f"“{name}” ({chosen['fixed_ip']}).")
        return redirect("networks:floatingips")


class FloatingIPButton(CloudActionView):
    """A button on one of the project's floating IPs; back to the list after."""

    def target(self, fip_id):
        return owned(self.actor, "floatingip", fip_id)

    def next_url(self, fip, fip_id):
        return reverse("networks:floatingips")


class FloatingIPDisassociate(FloatingIPButton):
    def act(self, fip):
        services.disassociate_floating_ip(self.actor, fip["id"])
        return f"{fip['floating_ip_address']} disassociated."


class FloatingIPRelease(FloatingIPButton):
    def act(self, fip):
        services.release_floating_ip(self.actor, fip)
        return f"{fip['floating_ip_address']} released to its pool."
