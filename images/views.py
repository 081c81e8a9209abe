"""Thin views: a selector for what the page shows, a form for what was typed, a service
for what changes, all for `self.actor` (request.actor).

The upload is two requests from the page's script (static/js/image-upload.js): the form
is checked (POST upload/, answered with the form's errors or a ticket), then the file is
PUT to upload/data/?ticket=…, whose body streams into Glance as it arrives
(portal/streaming.py). Without JavaScript the form still shows its messages and says the
upload needs it."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from portal.access import ChangeRequiredMixin, LoginRequiredMixin
from portal.converters import id_param
from portal.errors import CloudRefused
from portal.generic import ActorMixin, CloudActionView, CloudDeleteView
from portal.streaming import streams_body

from . import selectors, services, tickets
from .forms import ImageFilterForm, UploadForm, VisibilityForm


class ImageList(LoginRequiredMixin, ActorMixin, View):
    def get(self, request):
        say_broken_upload(request)
        form = ImageFilterForm(request.GET)
        shown = form.value()
        page = selectors.images_page(self.actor, shown, marker=id_param(request, "marker"))
        return render(request, "images/list.html", {
            **page, "shown": shown, "shown_labels": selectors.SHOWN_LABELS,
            "filter_error": None if form.is_valid() else "No such filter: showing all "
                                                         "usable images."})


class ImageDetail(LoginRequiredMixin, ActorMixin, View):
    def get(self, request, image_id):
        ctx = selectors.image_detail(self.actor, image_id)
        return render(request, "images/detail.html", {
            **ctx, "visibility_form": VisibilityForm(
                initial={"visibility": ctx["image"].get("visibility")},
                is_admin=self.actor.perms.is_admin)})


# A broken upload's answer never reaches the browser (it is gone): what happened is kept
# in the session, and the next images page says it (a message would travel in the lost
# answer's cookie).
BROKEN_NOTICE = "images.upload_broken"


def say_broken_upload(request) -> None:
    if notice := request.session.pop(BROKEN_NOTICE, None):
        messages.error(request, notice)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class Upload(ChangeRequiredMixin, ActorMixin, View):
    """GET: the form. POST: check it; the script gets a ticket for the file's PUT."""

    def form(self, data=None):
        return UploadForm(data, is_admin=self.actor.perms.is_admin)

    def page(self, form, status=200):
        return render(self.request, "images/upload.html", {"form": form}, status=status)

    def get(self, request):
        say_broken_upload(request)
        return self.page(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            if wants_json(request):
                html = render(request, "images/_upload_form.html", {"form": form}).content
                return JsonResponse({"ok": False, "form": html.decode()}, status=400)
            return self.page(form, status=400)
        ticket = tickets.issue(self.actor, form.fields_for_ticket())
        url = f"{reverse('images:upload_data')}?ticket={ticket}"
        if wants_json(request):
            return JsonResponse({"ok": True, "upload_url": url})
        form.add_error(None, "The form is fine, but the file is sent by the page's script: "
                             "enable JavaScript to upload.")
        return self.page(form, status=400)


@streams_body
class UploadData(ChangeRequiredMixin, ActorMixin, View):
    """PUT: the file, streamed into a new image made from the ticket's fields."""

    http_method_names = ["put"]

    def put(self, request):
        fields = tickets.redeem(self.actor, request.GET.get("ticket", ""))
        if fields is None:
            raise Http404("No such upload (its form was not checked, or long ago).")
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size != fields["size"]:
            return JsonResponse({"ok": False, "message": (
                f"The file sent ({size} bytes) is not the one the form was checked for "
                f"({fields['size']} bytes). Choose the file again.")}, status=400)
        try:
            image = services.upload(self.actor, fields, request.read, size)
        except services.UploadBroken as broke:
            request.session[BROKEN_NOTICE] = broke.message
            return JsonResponse({"ok": False, "message": broke.message}, status=400)
        except CloudRefused as refused:
            return JsonResponse({"ok": False, "message": refused.message}, status=400)
        text = f"Image “{image.get('name')}” uploaded: {image.get('status')}."
        messages.success(request, text)
        return JsonResponse({"ok": True, "message": text, "image_id": image["id"],
                             "image_url": reverse("images:detail", args=[image["id"]])})


class ImageVisibility(CloudActionView):
    def target(self, image_id):
        return selectors.owned_image(self.actor, image_id)

    def act(self, image):
        form = VisibilityForm(self.request.POST, is_admin=self.actor.perms.is_admin)
        if not form.is_valid():
            raise CloudRefused(" ".join(e for errs in form.errors.values() for e in errs))
        changed = services.set_visibility(self.actor, image, form.cleaned_data["visibility"])
        return f"Image “{image.get('name')}” is now {changed['visibility']}."

    def next_url(self, image, image_id):
        return reverse("images:detail", args=[image_id])


class ImageDelete(CloudDeleteView):
    noun, list_url, detail_url = "Image", "images:list", "images:detail"

    def target(self, image_id):
        return selectors.owned_image(self.actor, image_id)

    def name_of(self, image):
        return image.get("name") or image["id"]

    def delete(self, image):
        services.delete(self.actor, image)
