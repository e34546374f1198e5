from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What it is for, so that you recognise it later. For example: our case system"),
        error_messages={"required": _("Enter a name for the token")},
    )
