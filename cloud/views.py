"""/admin/cloud/: the cloud as deployed (hosts by Kolla group, their services, capacity),
the admin's enable/disable of a compute service, and every project's usage."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from portal.access import AdminRequiredMixin
from portal.generic import ActorMixin, CloudActionView

from . import forms, selectors, services, usage


class CloudPage(AdminRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "cloud/overview.html", selectors.cloud_page(self.actor))


class Capacity(AdminRequiredMixin, ActorMixin, View):
    """The compute nodes' capacity bars: the fragment the page loads once shown (or the
    page on its own without JavaScript)."""

    def get(self, request):
        template = "cloud/_capacity.html" if request.htmx else "cloud/capacity.html"
        return render(request, template, {"nodes": selectors.capacity(self.actor)})


class _ComputeServiceAction(AdminRequiredMixin, CloudActionView):
    def target(self, service_id):
        found = [s for s in selectors.compute_services(self.actor.conn) if s.id == service_id]
        if not found:
            raise Http404("No such compute service.")
        return found[0]

    def next_url(self, target, service_id):
        return reverse("cloud:overview") + f"#host-{target.machine}"


class DisableService(_ComputeServiceAction):
    def act(self, service):
        form = forms.DisableForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, " ".join(form.errors["reason"]))
            return None
        services.disable_compute(self.actor, service, form.cleaned_data["reason"])
        return (f"{service.binary} on {service.host} disabled: Nova schedules no new servers "
                "there; the servers on it keep running.")


class EnableService(_ComputeServiceAction):
    def act(self, service):
        services.enable_compute(self.actor, service)
        return f"{service.binary} on {service.host} enabled."


class ProjectUsage(AdminRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "cloud/usage.html",
                      usage.projects_page(self.actor, request.GET.get("sort", "name"),
                                          request.GET.get("dir", "asc")))
