"""Admin: flavors — the list (with each private flavor's projects), create, a flavor's page
with its project access (add by name, remove), delete (asked first in the page)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal import projects
from portal.access import AdminRequiredMixin
from portal.generic import ActorMixin, CloudActionView, CloudDeleteView, CloudFormView

from .. import flavors, services
from ..admin_forms import FlavorForm, ProjectAccessForm


class FlavorList(AdminRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "vms/admin/flavors.html", flavors.flavors_page(self.actor))


class FlavorCreate(AdminRequiredMixin, CloudFormView):
    template_name = "vms/admin/flavor_form.html"
    form_class = FlavorForm

    def act(self, form, ctx):
        d = form.cleaned_data
        flavor = services.create_flavor(
            self.actor, name=d["name"], vcpus=d["vcpus"], ram=d["ram"], disk=d["disk"],
            ephemeral=d["ephemeral"] or 0, swap=d["swap"] or 0, is_public=d["is_public"],
            flavor_id=d["flavor_id"], description=d["description"])
        messages.success(self.request, f"Flavor “{flavor.name}” created.")
        return redirect("vms:flavor", flavor_id=flavor.id)


class FlavorDetail(AdminRequiredMixin, CloudFormView):
    """The flavor, the projects that may use it (private ones), and the form that gives
    it to one more project."""

    template_name = "vms/admin/flavor_detail.html"
    form_class = ProjectAccessForm

    def context(self, flavor_id):
        return flavors.flavor_detail(self.actor, flavor_id)

    def form_kwargs(self, ctx):
        return {"offered": ctx["other_projects"], "given": ctx["access"]}

    def act(self, form, ctx):
        project = form.cleaned_data["project"]
        services.add_access(self.actor, ctx["flavor"], project)
        messages.success(self.request, f"{project['name']} may now use the flavor "
                                       f"“{ctx['flavor']['name']}”.")
        return redirect("vms:flavor", flavor_id=ctx["flavor"]["id"])


class AccessRemove(AdminRequiredMixin, CloudActionView):
    def target(self, flavor_id, project_id):
        name = projects.names(self.actor, [project_id]).get(project_id, "")
        return flavors.one(self.actor.conn, flavor_id), {"id": project_id, "name": name}

    def act(self, target):
        flavor, project = target
        services.remove_access(self.actor, flavor, project)
        return (f"{project['name'] or project['id']} may no longer use the flavor "
                f"“{flavor['name']}”.")

    def next_url(self, target, flavor_id, project_id):
        return reverse("vms:flavor", args=[flavor_id])


class FlavorDelete(AdminRequiredMixin, CloudDeleteView):
    noun, list_url, detail_url = "Flavor", "vms:flavors", "vms:flavor"

    def target(self, flavor_id):
        return flavors.one(self.actor.conn, flavor_id)

    def delete(self, flavor):
        services.delete_flavor(self.actor, flavor)
