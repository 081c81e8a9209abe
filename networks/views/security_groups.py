"""Security groups: list, create, detail with its rules, add rules (presets or custom),
remove a rule, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.generic import ActorMixin, CloudActionView, CloudFormView, require_offered

from .. import forms, selectors, services
from ..lookups import owned
from .base import OwnedDeleteView, widened


class SecurityGroupList(LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "networks/sg_list.html",
                      {**selectors.security_groups_page(self.actor, widened(request)),
                       "form": forms.SecurityGroupForm()})


class SecurityGroupCreate(ChangeRequiredMixin, CloudFormView):
    template_name = "networks/sg_form.html"
    form_class = forms.SecurityGroupForm

    def act(self, form, ctx):
        group = services.create_security_group(self.actor, form.cleaned_data["name"],
                                               form.cleaned_data["description"])
        messages.success(self.request, f"Security group “{group.name}” created.")
        return redirect("networks:security_group", group_id=group.id)


class SecurityGroupDetail(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, group_id):
        data = selectors.security_group_detail(self.actor, group_id)
        return render(request, "networks/sg_detail.html",
                      {**data, "form": forms.RuleForm(groups=data["groups"])})


class RuleAdd(ChangeRequiredMixin, CloudFormView):
    """The form lives on the group's page, which is shown again when it is refused."""

    http_method_names = ["post"]
    template_name = "networks/sg_detail.html"
    form_class = forms.RuleForm

    def context(self, group_id):
        return selectors.security_group_detail(self.actor, group_id)

    def form_kwargs(self, ctx):
        return {"groups": ctx["groups"]}

    def check_ids(self, ctx):
        require_offered(self.request.POST.get("remote_group"), [g["id"] for g in ctx["groups"]])

    def act(self, form, ctx):
        services.add_rules(self.actor, ctx["group"], form.rules())
        messages.success(self.request, "Rule added.")
        return redirect("networks:security_group", group_id=ctx["group"]["id"])


class RuleDelete(CloudActionView):
    def target(self, group_id, rule_id):
        group = owned(self.actor, "security_group", group_id)
        require_offered(rule_id, [r["id"] for r in group["security_group_rules"]])
        return group, rule_id

    def act(self, target):
        services.delete_rule(self.actor, *target)
        return "Rule removed."

    def next_url(self, target, group_id, rule_id):
        return reverse("networks:security_group", args=[group_id])


class SecurityGroupDelete(OwnedDeleteView):
    kind, noun, list_url, detail_url = ("security_group", "Security group",
                                        "networks:security_groups", "networks:security_group")

    def delete(self, group):
        services.delete_security_group(self.actor, group)
