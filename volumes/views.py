"""Thin views: a selector for what the page shows, a form for what was typed, a service
for what changes, all for `self.actor` (request.actor)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.catalog import has_block_storage
from portal.converters import id_param
from portal.errors import CloudRefused
from portal.generic import ActorMixin, CloudActionView, CloudDeleteView, CloudFormView
from vms.selectors import owned_server

from . import selectors, services
from .forms import AttachForm, BootableForm, CreateForm, EditForm, ExtendForm, SnapshotForm


class CinderRequired:
    """A cloud whose catalog has no block storage has no volumes pages (the menu hides
    them too): before anything is asked, a 404 that says why, so an operator who typed
    /volumes/ learns the catalog lacks Cinder rather than that a page is missing."""

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is not None and getattr(request, "cloud_user", None) and \
                not has_block_storage(actor.conn):
            return render(request, "volumes/no_cinder.html", status=404)
        return super().dispatch(request, *args, **kwargs)


class VolumeList(CinderRequired, LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        return render(request, "volumes/list.html", selectors.volumes_page(
            self.actor, marker=id_param(request, "marker")))


class VolumeCreate(CinderRequired, ChangeRequiredMixin, CloudFormView):
    template_name = "volumes/create.html"
    form_class = CreateForm

    def context(self, **kwargs):
        return selectors.create_context(self.actor)

    def form_kwargs(self, ctx):
        return {"ctx": ctx}

    def initial(self, ctx):
        wanted = {k: self.request.GET.get(k) for k in ("image", "snapshot", "volume")}
        for source, ref in wanted.items():
            if ref:
                return {"source": source, source: ref}
        return {}

    def act(self, form, ctx):
        vol = services.create(self.actor, form.cleaned_data)
        messages.success(self.request, f"Volume “{vol.get('name') or vol['id']}” is being "
                                       f"made ({vol['size']} GB).")
        return redirect("volumes:detail", vol["id"])


def delete_what(v: dict) -> str:
    return (f"The volume “{v['label']}” and its {v['size']} GB of data are deleted. This "
            "cannot be undone.")


class VolumeDetail(CinderRequired, LoginRequiredMixin, ActorMixin, View):
    def get(self, request, volume_id):
        ctx = selectors.volume_detail(self.actor, volume_id)
        v = ctx["v"]
        return render(request, "volumes/detail.html", {
            **ctx, "delete_what": delete_what(v),
            "extend_form": ExtendForm(size=v["size"], initial={"new_size": v["size"] + 1}),
            "edit_form": EditForm(initial={"name": v["name"], "description": v["description"]}),
            "attach_form": AttachForm(servers=ctx["servers"]),
            "snapshot_form": SnapshotForm()})


class VolumeChange(CinderRequired, CloudActionView):
    """A small form on the detail page: the form's complaint or Cinder's refusal is the
    page's message, in words."""

    form_class = None

    def target(self, volume_id):
        return selectors.owned_volume(self.actor, volume_id)

    def form(self, vol):
        return self.form_class(self.request.POST)

    def act(self, vol):
        form = self.form(vol)
        if not form.is_valid():
            raise CloudRefused(" ".join(e for errs in form.errors.values() for e in errs))
        return self.change(vol, form.cleaned_data)

    def next_url(self, vol, volume_id):
        return reverse("volumes:detail", args=[volume_id])


class VolumeExtend(VolumeChange):
    form_class = ExtendForm

    def form(self, vol):
        return ExtendForm(self.request.POST, size=vol["size"])

    def change(self, vol, data):
        services.extend(self.actor, vol, data["new_size"])
        return f"Volume “{vol.get('name') or vol['id']}” is growing to {data['new_size']} GB."


class VolumeEdit(VolumeChange):
    form_class = EditForm

    def change(self, vol, data):
        services.update(self.actor, vol, data["name"], data["description"])
        return "Volume saved."


class VolumeBootable(VolumeChange):
    form_class = BootableForm

    def change(self, vol, data):
        services.set_bootable(self.actor, vol, data["bootable"])
        return ("The volume is now bootable." if data["bootable"]
                else "The volume is no longer bootable.")


