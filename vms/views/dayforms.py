"""The day-2 actions that take input, each a form page of its own (linked from the detail
page's buttons, which vms.offered's table decides): resize, rebuild, snapshot, rename, a
security group, a network interface, a floating IP. A refusal, the portal's or Nova's, is
shown on the form where it was typed; a form Nova would refuse in the server's state says
why instead of offering its button, and is refused in words when sent anyway."""

from django.contrib import messages
from django.shortcuts import redirect

from portal.access import ChangeRequiredMixin
from portal.generic import CloudFormView

from .. import dayselectors, offered, services
from ..dayforms import (
    FloatingIpForm,
    InterfaceForm,
    RebuildForm,
    RenameForm,
    ResizeForm,
    SecurityGroupForm,
    SnapshotForm,
)
from ..services.resize import flavor_change


class ServerForm(ChangeRequiredMixin, CloudFormView):
    template_name = "vms/dayform.html"
    offer = ""         # the vms.offered action this form is
    title = submit = ""
    options = staticmethod(dayselectors.one)
    form_has_choices = True

    def context(self, server_id):
        ctx = self.options(self.actor, server_id)
        why_not = offered.refusal(ctx["server"], self.actor.perms, self.offer)
        return {**ctx, "title": self.title, "submit": self.submit, "offered": not why_not,
                "not_offered": why_not or ""}

    def form_kwargs(self, ctx):
        # Forms with choices take the page's options; the name-only ones do not.
        return {"options": ctx} if self.form_has_choices else {}

    def act(self, form, ctx):
        said = self.change(ctx["server"], form.cleaned_data, ctx)
        messages.success(self.request, said)
        return redirect("vms:detail", server_id=ctx["server"].id)

    def change(self, server, data, ctx) -> str:
        raise NotImplementedError


class Resize(ServerForm):
    template_name = "vms/resize.html"
    form_class = ResizeForm
    offer, title, submit = "resize", "Resize", "Resize"
    options = staticmethod(dayselectors.resize_options)

    def context(self, server_id):
        ctx = super().context(server_id)
        server = ctx["server"]
        current = server.flavor.original_name or server.flavor.name
        ctx["flavor_rows"] = [{"flavor": f, "current": f.name == current,
                               "changes": flavor_change(server, f)} for f in ctx["flavors"]]
        return ctx

    def change(self, server, data, ctx):
        return services.resize(self.actor, server, data["flavor"], ctx["limits"])


class Rebuild(ServerForm):
    template_name = "vms/rebuild.html"
    form_class = RebuildForm
    offer, title, submit = "rebuild", "Rebuild", "Rebuild"
    options = staticmethod(dayselectors.rebuild_options)

    def change(self, server, data, ctx):
        return services.rebuild(self.actor, server, data["image"], data["name"],
                                data["key_name"])


class Snapshot(ServerForm):
    form_class = SnapshotForm
    offer, title, submit = "snapshot", "Create snapshot", "Create snapshot"
    form_has_choices = False

    def change(self, server, data, ctx):
        return services.create_snapshot(self.actor, server, data["name"])


class Rename(ServerForm):
    form_class = RenameForm
    offer, title, submit = "rename", "Rename", "Rename"
    form_has_choices = False

    def initial(self, ctx):
        return {"name": ctx["server"].name}

    def change(self, server, data, ctx):
        return services.rename(self.actor, server, data["name"])


class AddSecurityGroup(ServerForm):
    template_name = "vms/groups.html"
    form_class = SecurityGroupForm
    offer, title, submit = "security_groups", "Security groups", "Add"
    options = staticmethod(dayselectors.group_options)

    def change(self, server, data, ctx):
        return services.add_security_group(self.actor, server, data["group"])


class AttachInterface(ServerForm):
    template_name = "vms/interfaces.html"
    form_class = InterfaceForm
    offer, title, submit = "interfaces", "Attach a network interface", "Attach"
    options = staticmethod(dayselectors.interface_options)

    def change(self, server, data, ctx):
        if data["mode"] == InterfaceForm.PORT:
            return services.attach_interface(self.actor, server, port=data["port"])
        return services.attach_interface(self.actor, server, network=data["network"])


class AssociateFloatingIp(ServerForm):
    template_name = "vms/floating_ips.html"
    form_class = FloatingIpForm
    offer, title, submit = "floating_ips", "Floating IPs", "Associate"
    options = staticmethod(dayselectors.floating_ip_options)

    def change(self, server, data, ctx):
        return services.associate_floating_ip(self.actor, server, data["port"],
                                              data["address"], fip=data["fip"],
                                              pool=data["pool"])
