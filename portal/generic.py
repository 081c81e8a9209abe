"""The views every app's pages are made of, named so that they do not shadow Django's:

    CloudFormView    GET shows a form; POST validates, runs `act`; a refusal from the
                     cloud (CloudRefused) is shown on the form with status 400
    CloudActionView  a button: POST only, the result as a message, then `next_url`
    CloudDeleteView  delete one of the project's objects: to the list once it is gone,
                     back to the object when the cloud refused (the message says why)

Views stay thin: `self.actor` (who acts) goes to a selector for what the page shows and
to a service for what changes.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from .access import ChangeRequiredMixin
from .errors import CloudRefused


class ActorMixin:
    @property
    def actor(self):
        return self.request.actor


def require_offered(value: str | None, allowed) -> None:
    """An ID posted by a form must be one the page offered: anything else (another
    project's object) is a 404, never a hint that it exists."""
    if value and value not in set(allowed):
        raise Http404("No such object in this project.")


class CloudFormView(ActorMixin, View):
    template_name = ""
    form_class = None

    def context(self, **kwargs) -> dict:
        """What the page shows besides the form (a selector call)."""
        return {}

    def form_kwargs(self, ctx) -> dict:
        return {}

    def initial(self, ctx) -> dict:
        return {}

    def check_ids(self, ctx) -> None:
        """Refuse (404) posted IDs the page did not offer, before the form runs."""

    def act(self, form, ctx):
        raise NotImplementedError

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


class CloudActionView(ChangeRequiredMixin, ActorMixin, View):
    def target(self, **kwargs):
        """The object acted on (checked to be the project's: 404 otherwise)."""
        raise NotImplementedError

    def act(self, target) -> str | None:
        """Change it; returns what to tell the person."""
        raise NotImplementedError

    def next_url(self, target, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, **kwargs):
        target = self.target(**kwargs)
        try:
            text = self.act(target)
            if text:
                messages.success(request, text)
        except CloudRefused as refused:
            messages.error(request, refused.message)
        return redirect(self.next_url(target, **kwargs))


class CloudDeleteView(CloudActionView):
    noun = list_url = detail_url = ""

    def delete(self, target) -> None:
        """The app's service call that deletes `target`."""
        raise NotImplementedError

    def name_of(self, target) -> str:
        return target["name"] if isinstance(target, dict) else target.name

    def act(self, target):
        self.deleted = False
        self.delete(target)
        self.deleted = True
        return f"{self.noun} “{self.name_of(target)}” deleted."

    def next_url(self, target, **kwargs):
        if self.deleted:
            return reverse(self.list_url)
        return reverse(self.detail_url, args=list(kwargs.values()))
