"""The volumes forms: validation and messages where the person typed them. The create
form checks the project's volume and gigabyte quota before Cinder is asked."""

from django import forms

SOURCES = [("empty", "Empty volume"), ("image", "From an image"),
           ("snapshot", "From a snapshot"), ("volume", "From another volume")]


class CreateForm(forms.Form):
    name = forms.CharField(max_length=255, required=False)
    description = forms.CharField(max_length=255, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.ChoiceField(choices=SOURCES, initial="empty")
    image = forms.ChoiceField(required=False)
    snapshot = forms.ChoiceField(required=False)
    volume = forms.ChoiceField(required=False)
    size = forms.IntegerField(min_value=1, required=False, label="Size (GB)",
                              help_text="At least the source's size; empty: the source's.")
    volume_type = forms.ChoiceField(label="Type")
    availability_zone = forms.ChoiceField(label="Availability zone")

    def __init__(self, *args, ctx: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.ctx = ctx
        self.fields["image"].choices = [("", "—")] + [
            (i["id"], i.get("name") or i["id"]) for i in ctx["images"]]
        self.fields["snapshot"].choices = [("", "—")] + [
            (s["id"], f"{s.get('name') or s['id']} ({s['size']} GB)") for s in ctx["snapshots"]]
        self.fields["volume"].choices = [("", "—")] + [
            (v["id"], f"{v.get('name') or v['id']} ({v['size']} GB)") for v in ctx["volumes"]]
        self.fields["volume_type"].choices = [(t, t) for t in ctx["types"]]
        self.fields["availability_zone"].choices = [(z, z) for z in ctx["zones"]]

    def _source_size(self, source: str, ref: str) -> int:
        if source == "image":
            image = next(i for i in self.ctx["images"] if i["id"] == ref)
            size_gb = -(-(image.get("size") or 0) // 1024 ** 3)
            return max(1, size_gb, image.get("min_disk") or 0)
        pool = self.ctx["snapshots" if source == "snapshot" else "volumes"]
        return next(o for o in pool if o["id"] == ref)["size"]

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source in ("image", "snapshot", "volume"):
            ref = data.get(source)
            if not ref:
                self.add_error(source, f"Choose the {source} to make the volume from.")
                return data
            least = self._source_size(source, ref)
            if data.get("size") is None:
                data["size"] = least
            elif data["size"] < least:
                self.add_error("size", f"The {source} needs at least {least} GB.")
                return data
        elif data.get("size") is None:
            self.add_error("size", "Give the size in GB (1 or more).")
            return data
        quota = self.ctx["quota"]
        if quota["volumes"]["left"] is not None and quota["volumes"]["left"] < 1:
            raise forms.ValidationError(
                f"Your project has {quota['volumes']['used']} of its "
                f"{quota['volumes']['limit']} volumes: delete one first.")
        left = quota["gigabytes"]["left"]
        if left is not None and data["size"] > left:
            self.add_error("size", f"Only {left} GB of the project's "
                                   f"{quota['gigabytes']['limit']} GB are left.")
        return data


class ExtendForm(forms.Form):
    new_size = forms.IntegerField(min_value=1, label="New size (GB)")

    def __init__(self, *args, size: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.size = size

    def clean_new_size(self):
        value = self.cleaned_data["new_size"]
        if value <= self.size:
            raise forms.ValidationError(f"A volume only grows: give more than {self.size} GB.")
        return value


class EditForm(forms.Form):
    name = forms.CharField(max_length=255, required=False)
    description = forms.CharField(max_length=255, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class BootableForm(forms.Form):
    bootable = forms.BooleanField(required=False)


class AttachForm(forms.Form):
    server = forms.ChoiceField()

    def __init__(self, *args, servers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].choices = [(s["id"], s.get("name") or s["id"]) for s in servers]


class SnapshotForm(forms.Form):
    name = forms.CharField(max_length=255, required=False)
    description = forms.CharField(max_length=255, required=False)
