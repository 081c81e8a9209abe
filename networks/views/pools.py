"""Admin: floating IP pools (create, ranges, usage, delete), every project's floating
IPs (with release), and each project's floating IP quota."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import AdminRequiredMixin
from portal.converters import id_param
from portal.errors import CloudRefused
from portal.generic import (
    ActorMixin,
    CloudActionView,
    CloudDeleteView,
    CloudFormView,
    require_offered,
)

from .. import forms, selectors, services
from ..lookups import external, find


class PoolList(AdminRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "networks/pool_list.html", selectors.pools_page(self.actor))


class PoolCreate(AdminRequiredMixin, CloudFormView):
    template_name = "networks/pool_form.html"
    form_class = forms.PoolForm

    def act(self, form, ctx):
        d = form.cleaned_data
        pool = services.create_pool(self.actor, d["name"], d["network_type"], d["physnet"],
                                    d["vlan_id"], d["shared"], first_range=form.first_range())
        messages.success(self.request, f"Pool “{pool.name}” created with the range "
                                       f"{d['start']}–{d['end']}.")
        return redirect("networks:pool", pool_id=pool.id)


class PoolDetail(AdminRequiredMixin, CloudFormView):
    """The pool's ranges and usage, with the form that adds a range."""

    template_name = "networks/pool_detail.html"
    form_class = forms.RangeForm

    def context(self, pool_id):
        return selectors.pool_detail(self.actor, pool_id)

    def form_kwargs(self, ctx):
        return {"other_subnets": [(s["name"], s["cidr"]) for s in ctx["subnets"]]}

    def act(self, form, ctx):
        d = form.cleaned_data
        services.add_range(self.actor, ctx["pool"], d["cidr_net"],
                           [{"start": str(d["start"]), "end": str(d["end"])}], d.get("gateway"))
        messages.success(self.request, f"Range {d['start']}–{d['end']} added.")
        return redirect("networks:pool", pool_id=ctx["pool"]["id"])


class RangeDelete(AdminRequiredMixin, CloudActionView):
    def target(self, pool_id, subnet_id):
        pool = external(self.actor, pool_id)
        require_offered(subnet_id, pool["subnets"])
        subnet = self.actor.conn.network.get_subnet(subnet_id)
        return pool, {"id": subnet.id, "cidr": subnet.cidr}

    def act(self, target):
        services.delete_range(self.actor, *target)
        return f"Range {target[1]['cidr']} removed."

    def next_url(self, target, pool_id, subnet_id):
        return reverse("networks:pool", args=[pool_id])


class PoolDelete(AdminRequiredMixin, CloudDeleteView):
    noun, list_url, detail_url = "Pool", "networks:pools", "networks:pool"

    def target(self, pool_id):
        return external(self.actor, pool_id)

    def delete(self, pool):
        services.delete_pool(self.actor, pool, selectors.pool_fip_count(self.actor, pool["id"]))


class AllFloatingIPs(AdminRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "networks/admin_fips.html",
                      selectors.all_floatingips_page(self.actor, id_param(request, "marker")))


class AdminRelease(AdminRequiredMixin, CloudActionView):
    """Any project's floating IP (the admin's decision): not limited to the own project."""

    def target(self, fip_id):
        fip = find(self.actor, "floatingip", fip_id)
        if fip is None:
            raise Http404("No such floating IP.")
        return fip

    def act(self, fip):
        services.release_floating_ip(self.actor, fip)
        return f"{fip['floating_ip_address']} released."

    def next_url(self, fip, fip_id):
        return reverse("networks:admin_floatingips")


class Quotas(AdminRequiredMixin, ActorMixin, View):
    """Not a CloudFormView: the project comes from the query on GET, the form on POST."""

    template_name = "networks/quotas.html"

    def get(self, request):
        project_id = id_param(request, "project")
        data = selectors.quota_page(self.actor, project_id)
        form = forms.QuotaForm(initial={"floating_ips": (data["quota"] or {}).get("limit")})
        return render(request, self.template_name,
                      {**data, "form": form, "project_id": project_id})

    def post(self, request):
        project_id = request.POST.get("project") or ""
        data = selectors.quota_page(self.actor, project_id or "-")
        form = forms.QuotaForm(request.POST)
        if form.is_valid():
            try:
                services.set_floating_ip_quota(self.actor, project_id,
                                               form.cleaned_data["floating_ips"])
                messages.success(request, "Floating IP quota saved.")
                return redirect(f"{reverse('networks:quotas')}?project={project_id}")
            except CloudRefused as refused:
                form.add_error(None, refused.message)
        return render(request, self.template_name,
                      {**data, "form": form, "project_id": project_id}, status=400)
