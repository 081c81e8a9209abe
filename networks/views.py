"""Thin views: pick the selector, validate with the form, call the service, show the
result. A CloudRefused goes on the form (or, for buttons, into a message)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import AdminRequiredMixin, ChangeRequiredMixin, LoginRequiredMixin
from portal.cloud import user_connection

from . import forms, selectors, services
from .addressing import format_pools
from .errors import CloudRefused
from .lookups import external, get_json, owned


def _require(value: str | None, allowed) -> None:
    """An ID typed into a form must be one the page offered; anything else (another
    project's object) is a 404, never a hint that it exists."""
    if value and value not in set(allowed):
        raise Http404("No such object in this project.")


def _project(request) -> str:
    return request.cloud_user.project_id


def _conn(request):
    return user_connection(request)


def _widen(request) -> bool:
    return request.GET.get("all") == "1"


class FormView(View):
    """GET shows the form; POST validates, runs `act`, and redirects. A refusal from the
    cloud is shown on the form (status 400), like a validation error."""

    template_name = ""
    form_class = None

    def context(self, **kwargs) -> dict:
        """Page data (selector call); subclasses extend."""
        return {}

    def form_kwargs(self, ctx) -> dict:
        return {}

    def get(self, request, **kwargs):
        ctx = self.context(**kwargs)
        form = self.form_class(initial=self.initial(ctx), **self.form_kwargs(ctx))
        return render(request, self.template_name, {**ctx, "form": form})

    def post(self, request, **kwargs):
        ctx = self.context(**kwargs)
        self.check_ids(ctx)
        form = self.form_class(request.POST, **self.form_kwargs(ctx))
        if form.is_valid():
            try:
                return self.act(form, ctx)
            except CloudRefused as refused:
                form.add_error(None, refused.message)
        return render(request, self.template_name, {**ctx, "form": form}, status=400)

    def initial(self, ctx) -> dict:
        return {}

    def check_ids(self, ctx) -> None:
        pass

    def act(self, form, ctx):
        raise NotImplementedError


class ActionView(ChangeRequiredMixin, View):
    """A button: POST only, result as a message, back to `next_url`."""

    def post(self, request, **kwargs):
        target = self.target(**kwargs)
        try:
            text = self.act(target)
            if text:
                messages.success(request, text)
        except CloudRefused as refused:
            messages.error(request, refused.message)
        return redirect(self.next_url(target, **kwargs))


class DeleteView(ActionView):
    """Delete one of the project's objects: to the list once it is gone, back to the
    object when the cloud refused (the message says why)."""

    kind = noun = list_url = detail_url = ""
    delete = staticmethod(lambda conn, obj, request: None)  # a networks.services function

    def target(self, **kwargs):
        (object_id,) = kwargs.values()
        return owned(_conn(self.request), self.kind, object_id, _project(self.request))

    def act(self, obj):
        self.deleted = False
        self.delete(_conn(self.request), obj, request=self.request)
        self.deleted = True
        return f"{self.noun} “{obj['name']}” deleted."

    def next_url(self, obj, **kwargs):
        if self.deleted:
            return reverse(self.list_url)
        return reverse(self.detail_url, args=list(kwargs.values()))


# --- networks -----------------------------------------------------------------------

class NetworkList(LoginRequiredMixin, View):
    def get(self, request):
        data = selectors.networks_page(request, _widen(request), request.GET.get("marker"))
        return render(request, "networks/network_list.html", data)


class NetworkCreate(ChangeRequiredMixin, FormView):
    template_name = "networks/network_form.html"
    form_class = forms.NetworkForm

    def act(self, form, ctx):
        net = services.create_network(_conn(self.request), form.cleaned_data["name"],
                                      request=self.request)
        messages.success(self.request, f"Network “{net.name}” created. Add a subnet to it.")
        return redirect("networks:detail", network_id=net.id)


class PoolChoiceMixin:
    """Forms that pick a floating IP pool: the pools are the choices, and a posted pool
    that is not one of them is refused (404) before the form runs."""

    def context(self):
        return {"pools": selectors.pools(_conn(self.request))}

    def form_kwargs(self, ctx):
        return {"pools": ctx["pools"]}

    def check_ids(self, ctx):
        _require(self.request.POST.get("pool"), [p["id"] for p in ctx["pools"]])


class QuickCreate(ChangeRequiredMixin, PoolChoiceMixin, FormView):
    template_name = "networks/quick_form.html"
    form_class = forms.QuickNetworkForm

    def act(self, form, ctx):
        d = form.cleaned_data
        pool = next(p for p in ctx["pools"] if p["id"] == d["pool"])
        made = services.quick_network(_conn(self.request), d["name"], d["cidr"],
                                      d["dns_nameservers"], pool, request=self.request)
        messages.success(self.request, f"Network “{d['name']}” with subnet {d['cidr']} and "
                                       f"router to “{pool['name']}” created.")
        return redirect("networks:detail", network_id=made["network"].id)


class NetworkDetail(LoginRequiredMixin, View):
    def get(self, request, network_id):
        data = selectors.network_detail(request, network_id)
        return render(request, "networks/network_detail.html",
                      {**data, "rename_form": forms.NetworkForm(
                          initial={"name": data["network"]["name"]})})


class NetworkRename(ChangeRequiredMixin, FormView):
    template_name = "networks/network_form.html"
    form_class = forms.NetworkForm

    def context(self, network_id):
        return {"network": owned(_conn(self.request), "network", network_id,
                                 _project(self.request))}

    def initial(self, ctx):
        return {"name": ctx["network"]["name"]}

    def act(self, form, ctx):
        services.rename_network(_conn(self.request), ctx["network"]["id"],
                                form.cleaned_data["name"], request=self.request)
        messages.success(self.request, f"Renamed to “{form.cleaned_data['name']}”.")
        return redirect("networks:detail", network_id=ctx["network"]["id"])


class NetworkDelete(DeleteView):
    kind, noun, list_url, detail_url = "network", "Network", "networks:list", "networks:detail"
    delete = staticmethod(services.delete_network)


# --- subnets ------------------------------------------------------------------------

class SubnetCreate(ChangeRequiredMixin, FormView):
    template_name = "networks/subnet_form.html"
    form_class = forms.SubnetForm

    def context(self, network_id):
        conn = _conn(self.request)
        net = owned(conn, "network", network_id, _project(self.request))
        return {"network": net, "others": selectors.network_subnets(conn, network_id)}

    def form_kwargs(self, ctx):
        return {"other_subnets": ctx["others"]}

    def act(self, form, ctx):
        subnet = services.create_subnet(_conn(self.request), ctx["network"]["id"],
                                        form.neutron_body(), request=self.request)
        messages.success(self.request, f"Subnet {subnet.cidr} created.")
        return redirect("networks:detail", network_id=ctx["network"]["id"])


class SubnetEdit(ChangeRequiredMixin, FormView):
    template_name = "networks/subnet_form.html"
    form_class = forms.SubnetForm

    def context(self, subnet_id):
        conn = _conn(self.request)
        subnet = owned(conn, "subnet", subnet_id, _project(self.request))
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
        services.update_subnet(_conn(self.request), ctx["subnet"]["id"], body,
                               request=self.request)
        messages.success(self.request, f"Subnet {ctx['subnet']['cidr']} saved.")
        return redirect("networks:detail", network_id=ctx["subnet"]["network_id"])


class SubnetDelete(ActionView):
    def target(self, subnet_id):
        return owned(_conn(self.request), "subnet", subnet_id, _project(self.request))

    def act(self, subnet):
        services.delete_subnet(_conn(self.request), subnet, request=self.request)
        return f"Subnet {subnet['cidr']} deleted."

    def next_url(self, subnet, subnet_id):
        return reverse("networks:detail", args=[subnet["network_id"]])


# --- routers ------------------------------------------------------------------------

class RouterList(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "networks/router_list.html",
                      selectors.routers_page(request, _widen(request)))


class RouterCreate(ChangeRequiredMixin, PoolChoiceMixin, FormView):
    template_name = "networks/router_form.html"
    form_class = forms.RouterForm

    def act(self, form, ctx):
        pool = next((p for p in ctx["pools"] if p["id"] == form.cleaned_data["pool"]), None)
        router = services.create_router(_conn(self.request), form.cleaned_data["name"], pool,
                                        request=self.request)
        messages.success(self.request, f"Router “{router.name}” created.")
        return redirect("networks:router_detail", router_id=router.id)


class RouterDetail(LoginRequiredMixin, View):
    def get(self, request, router_id):
        data = selectors.router_detail(request, router_id)
        form = forms.InterfaceForm(subnets=data["free_subnets"])
        return render(request, "networks/router_detail.html", {**data, "form": form})


class RouterAddInterface(ChangeRequiredMixin, View):
    def post(self, request, router_id):
        data = selectors.router_detail(request, router_id)
        _require(request.POST.get("subnet"),
                 [s["id"] for s in data["free_subnets"]] +
                 [a["subnet"]["id"] for a in data["attached"]])
        form = forms.InterfaceForm(request.POST, subnets=data["free_subnets"])
        if form.is_valid():
            try:
                services.add_interface(_conn(request), data["router"],
                                       form.cleaned_data["subnet"], request=request)
                messages.success(request, "Subnet added to the router.")
                return redirect("networks:router_detail", router_id=router_id)
            except CloudRefused as refused:
                form.add_error(None, refused.message)
        return render(request, "networks/router_detail.html", {**data, "form": form},
                      status=400)


class RouterRemoveInterface(ActionView):
    def target(self, router_id):
        data = selectors.router_detail(self.request, router_id)
        subnet_id = self.request.POST.get("subnet", "")
        _require(subnet_id or "-", [a["subnet"]["id"] for a in data["attached"]])
        return data["router"], subnet_id

    def act(self, target):
        router, subnet_id = target
        services.remove_interface(_conn(self.request), router, subnet_id,
                                  request=self.request)
        return "Subnet removed from the router."

    def next_url(self, target, router_id):
        return reverse("networks:router_detail", args=[router_id])


class RouterDelete(DeleteView):
    kind, noun, list_url, detail_url = ("router", "Router", "networks:routers",
                                        "networks:router_detail")
    delete = staticmethod(services.delete_router)


# --- floating IPs -------------------------------------------------------------------

class FloatingIPList(LoginRequiredMixin, View):
    def get(self, request):
        data = selectors.floatingips_page(request, _widen(request), request.GET.get("marker"))
        return render(request, "networks/fip_list.html",
                      {**data, "form": forms.AllocateForm(pools=data["pools"])})


class FloatingIPAllocate(ChangeRequiredMixin, PoolChoiceMixin, FormView):
    template_name = "networks/fip_allocate.html"
    form_class = forms.AllocateForm

    def act(self, form, ctx):
        pool = next(p for p in ctx["pools"] if p["id"] == form.cleaned_data["pool"])
        fip = services.allocate_floating_ip(_conn(self.request), pool["id"],
                                            pool_name=pool["name"], request=self.request)
        messages.success(self.request, f"Floating IP {fip.floating_ip_address} allocated "
                                       f"from “{pool['name']}”.")
        return redirect("networks:floatingips")


class FloatingIPAssociate(ChangeRequiredMixin, View):
    """Pick the server; when it has several addresses, pick the port / fixed IP too."""

    template_name = "networks/fip_associate.html"

    def _data(self, server_id):
        data = selectors.associate_choices(self.request, self.kwargs["fip_id"], server_id)
        _require(server_id, [s["id"] for s in data["servers"]])
        return data

    def get(self, request, fip_id):
        data = self._data(None)
        return render(request, self.template_name,
                      {**data, "form": forms.AssociateForm(servers=data["servers"])})

    def post(self, request, fip_id):
        server_id = request.POST.get("server") or None
        data = self._data(server_id)
        target = request.POST.get("target") or None
        _require(target, [t["value"] for t in data["targets"]])
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
        services.associate_floating_ip(_conn(self.request), fip["id"], chosen["port_id"],
                                       chosen["fixed_ip"], server_name=name,
                                       pool_name=fip["pool_name"], request=self.request)
        messages.success(self.request, f"{fip['floating_ip_address']} now points at "
                                       f"“{name}” ({chosen['fixed_ip']}).")
        return redirect("networks:floatingips")


class FloatingIPDisassociate(ActionView):
    def target(self, fip_id):
        return owned(_conn(self.request), "floatingip", fip_id, _project(self.request))

    def act(self, fip):
        services.disassociate_floating_ip(_conn(self.request), fip["id"], request=self.request)
        return f"{fip['floating_ip_address']} disassociated."

    def next_url(self, fip, fip_id):
        return reverse("networks:floatingips")


class FloatingIPRelease(ActionView):
    def target(self, fip_id):
        return owned(_conn(self.request), "floatingip", fip_id, _project(self.request))

    def act(self, fip):
        services.release_floating_ip(_conn(self.request), fip, request=self.request)
        return f"{fip['floating_ip_address']} released to its pool."

    def next_url(self, fip, fip_id):
        return reverse("networks:floatingips")


# --- security groups ----------------------------------------------------------------

class SecurityGroupList(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "networks/sg_list.html",
                      {**selectors.security_groups_page(request, _widen(request)),
                       "form": forms.SecurityGroupForm()})


class SecurityGroupCreate(ChangeRequiredMixin, FormView):
    template_name = "networks/sg_form.html"
    form_class = forms.SecurityGroupForm

    def act(self, form, ctx):
        group = services.create_security_group(_conn(self.request), form.cleaned_data["name"],
                                               form.cleaned_data["description"],
                                               request=self.request)
        messages.success(self.request, f"Security group “{group.name}” created.")
        return redirect("networks:security_group", group_id=group.id)


class SecurityGroupDetail(LoginRequiredMixin, View):
    def get(self, request, group_id):
        data = selectors.security_group_detail(request, group_id)
        return render(request, "networks/sg_detail.html",
                      {**data, "form": forms.RuleForm(groups=data["groups"])})


class RuleAdd(ChangeRequiredMixin, View):
    def post(self, request, group_id):
        data = selectors.security_group_detail(request, group_id)
        _require(request.POST.get("remote_group"), [g["id"] for g in data["groups"]])
        form = forms.RuleForm(request.POST, groups=data["groups"])
        if form.is_valid():
            try:
                services.add_rules(_conn(request), data["group"], form.rules(),
                                   request=request)
                messages.success(request, "Rule added.")
                return redirect("networks:security_group", group_id=group_id)
            except CloudRefused as refused:
                form.add_error(None, refused.message)
        return render(request, "networks/sg_detail.html", {**data, "form": form}, status=400)


class RuleDelete(ActionView):
    def target(self, group_id, rule_id):
        group = owned(_conn(self.request), "security_group", group_id, _project(self.request))
        _require(rule_id, [r["id"] for r in group["security_group_rules"]])
        return group, rule_id

    def act(self, target):
        services.delete_rule(_conn(self.request), *target, request=self.request)
        return "Rule removed."

    def next_url(self, target, group_id, rule_id):
        return reverse("networks:security_group", args=[group_id])


class SecurityGroupDelete(DeleteView):
    kind, noun, list_url, detail_url = ("security_group", "Security group",
                                        "networks:security_groups", "networks:security_group")
    delete = staticmethod(services.delete_security_group)


# --- admin: pools -------------------------------------------------------------------

class AdminActionView(AdminRequiredMixin, ActionView):
    pass


class PoolList(AdminRequiredMixin, View):
    def get(self, request):
        return render(request, "networks/pool_list.html", selectors.pools_page(request))


class PoolCreate(AdminRequiredMixin, FormView):
    template_name = "networks/pool_form.html"
    form_class = forms.PoolForm

    def act(self, form, ctx):
        d = form.cleaned_data
        pool = services.create_pool(_conn(self.request), d["name"], d["network_type"],
                                    d["physnet"], d["vlan_id"], d["shared"],
                                    request=self.request)
        messages.success(self.request, f"Pool “{pool.name}” created. Add an allocation "
                                       "range to it.")
        return redirect("networks:pool", pool_id=pool.id)


class PoolDetail(AdminRequiredMixin, FormView):
    template_name = "networks/pool_detail.html"
    form_class = forms.RangeForm

    def context(self, pool_id):
        return selectors.pool_detail(self.request, pool_id)

    def form_kwargs(self, ctx):
        return {"other_subnets": [(s["name"], s["cidr"]) for s in ctx["subnets"]]}

    def act(self, form, ctx):
        d = form.cleaned_data
        services.add_range(_conn(self.request), ctx["pool"], d["cidr_net"],
                           [{"start": str(d["start"]), "end": str(d["end"])}],
                           d.get("gateway"), request=self.request)
        messages.success(self.request, f"Range {d['start']}–{d['end']} added.")
        return redirect("networks:pool", pool_id=ctx["pool"]["id"])


class RangeDelete(AdminActionView):
    def target(self, pool_id, subnet_id):
        conn = _conn(self.request)
        pool = external(conn, pool_id)
        _require(subnet_id, pool["subnets"])
        subnet = conn.network.get_subnet(subnet_id)
        return pool, {"id": subnet.id, "cidr": subnet.cidr}

    def act(self, target):
        services.delete_range(_conn(self.request), *target, request=self.request)
        return f"Range {target[1]['cidr']} removed."

    def next_url(self, target, pool_id, subnet_id):
        return reverse("networks:pool", args=[pool_id])


class PoolDelete(AdminActionView):
    def target(self, pool_id):
        return external(_conn(self.request), pool_id)

    def act(self, pool):
        self.deleted = False
        conn = _conn(self.request)
        services.delete_pool(conn, pool, selectors.pool_fip_count(conn, pool["id"]),
                             request=self.request)
        self.deleted = True
        return f"Pool “{pool['name']}” deleted."

    def next_url(self, pool, pool_id):
        return reverse("networks:pools") if self.deleted else reverse(
            "networks:pool", args=[pool_id])


class AllFloatingIPs(AdminRequiredMixin, View):
    def get(self, request):
        return render(request, "networks/admin_fips.html",
                      selectors.all_floatingips_page(request, request.GET.get("marker")))


class AdminRelease(AdminActionView):
    def target(self, fip_id):
        fip = get_json(_conn(self.request).network, f"/floatingips/{fip_id}", "floatingip")
        if fip is None:
            raise Http404("No such floating IP.")
        return fip

    def act(self, fip):
        services.release_floating_ip(_conn(self.request), fip, request=self.request)
        return f"{fip['floating_ip_address']} released."

    def next_url(self, fip, fip_id):
        return reverse("networks:admin_floatingips")


class Quotas(AdminRequiredMixin, View):
    template_name = "networks/quotas.html"

    def get(self, request):
        project_id = request.GET.get("project") or None
        data = selectors.quota_page(request, project_id)
        form = forms.QuotaForm(initial={"floating_ips": (data["quota"] or {}).get("limit")})
        return render(request, self.template_name,
                      {**data, "form": form, "project_id": project_id})

    def post(self, request):
        project_id = request.POST.get("project") or ""
        data = selectors.quota_page(request, project_id or "-")
        form = forms.QuotaForm(request.POST)
        if form.is_valid():
            try:
                services.set_floating_ip_quota(_conn(request), project_id,
                                               form.cleaned_data["floating_ips"],
                                               request=request)
                messages.success(request, "Floating IP quota saved.")
                return redirect(f"{reverse('networks:quotas')}?project={project_id}")
            except CloudRefused as refused:
                form.add_error(None, refused.message)
        return render(request, self.template_name,
                      {**data, "form": form, "project_id": project_id}, status=400)
