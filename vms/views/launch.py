"""The launch form."""


from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from portal.access import ChangeRequiredMixin
from portal.converters import id_param
from portal.generic import CloudFormView

from .. import selectors, services
from ..forms import LaunchForm
from .keypairs import private_key_page


class Launch(ChangeRequiredMixin, CloudFormView):
    template_name = "vms/launch.html"
    form_class = LaunchForm

    def chosen_image(self) -> str | None:
        """The image the images page's "Launch" chose (?image=, kept on the POST by the
        form's own URL)."""
        return id_param(self.request, "image")

    def context(self, **kwargs):
        options = selectors.launch_options(self.actor, self.chosen_image())
        return {"options": options, "limits": options["limits"],
                "flavors": options["flavors"]}

    def initial(self, ctx):
        chosen = self.chosen_image()
        if chosen and chosen in {i.id for i in ctx["options"]["images"]}:
            return {"image": chosen}
        return {}

    def form_kwargs(self, ctx):
        return {"options": ctx["options"]}

    def act(self, form, ctx):
        data = form.cleaned_data
        result = services.launch(self.actor, data, ctx["options"], form.flavor_obj())
        if result.duplicate:
            messages.info(self.request, "This launch was already submitted; no second "
                                        "server was made.")
        if result.private_key:
            return private_key_page(self.request, {
                "key_name": result.key_name, "private_key": result.private_key,
                "server_ids": result.server_ids, "name": data["name"]})
        if len(result.server_ids) == 1:
            return redirect("vms:detail", server_id=result.server_ids[0])
        return redirect(f"{reverse('vms:list')}?name={data['name']}")
