from django import forms

from .types import SUPPORTED


class HelpdeskSearchForm(forms.Form):
    q = forms.CharField(label="Server name, ID or IP address", max_length=255, strip=True,
                        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))


class AuditFilterForm(forms.Form):
    STATES = [("", "any"), ("open", "open"), ("closed", "closed"), ("refused", "refused")]

    user = forms.CharField(required=False, max_length=255)
    server = forms.CharField(required=False, max_length=255, label="Server name or ID")
    project = forms.CharField(required=False, max_length=64, label="Project ID")
    console_type = forms.ChoiceField(required=False, label="Type", choices=[("", "any")] + [
        (key, t.label) for key, t in SUPPORTED.items()])
    state = forms.ChoiceField(required=False, choices=STATES)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
