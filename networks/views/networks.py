"""Networks and subnets: list, detail, create (or the quick path), rename, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.converters import id_param
from portal.generic import ActorMixin, CloudActionView, CloudFormView

from .. import forms, selectors, services
from ..addressing import format_pools
from ..lookups import owned
from .base import OwnedDeleteView, PoolChoiceMixin, widened


class NetworkList(LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        data = selectors.networks_page(self.actor, widened(request), id_param(request, "marker"))
        return render(request, "networks/network_list.html", data)


class NetworkCreate(ChangeRequiredMixin, CloudFormView):
    template_name = "networks/network_form.html"
    form_class = forms.NetworkForm

    def act(self, form, ctx):
        net = services.create_network(self.actor, form.cleaned_data["name"])
        messages.success(self.request, f"Network “{net.name}” created. Add a subnet to it.")
        return redirect("networks:detail", network_id=net.id)


class QuickCreate(ChangeRequiredMixin, PoolChoiceMixin, CloudFormView):
    template_name = "networks/quick_form.html"
    form_class = forms.QuickNetworkForm

    def context(self):
        return selectors.quick_form(self.actor, propose=self.request.method == "GET")

    def initial(self, ctx):
        return {"cidr": ctx["proposed_cidr"]} if ctx.get("proposed_cidr") else {}

    def act(self, form, ctx):
        d = form.cleaned_data
        pool = self.chosen_pool(form, ctx)
        made = services.quick_network(self.actor, d["name"], d["cidr"], d["dns_nameservers"],
                                      pool)
        messages.success(self.request, f"Network “{d['name']}” with subnet {d['cidr']} and "
                                       f"router to “{pool['name']}” created.")
        return redirect("networks:detail", network_id=made["network"].id)


class NetworkDetail(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, network_id):
        data = selectors.network_detail(self.actor, network_id)
        return render(request, "networks/network_detail.html",
                      {**data, "rename_form": forms.NetworkForm(
                          initial={"name": data["network"]["name"]})})


class NetworkRename(ChangeRequiredMixin, CloudFormView):
    template_name = "networks/network_form.html"
    form_class = forms.NetworkForm

    def context(self, network_id):
        return {"network": owned(self.actor, "network", network_id)}

    def initial(self, ctx):
        return {"name": ctx["network"]["name"]}

    def act(self, form, ctx):
        services.rename_network(self.actor, ctx["network"]["id"], form.cleaned_data["name"])
        messages.success(self.request, f"Renamed to “{form.cleaned_data['name']}”.")
        return redirect("networks:detail", network_id=ctx["network"]["id"])


class NetworkDelete(OwnedDeleteView):
    kind, noun, list_url, detail_url = "network", "Network", "networks:list", "networks:detail"

    def delete(self, network):
        services.delete_network(self.actor, network)


# --- subnets ------------------------------------------------------------------------

class SubnetCreate(ChangeRequiredMixin, CloudFormView):
    template_name = "networks/subnet_form.html"
    form_class = forms.SubnetForm

    def context(self, network_id):
        return {"network": owned(self.actor, "network", network_id),
                "others": selectors.network_subnets(self.actor, network_id)}

    def form_kwargs(self, ctx):
        return {"other_subnets": ctx["others"]}

    def act(self, form, ctx):
        subnet = services.create_subnet(self.actor, ctx["network"]["id"], form.neutron_body())
        messages.success(self.request, f"Subnet {subnet.cidr} created.")
        return redirect("networks:detail", network_id=ctx["network"]["id"])


class SubnetEdit(ChangeRequiredMixin, CloudFormView):
    template_name = "networks/subnet_form.html"
    form_class = forms.SubnetForm

    def context(self, subnet_id):
        subnet = owned(self.actor, "subnet", subnet_id)
        return {"subnet": subnet, "network": {"id": subnet["network_id"]}}

    def form_kwargs(self, ctx):
        return {"fixed_cidr": ctx["subnet"]["cidr"]}

    def initial(self, ctx):
        s = ctx["subnet"]
        return {"name": s["name"], "gateway_mode": "explicit" if s["gateway_ip"] else "none",
                "gateway_ip": s["gateway_ip"] or "", "enable_dhcp": s["enable_dhcp"],
                "allocation_pools": format_pools(s["allocation_pools"]),
                "dns_nameservers": "\n".join(s["dns_nameservers"])}

    def act(self, form, ctx):
        body = form.neutron_body()
        if form.cleaned_data["gateway_mode"] == "auto":
            body.pop("gateway_ip", None)  # auto on edit: keep the gateway it has
        services.update_subnet(self.actor, ctx["subnet"]["id"], body)
        messages.success(self.request, f"Subnet {ctx['subnet']['cidr']} saved.")
        return redirect("networks:detail", network_id=ctx["subnet"]["network_id"])


class SubnetDelete(CloudActionView):
    """Back to the subnet's network either way (a subnet has no page of its own)."""

    def target(self, subnet_id):
        return owned(self.actor, "subnet", subnet_id)

    def act(self, subnet):
        services.delete_subnet(self.actor, subnet)
        return f"Subnet {subnet['cidr']} deleted."

    def next_url(self, subnet, subnet_id):
        return reverse("networks:detail", args=[subnet["network_id"]])
