"""What the networks panels' views share."""

from portal.generic import CloudDeleteView, require_offered

from .. import selectors
from ..lookups import owned


def widened(request) -> bool:
    """Whether the list was asked for every project (?all=1; only admins get it)."""
    return request.GET.get("all") == "1"


class PoolChoiceMixin:
    """Forms that pick a floating IP pool: the pools are the choices, and a posted pool
    that is not one of them is refused (404) before the form runs."""

    def context(self):
        return {"pools": selectors.pools(self.actor)}

    def form_kwargs(self, ctx):
        return {"pools": ctx["pools"]}

    def check_ids(self, ctx):
        require_offered(self.request.POST.get("pool"), [p["id"] for p in ctx["pools"]])

    def chosen_pool(self, form, ctx) -> dict | None:
        return next((p for p in ctx["pools"] if p["id"] == form.cleaned_data["pool"]), None)


class OwnedDeleteView(CloudDeleteView):
    """Delete the project's object of `kind` whose ID is in the URL (404 for any other)."""

    kind = ""

    def target(self, **kwargs):
        (object_id,) = kwargs.values()
        return owned(self.actor, self.kind, object_id)
