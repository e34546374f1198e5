from django import forms

from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What it is for, so that you recognise it later. For example: our case system",
        error_messages={"required": "Enter a name for the token"},
    )