class VolumeAttach(VolumeChange):
    def form(self, vol):
        self.servers = selectors.volume_detail(self.actor, vol["id"])["servers"]
        posted = self.request.POST.get("server")
        if posted and posted not in {s["id"] for s in self.servers}:
            raise Http404("No such server in this project.")
        return AttachForm(self.request.POST, servers=self.servers)

    def change(self, vol, data):
        server = next(s for s in self.servers if s["id"] == data["server"])
        device = services.attach(self.actor, vol, server,
                                 {s["id"]: s.get("name") for s in self.servers})
        return (f"Volume “{vol.get('name') or vol['id']}” is being attached to "
                f"“{server.get('name')}” as {device}.")

    def next_url(self, vol, volume_id):
        return back_to(self.request, super().next_url(vol, volume_id))


def back_to(request, fallback: str) -> str:
    """A posted `next`, when it is one of the portal's own server pages; else fallback."""
    wanted = request.POST.get("next") or ""
    if wanted.startswith("/servers/") and "//" not in wanted and "\\" not in wanted:
        return wanted
    return fallback


class ServerPanel(LoginRequiredMixin, ActorMixin, View):
    """The server detail's attached-volumes panel (htmx loads it after the page)."""

    def get(self, request, server_id):
        if not has_block_storage(self.actor.conn):
            return HttpResponse("")
        server = owned_server(self.actor, server_id)
        ctx = selectors.server_volumes(self.actor, server)
        return render(request, "volumes/_server_panel.html", {
            **ctx, "server_id": server.id,
            "server_url": reverse("vms:detail", args=[server.id])})


class ServerAttach(CinderRequired, CloudActionView):
    def target(self, server_id):
        return owned_server(self.actor, server_id)

    def act(self, server):
        offered = selectors.server_volumes(self.actor, server)["attachable"]
        vol = next((v for v in offered if v["id"] == self.request.POST.get("volume")), None)
        if vol is None:
            raise Http404("No such volume to attach in this project.")
        device = services.attach(self.actor, vol, {"id": server.id, "name": server.name})
        return f"Volume “{vol.get('name') or vol['id']}” is being attached as {device}."

    def next_url(self, server, server_id):
        return reverse("vms:detail", args=[server_id])


class VolumeDetach(CinderRequired, CloudActionView):
    def target(self, volume_id, server_id):
        vol = selectors.owned_volume(self.actor, volume_id)
        if server_id not in {a["server_id"] for a in vol.get("attachments") or []}:
            raise Http404("The volume is not attached to that server.")
        return vol

    def act(self, vol):
        services.detach(self.actor, vol, self.kwargs["server_id"])
        return f"Volume “{vol.get('name') or vol['id']}” is being detached."

    def next_url(self, vol, volume_id, server_id):
        return back_to(self.request, reverse("volumes:detail", args=[volume_id]))


class SnapshotCreate(VolumeChange):
    form_class = SnapshotForm

    def change(self, vol, data):
        snap = services.create_snapshot(self.actor, vol, data["name"], data["description"])
        return f"Snapshot “{snap.get('name') or snap['id']}” is being made."


class VolumeDelete(CinderRequired, CloudDeleteView):
    noun, list_url, detail_url = "Volume", "volumes:list", "volumes:detail"

    def target(self, volume_id):
        return selectors.owned_volume(self.actor, volume_id)

    def name_of(self, vol):
        return vol.get("name") or vol["id"]

    def delete(self, vol):
        services.delete(self.actor, vol)

    def act(self, vol):
        super().act(vol)
        return f"Volume “{self.name_of(vol)}” is being deleted."


class SnapshotDelete(CinderRequired, CloudActionView):
    def target(self, snapshot_id):
        return selectors.owned_snapshot(self.actor, snapshot_id)

    def act(self, snap):
        services.delete_snapshot(self.actor, snap)
        return f"Snapshot “{snap.get('name') or snap['id']}” is being deleted."

    def next_url(self, snap, snapshot_id):
        return reverse("volumes:list")
