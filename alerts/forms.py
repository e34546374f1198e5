from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.choices import Frequency


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We will send you a link to confirm. We use it only for these emails."),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Enter an email address of 254 characters or fewer"),
        },
    )
    frequency = forms.ChoiceField(
        label=_("How often do you want emails?"),
        choices=Frequency.choices,
        initial=Frequency.WEEKLY,
        error_messages={
            "required": _("Choose how often you want emails"),
            "invalid_choice": _("Choose daily or weekly"),
        },
    )
