"""Django's authentication forms with the GOV.UK Design System's labels and error messages."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

STRONG_ENOUGH_HINT = (
    "Use at least 8 characters. Do not use only numbers, a common password or one like your "
    "name or username."
)


def _require(field, message):
    field.error_messages["required"] = message


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password"),
        "inactive": _("This account is inactive"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        _require(self.fields["username"], "Enter your username")
        _require(self.fields["password"], "Enter your password")

    def clean(self):
        # A wrong username or password is shown at the username, so that the error summary
        # links to a field and the field keeps what was typed (the password never).
        try:
            return super().clean()
        except ValidationError as error:
            self.add_error("username", error)
            return self.cleaned_data


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )

    def save(self, *, request=None, domain_override=None, **options):
        # Looking the address up, making the token and rendering the email take time only when
        # the address has an account. All of it is done by a background job (accounts/tasks.py),
        # so the answer takes as long either way and cannot tell anyone which addresses have
        # accounts. The job commits with the request: nothing goes out for a request that failed.
        from accounts.tasks import send_password_reset

        if domain_override is None and request is not None:
            domain_override = request.get_host()
        if options.pop("token_generator", default_token_generator) is not default_token_generator:
            raise ValueError("A password reset sent later uses the default token generator.")
        send_password_reset.enqueue(
            email=self.cleaned_data["email"],
            domain=domain_override,
            options=options,
            # The email is in the language of the page the person asked from.
            language=translation.get_language(),
        )

    def send_now(self, *, domain, options):
        """Send the reset email to each active account with this address (the job's work)."""
        super().save(domain_override=domain, **options)


class _NewPasswordMixin:
    error_messages = {"password_mismatch": _("The passwords do not match")}

    def _set_new_password_fields(self):
        new1, new2 = self.fields["new_password1"], self.fields["new_password2"]
        new1.label, new1.help_text = "New password", STRONG_ENOUGH_HINT
        new2.label, new2.help_text = "Confirm your new password", ""
        _require(new1, "Enter a new password")
        _require(new2, "Enter your new password again")


class SetPasswordForm(_NewPasswordMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_new_password_fields()


class PasswordChangeForm(_NewPasswordMixin, auth_forms.PasswordChangeForm):
    error_messages = {
        **_NewPasswordMixin.error_messages,
        "password_incorrect": _("Your current password is not correct"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        _require(self.fields["old_password"], "Enter your current password")
        self._set_new_password_fields()
