"""Key pairs: the list with its create/import form, delete, and the one page that shows
a new private key."""

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.access import LoginRequiredMixin
from portal.generic import CloudDeleteView, CloudFormView

from .. import fragments, selectors, services
from ..forms import KeypairCreateForm


def private_key_page(request, ctx: dict):
    """The one answer that carries a new private key (with its download link, a data:
    URL made from this same answer): kept by no cache, stored nowhere."""
    response = render(request, "vms/private_key.html", ctx)
    response["Cache-Control"] = "no-store"
    return response


class Keypairs(LoginRequiredMixin, CloudFormView):
    template_name = "vms/keypairs.html"
    form_class = KeypairCreateForm

    def context(self, **kwargs):
        # The list is called for by the template, so only a page that is shown costs the
        # Nova call: a successful POST redirects without it.
        return {"keypairs": partial(selectors.keypairs, self.actor),
                "live_list": fragments.keypairs_list_attrs(self.actor.user_id)}

    def act(self, form, ctx):
        name = form.cleaned_data["name"]
        private = services.create_keypair(self.actor, name, form.cleaned_data["public_key"])
        if private:
            return private_key_page(self.request, {"key_name": name, "private_key": private})
        messages.success(self.request, f"Key pair {name} imported.")
        return redirect("vms:keypairs")


class KeypairDelete(CloudDeleteView):
    noun = "Key pair"

    def target(self, name):
        return name  # Nova's key pairs are the user's own: the token only reaches those

    def name_of(self, target):
        return target

    def delete(self, target):
        services.delete_keypair(self.actor, target)

    def next_url(self, target, **kwargs):
        return reverse("vms:keypairs")
