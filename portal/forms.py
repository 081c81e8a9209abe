from django import forms


class LoginForm(forms.Form):
    domain = forms.CharField(initial="Default", max_length=255)
    username = forms.CharField(label="User name", max_length=255,
                               widget=forms.TextInput(attrs={"autofocus": True,
                                                             "autocomplete": "username"}))
    password = forms.CharField(max_length=4096, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class SwitchProjectForm(forms.Form):
    project_id = forms.CharField(max_length=64)
