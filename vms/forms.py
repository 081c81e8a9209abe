"""The launch form and the key pair forms: choices come from the page's selector, so an
ID the page did not offer (another project's network, say) is a validation error."""

import uuid

from django import forms
from django.core.validators import RegexValidator

from . import boot_source

MAX_COUNT = 500
NAME = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,62}$",
                      "Use letters, digits, spaces, dots, dashes or underscores (up to 63), "
                      "starting with a letter or digit.")
KEY_NAME = RegexValidator(r"^[A-Za-z0-9_ -]{1,255}$",
                          "Use letters, digits, spaces, dashes or underscores.")
PUBLIC_KEY_PREFIXES = ("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss ")
PUBLIC_KEY_MAX = 16384  # a 16384-bit RSA key is under 3 KB
USER_DATA_MAX = 65535   # Nova's limit, on the base64 it is sent as


def flavor_label(f) -> str:
    return f"{f.name} — {f.vcpus} vCPU, {f.ram} MiB RAM, {f.disk} GB disk"


def _network_label(n, cidrs: dict) -> str:
    subnets = ", ".join(cidrs.get(n.id, [])) or "no subnet"
    return f"{n.name or n.id} ({subnets})"


class LaunchForm(forms.Form):
    KEY_NONE, KEY_EXISTING, KEY_CREATE, KEY_IMPORT = "none", "existing", "create", "import"

    request_id = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=63, validators=[NAME])
    flavor = forms.ChoiceField()
    image = forms.ChoiceField()
    networks = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    count = forms.IntegerField(min_value=1, max_value=MAX_COUNT, initial=1,
                               help_text="Several servers are made in one request, named "
                                         "name-1, name-2 …")
    key_mode = forms.ChoiceField(label="Key pair", initial=KEY_NONE, choices=[
        (KEY_NONE, "No key pair"), (KEY_EXISTING, "Use an existing key pair"),
        (KEY_CREATE, "Create a new key pair"), (KEY_IMPORT, "Import a public key")])
    key_name = forms.ChoiceField(label="Existing key pair", required=False)
    new_key_name = forms.CharField(label="New key pair name", required=False,
                                   validators=[KEY_NAME], max_length=255)
    public_key = forms.CharField(label="Public key (to import)", required=False,
                                 max_length=PUBLIC_KEY_MAX,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    security_groups = forms.MultipleChoiceField(required=False,
                                                widget=forms.CheckboxSelectMultiple)
    user_data = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="cloud-init user data (a script or #cloud-config)")
    floating_pool = forms.ChoiceField(label="Attach a floating IP once active",
                                      required=False)

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["flavor"].choices = [(f.id, flavor_label(f)) for f in options["flavors"]]
        self.fields["image"].choices = [(i.id, i.name or i.id) for i in options["images"]]
        self.fields["networks"].choices = [(n.id, _network_label(n, options["cidrs"]))
                                           for n in options["tenant_networks"]]
        self.fields["key_name"].choices = [("", "—")] + [(k.name, k.name)
                                                         for k in options["keypairs"]]
        self.fields["security_groups"].choices = [(g.name, g.name) for g in
                                                  options["security_groups"]]
        self.fields["floating_pool"].choices = [("", "No floating IP")] + [
            (p.id, f"from pool {p.name}") for p in options["pools"]]
        boot_source.add_fields(self)
        if options.get("cinder"):  # a volume or a snapshot boots without an image
            self.fields["image"].required = False
        if not self.is_bound:  # what the view chose (an image from the images page) wins
            self.initial = {**self.defaults(), **self.initial}

    def defaults(self) -> dict:
        """Two clicks to the seed's `server create --flavor 1 --image cirros --network …`."""
        o = self.options
        flavor = next((f.id for f in o["flavors"] if f.id == "1"),
                      o["flavors"][0].id if o["flavors"] else None)
        image = next((i.id for i in o["images"] if (i.name or "").startswith("cirros")),
                     o["images"][0].id if o["images"] else None)
        nets = o["tenant_networks"]
        groups = [g.name for g in o["security_groups"] if g.name == "default"]
        return {"request_id": uuid.uuid4().hex, "flavor": flavor, "image": image,
                "networks": [nets[0].id] if len(nets) >= 1 else [], "count": 1,
                "security_groups": groups}

    def clean_user_data(self):
        data = self.cleaned_data["user_data"]
        encoded = 4 * ((len(data.encode()) + 2) // 3)
        if encoded > USER_DATA_MAX:
            raise forms.ValidationError(f"User data is limited to {USER_DATA_MAX * 3 // 4} "
                                        f"bytes ({USER_DATA_MAX} once base64-encoded, "
                                        "Nova's limit).")
        return data

    def flavor_obj(self):
        return next(f for f in self.options["flavors"] if f.id == self.cleaned_data["flavor"])

    def clean(self):
        data = super().clean()
        if data.get("boot_source", boot_source.IMAGE) in (boot_source.IMAGE,
                                                          boot_source.NEW_VOLUME) \
                and not data.get("image") and "image" not in self.errors:
            self.add_error("image", "Choose the image to boot from.")
        boot_source.clean(self, data)
        mode = data.get("key_mode")
        if mode == self.KEY_EXISTING and not data.get("key_name"):
            self.add_error("key_name", "Pick a key pair.")
        if mode in (self.KEY_CREATE, self.KEY_IMPORT):
            name = data.get("new_key_name")
            if not name:
                self.add_error("new_key_name", "Give the new key pair a name.")
            elif name in {k.name for k in self.options["keypairs"]}:
                self.add_error("new_key_name", "You already have a key pair with this name.")
        if mode == self.KEY_IMPORT:
            key = (data.get("public_key") or "").strip()
            if not key.startswith(PUBLIC_KEY_PREFIXES):
                self.add_error("public_key", "Paste an OpenSSH public key (it starts with "
                                             "ssh-ed25519, ssh-rsa or ecdsa-sha2-…).")
        return data


class KeypairCreateForm(forms.Form):
    name = forms.CharField(max_length=255, validators=[KEY_NAME])
    public_key = forms.CharField(required=False, max_length=PUBLIC_KEY_MAX,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Leave empty to have a new key made for you; "
                                           "its private half is shown once.")

    def clean_public_key(self):
        key = self.cleaned_data["public_key"].strip()
        if key and not key.startswith(PUBLIC_KEY_PREFIXES):
            raise forms.ValidationError("Paste an OpenSSH public key (it starts with "
                                        "ssh-ed25519, ssh-rsa or ecdsa-sha2-…).")
        return key


# Every status Nova's `status` filter knows (nova.api.openstack.common's state map); any
# other value Nova answers with 400 "Invalid status value", so it is refused here.
NOVA_STATUSES = ["ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING",
                 "PASSWORD", "PAUSED", "REBOOT", "REBUILD", "RESCUE", "RESIZE",
                 "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED", "SHUTOFF", "SOFT_DELETED",
                 "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE"]


class ServerFilterForm(forms.Form):
    """The instances list's filters, from the query string: bounded, and only values Nova
    accepts, so a typed URL is a message on the page rather than Nova's 400."""

    name = forms.CharField(required=False, max_length=255)
    status = forms.CharField(required=False, max_length=32)
    ip = forms.CharField(required=False, max_length=64)

    def clean_status(self):
        status = self.cleaned_data["status"].upper()
        if status and status not in NOVA_STATUSES:
            raise forms.ValidationError(f"No server status is called “{status}”: pick one "
                                        "from the list.")
        return status

    def filters(self) -> dict:
        """What the page shows in its filter boxes (what was typed, if it was refused)."""
        if self.is_valid():
            return {k: self.cleaned_data[k] for k in ("name", "status", "ip")}
        return {k: (self.data.get(k) or "")[:255] for k in ("name", "status", "ip")}

    def problems(self) -> list[str]:
        return [f"{self.fields[k].label or k.capitalize()}: {e}"
                for k, errors in self.errors.items() for e in errors]


class LockForm(forms.Form):
    # Nova 2.73: locked_reason, a string of at most 255 characters
    reason = forms.CharField(label="Reason", max_length=255, required=False,
                             help_text="Shown with the lock to everyone in the project.")


class RescueForm(forms.Form):
    image = forms.ChoiceField(label="Rescue image", required=False,
                              help_text="The server boots from this image, with its own "
                                        "disk attached as a second disk.")

    def __init__(self, *args, images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].choices = [("", "The server's own image")] + [
            (i["id"], i["name"]) for i in images]
