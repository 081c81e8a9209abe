"""The forms of the day-2 server actions that take input. Choices come from the page's
selector (vms.dayselectors), so an id the page did not offer is a message on the form
(never sent to Nova); each message says what to do instead."""

from django import forms

SERVER_NAME_MAX = 255  # Nova's limit on server and image names


def _named(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise forms.ValidationError(f"Give the {what} a name.")
    return value


class ResizeForm(forms.Form):
    flavor = forms.ChoiceField(error_messages={
        "required": "Pick the flavor to resize to.",
        "invalid_choice": "That flavor does not exist (any more). Pick one from the list."})

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.server = options["server"]
        self.flavors = {f.id: f for f in options["flavors"]}
        self.fields["flavor"].choices = [(f.id, f.name) for f in options["flavors"]]

    def clean_flavor(self):
        flavor = self.flavors[self.cleaned_data["flavor"]]
        current = self.server.flavor.original_name or self.server.flavor.name
        if flavor.name == current:
            raise forms.ValidationError("The server already has this flavor: pick another "
                                        "one.")
        return flavor


class RebuildForm(forms.Form):
    image = forms.ChoiceField(error_messages={
        "required": "Pick the image to rebuild from.",
        "invalid_choice": "That image does not exist or is not visible to your project. "
                          "Pick one from the list."})
    name = forms.CharField(required=False, max_length=SERVER_NAME_MAX,
                           help_text="Leave empty to keep the server's name.")
    key_name = forms.ChoiceField(label="Key pair", required=False,
                                 help_text="Leave as it is to keep the server's key pair.",
                                 error_messages={"invalid_choice": "You have no key pair of "
                                                 "that name. Pick one from the list."})

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.images = {i.id: i for i in options["images"]}
        self.fields["image"].choices = [(i.id, i.name or i.id) for i in options["images"]]
        self.fields["key_name"].choices = [("", "Keep the current key pair")] + [
            (k, k) for k in options["keypairs"]]
        server = options["server"]
        if server.image and server.image.id in self.images and not self.is_bound:
            self.initial.setdefault("image", server.image.id)

    def clean_image(self):
        return self.images[self.cleaned_data["image"]]

    def clean_name(self):
        return (self.cleaned_data["name"] or "").strip()


class SnapshotForm(forms.Form):
    name = forms.CharField(max_length=SERVER_NAME_MAX, required=False, strip=False,
                           help_text="The new image's name in the image service.")

    def clean_name(self):
        return _named(self.cleaned_data["name"], "snapshot")


class RenameForm(forms.Form):
    name = forms.CharField(max_length=SERVER_NAME_MAX, required=False, strip=False)

    def clean_name(self):
        return _named(self.cleaned_data["name"], "server")


class SecurityGroupForm(forms.Form):
    group = forms.ChoiceField(label="Security group", error_messages={
        "required": "Pick a security group.",
        "invalid_choice": "That is not one of your project's groups the server is not "
                          "in yet. Pick one from the list."})

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g["id"]: g for g in options["addable"]}
        self.fields["group"].choices = [(g["id"], g["name"] + (
            f" — {g['description']}" if g["description"] else "")) for g in options["addable"]]

    def clean_group(self):
        return self.groups[self.cleaned_data["group"]]


def _ips(fixed_ips) -> str:
    return ", ".join(f["ip_address"] for f in fixed_ips) or "no address"


class InterfaceForm(forms.Form):
    NETWORK, PORT = "network", "port"
    mode = forms.ChoiceField(label="Attach", initial=NETWORK, widget=forms.RadioSelect,
                             choices=[(NETWORK, "a new port on a network"),
                                      (PORT, "an existing free port")])
    network = forms.ChoiceField(required=False, error_messages={
        "invalid_choice": "That is not a network of your project. Pick one from the list."})
    port = forms.ChoiceField(required=False, error_messages={
        "invalid_choice": "That is not a free port of your project. Pick one from the "
                          "list."})

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.networks = {n["id"]: n for n in options["networks"]}
        self.ports = {p["id"]: p for p in options["free_ports"]}
        names = {n["id"]: n["name"] for n in options["networks"]}
        self.fields["network"].choices = [("", "—")] + [
            (n["id"], n["name"] + (" (shared)" if n["shared"] else ""))
            for n in options["networks"]]
        self.fields["port"].choices = [("", "—")] + [
            (p["id"], f"{p['name'] or p['id']} — {_ips(p['fixed_ips'])} on "
                      f"{names.get(p['network_id'], p['network_id'])}")
            for p in options["free_ports"]]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.NETWORK:
            if not data.get("network"):
                self.add_error("network", "Pick the network to attach.")
            else:
                data["network"] = self.networks[data["network"]]
        elif mode == self.PORT:
            if not data.get("port"):
                self.add_error("port", "Pick the port to attach.")
            else:
                data["port"] = self.ports[data["port"]]
        return data


class FloatingIpForm(forms.Form):
    """Which address (an unattached floating IP of the project, or a new one from a
    pool), on which of the server's fixed IPs."""

    source = forms.ChoiceField(label="Floating IP", error_messages={
        "required": "Pick a floating IP or a pool.",
        "invalid_choice": "That is not an unattached floating IP of your project or a pool. "
                          "Pick one from the list."})
    fixed_ip = forms.ChoiceField(label="On the server's address", error_messages={
        "required": "Pick the server's address.",
        "invalid_choice": "That is not one of the server's addresses."})

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fips = {f"fip:{f['id']}": f for f in options["free"]}
        self.pools = {f"pool:{p['id']}": p for p in options["pools"]}
        self.fields["source"].choices = [
            ("Unattached floating IPs of the project",
             [(k, f["floating_ip_address"]) for k, f in self.fips.items()]),
            ("Allocate a new one", [(k, f"from pool {p['name']}")
                                    for k, p in self.pools.items()])]
        self.addresses = {f"{p['id']}|{f['ip_address']}": (p, f["ip_address"])
                          for p in options["ports"] for f in p["fixed_ips"]
                          if ":" not in f["ip_address"]}  # floating IPs are IPv4
        self.fields["fixed_ip"].choices = [(k, ip) for k, (_, ip) in self.addresses.items()]

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source:
            data["fip"] = self.fips.get(source)
            data["pool"] = self.pools.get(source)
        if data.get("fixed_ip"):
            data["port"], data["address"] = self.addresses[data["fixed_ip"]]
        return data
