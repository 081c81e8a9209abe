from django import forms


class DisableForm(forms.Form):
    """Nova keeps the reason with the service (disabled_reason: 1-255 characters), so the
    next admin knows why the host takes no new servers."""

    reason = forms.CharField(max_length=255, strip=True, label="Reason",
                             error_messages={"required": "Say why the service is disabled: "
                                                         "Nova keeps the reason with it."})
