"""Routers: list, create (gateway on a pool), detail, add and remove interfaces, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.generic import ActorMixin, CloudActionView, CloudFormView, require_offered

from .. import forms, selectors, services
from .base import OwnedDeleteView, PoolChoiceMixin, widened


class RouterList(LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "networks/router_list.html",
                      selectors.routers_page(self.actor, widened(request)))


class RouterCreate(ChangeRequiredMixin, PoolChoiceMixin, CloudFormView):
    template_name = "networks/router_form.html"
    form_class = forms.RouterForm

    def act(self, form, ctx):
        router = services.create_router(self.actor, form.cleaned_data["name"],
                                        self.chosen_pool(form, ctx))
        messages.success(self.request, f"Router “{router.name}” created.")
        return redirect("networks:router_detail", router_id=router.id)


class RouterDetail(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, router_id):
        data = selectors.router_detail(self.actor, router_id)
        form = forms.InterfaceForm(subnets=data["free_subnets"])
        return render(request, "networks/router_detail.html", {**data, "form": form})


class RouterAddInterface(ChangeRequiredMixin, CloudFormView):
    """The form lives on the router's page, which is shown again when it is refused."""

    http_method_names = ["post"]
    template_name = "networks/router_detail.html"
    form_class = forms.InterfaceForm

    def context(self, router_id):
        return selectors.router_detail(self.actor, router_id)

    def form_kwargs(self, ctx):
        return {"subnets": ctx["free_subnets"]}

    def check_ids(self, ctx):
        require_offered(self.request.POST.get("subnet"),
                        [s["id"] for s in ctx["free_subnets"]] +
                        [a["subnet"]["id"] for a in ctx["attached"]])

    def act(self, form, ctx):
        services.add_interface(self.actor, ctx["router"], form.cleaned_data["subnet"])
        messages.success(self.request, "Subnet added to the router.")
        return redirect("networks:router_detail", router_id=ctx["router"]["id"])


class RouterRemoveInterface(CloudActionView):
    def target(self, router_id):
        data = selectors.router_detail(self.actor, router_id)
        subnet_id = self.request.POST.get("subnet", "")
        require_offered(subnet_id or "-", [a["subnet"]["id"] for a in data["attached"]])
        return data["router"], subnet_id

    def act(self, target):
        router, subnet_id = target
        services.remove_interface(self.actor, router, subnet_id)
        return "Subnet removed from the router."

    def next_url(self, target, router_id):
        return reverse("networks:router_detail", args=[router_id])


class RouterDelete(OwnedDeleteView):
    kind, noun, list_url, detail_url = ("router", "Router", "networks:routers",
                                        "networks:router_detail")

    def delete(self, router):
        services.delete_router(self.actor, router)
