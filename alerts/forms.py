from django import forms

from alerts.choices import Frequency


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you a link to confirm. We use it only for these emails.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )
    frequency = forms.ChoiceField(
        label="How often do you want emails?",
        choices=Frequency.choices,
        initial=Frequency.WEEKLY,
        error_messages={
            "required": "Choose how often you want emails",
            "invalid_choice": "Choose daily or weekly",
        },
    )
