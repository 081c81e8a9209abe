"""The admin forms of the vms app: a new flavor, a project given a private flavor, and the
filters of the all-projects instances list. What Nova would refuse in its schema is a
message on the field here (checked against Nova 34: devcloud/compute/flavor_schema.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from portal.converters import ID_PATTERN

MAX_INT = 0x7FFFFFFF  # Nova's database integers
# The portal addresses a flavor through <osid:…> in its URLs, so its own flavors take ids
# that fit there (Nova allows spaces too, and 255 characters).
FLAVOR_ID = RegexValidator(rf"^{ID_PATTERN}$",
                           "Use up to 64 letters, digits, dots, dashes or underscores, "
                           "starting with a letter or digit, or leave it empty for a "
                           "generated ID.")


def printable(value: str) -> None:
    """Nova's "printable": no control characters or line breaks, nothing beyond U+FFFE."""
    if any(ord(c) >= 0xFFFF or not (c.isprintable() or c == " ") for c in value):
        raise ValidationError("Use printable characters only (no tabs or line breaks).")


class FlavorForm(forms.Form):
    name = forms.CharField(max_length=255, validators=[printable])
    vcpus = forms.IntegerField(label="vCPUs", min_value=1, max_value=MAX_INT, initial=1)
    ram = forms.IntegerField(label="RAM (MiB)", min_value=1, max_value=MAX_INT, initial=512)
    disk = forms.IntegerField(label="Root disk (GB)", min_value=0, max_value=MAX_INT,
                              initial=1, help_text="0: the disk is as big as the image.")
    ephemeral = forms.IntegerField(label="Ephemeral disk (GB)", min_value=0,
                                   max_value=MAX_INT, initial=0, required=False)
    swap = forms.IntegerField(label="Swap (MiB)", min_value=0, max_value=MAX_INT, initial=0,
                              required=False)
    flavor_id = forms.CharField(label="ID", required=False, max_length=64,
                                validators=[FLAVOR_ID],
                                help_text="Optional; Nova generates a UUID when empty.")
    description = forms.CharField(required=False, max_length=65535, validators=[printable])
    is_public = forms.BooleanField(label="Public (every project may use it)", required=False,
                                   initial=True)

    def clean_name(self):
        name = self.cleaned_data["name"]  # Django has stripped the ends, as Nova wants them
        if not name:
            raise ValidationError("This field is required.")
        return name


class ProjectAccessForm(forms.Form):
    """A project typed by name (or id), from Keystone's list the page was made with;
    cleaned_data["project"] is that project ({"id", "name", "domain_id"})."""

    project = forms.CharField(label="Give a project access", max_length=255,
                              help_text="The project's name (or its ID).",
                              widget=forms.TextInput(attrs={"list": "project-names",
                                                            "autocomplete": "off"}))

    def __init__(self, *args, offered=(), given=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offered, self.given = list(offered), list(given)

    def clean_project(self):
        typed = self.cleaned_data["project"].strip()
        if any(typed in (p["name"], p["id"]) for p in self.given):
            raise ValidationError(f"“{typed}” may already use this flavor.")
        same = ([p for p in self.offered if p["name"] == typed]
                or [p for p in self.offered if p["id"] == typed])
        if not same:
            raise ValidationError(f"There is no project named “{typed}”.")
        if len(same) > 1:
            raise ValidationError(f"Several projects are named “{typed}” (in different "
                                  "domains): type the project's ID instead.")
        return same[0]


class AllServersFilterForm(forms.Form):
    """The admin list's filters; an id that cannot be one is refused before Nova is asked."""

    project = forms.CharField(required=False, max_length=64,
                              validators=[RegexValidator(rf"^{ID_PATTERN}$", "Not a project ID.")])
    host = forms.CharField(required=False, max_length=255,
                           validators=[RegexValidator(r"^[A-Za-z0-9._-]+$",
                                                      "Not a host name.")])
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status")] + [(s, s) for s in statuses]

    def filters(self) -> dict:
        """What the filter boxes show (what was typed, if it was refused)."""
        if self.is_valid():
            return {k: self.cleaned_data[k] or "" for k in ("project", "host", "status")}
        return {k: (self.data.get(k) or "")[:255] for k in ("project", "host", "status")}

    def problems(self) -> list[str]:
        return [f"{name}: {' '.join(errors)}" for name, errors in self.errors.items()]
