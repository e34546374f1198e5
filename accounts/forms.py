"""Django's authentication forms with the GOV.UK Design System's labels and error messages."""

import threading

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The name of the threads that send password reset emails (tests wait for them by it).
RESET_EMAIL_THREAD = "password-reset-email"

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


def send_in_background(send, *args, **kwargs) -> threading.Thread:
    """Run ``send(*args, **kwargs)`` in a thread of its own, after the request has its answer,
    in the request's language (a new thread starts in the default one)."""
    language = translation.get_language()

    def run():
        try:
            with translation.override(language):
                send(*args, **kwargs)  # Django's send_mail logs a failure to send
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=RESET_EMAIL_THREAD)
    thread.start()
    return thread


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
        # the address has an account. All of it happens off the request path, so the answer
        # takes as long either way and cannot tell anyone which addresses have accounts. It
        # starts after commit, as nothing should go out for a request that failed.
        if domain_override is None and request is not None:
            domain_override = request.get_host()
        save = super().save
        transaction.on_commit(
            lambda: send_in_background(save, domain_override=domain_override, **options)
        )


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
