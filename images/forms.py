"""The upload form, the visibility form and the list's filter: choices are Glance's own
(its schema's enums), so a value Glance would refuse is a message on the form."""

from django import forms

from . import selectors

# Glance 33's image schema: disk_format and container_format enums.
DISK_FORMATS = ["qcow2", "raw", "vmdk", "vhd", "vhdx", "vdi", "iso", "ploop", "ami", "ari",
                "aki"]
CONTAINER_FORMATS = ["bare", "ovf", "ova", "docker", "compressed", "ami", "ari", "aki"]
VISIBILITIES = [("private", "Private: this project only"),
                ("shared", "Shared: this project and projects it is shared with"),
                ("community", "Community: any project may use it (not listed by default)"),
                ("public", "Public: every project (administrators only)")]
NAME_MAX = 255          # Glance's limit


def visibility_choices(is_admin: bool) -> list:
    return [c for c in VISIBILITIES if is_admin or c[0] != "public"]


class VisibilityField(forms.ChoiceField):
    """Every visibility is a choice, so that a member posting `public` is told why it is
    refused rather than that it is not a choice."""

    def __init__(self, *, is_admin: bool, **kwargs):
        super().__init__(choices=VISIBILITIES, **kwargs)
        self.is_admin = is_admin
        self.widget.choices = visibility_choices(is_admin)

    def validate(self, value):
        super().validate(value)
        if value == "public" and not self.is_admin:
            raise forms.ValidationError("Only cloud administrators can make an image "
                                        "public. Choose “shared” or “community” to let "
                                        "other projects use it.")


class UploadForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX, strip=True)
    disk_format = forms.ChoiceField(choices=[(f, f) for f in DISK_FORMATS], initial="qcow2",
                                    help_text="The format of the file; qcow2, vmdk, vhd, "
                                              "vhdx, vdi and iso files are checked by the "
                                              "image service.")
    container_format = forms.ChoiceField(choices=[(f, f) for f in CONTAINER_FORMATS],
                                         initial="bare")
    min_disk = forms.IntegerField(label="Minimum disk (GB)", min_value=0, initial=0)
    min_ram = forms.IntegerField(label="Minimum RAM (MiB)", min_value=0, initial=0)
    # The file itself never comes with this form: the page's script sends it afterwards,
    # straight into the image. These say what the script found in the file input.
    file_size = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file_name = forms.CharField(required=False, max_length=1024, widget=forms.HiddenInput)

    def __init__(self, *args, is_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"] = VisibilityField(is_admin=is_admin, initial="private")
        self.order_fields(["name", "disk_format", "container_format", "visibility",
                           "min_disk", "min_ram"])

    def clean_file_size(self):
        size = self.cleaned_data.get("file_size")
        if size is None:
            raise forms.ValidationError("Choose a file to upload (uploading needs "
                                        "JavaScript in the browser).")
        if size <= 0:
            raise forms.ValidationError("The file is empty: choose a disk image.")
        return size

    def fields_for_ticket(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "disk_format": d["disk_format"],
                "container_format": d["container_format"], "visibility": d["visibility"],
                "min_disk": d["min_disk"], "min_ram": d["min_ram"], "size": d["file_size"],
                "file_name": d.get("file_name") or ""}


class VisibilityForm(forms.Form):
    def __init__(self, *args, is_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"] = VisibilityField(is_admin=is_admin)


class ImageFilterForm(forms.Form):
    shown = forms.ChoiceField(required=False, choices=selectors.SHOWN_LABELS)

    def value(self) -> str:
        return self.cleaned_data.get("shown") or "" if self.is_valid() else ""
