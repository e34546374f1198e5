"""Signing in and out, resetting and changing a password, and the account page: Django's views
with GOV.UK templates (templates/accounts/)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import forms, views

app_name = "accounts"

# For the email and the page after it: how long a reset link works, in whole days.
reset_link = {"link_valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)}

urlpatterns = [
    path("", views.AccountView.as_view(), name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="accounts/sign_in.html", authentication_form=forms.SignInForm
        ),
        name="sign-in",
    ),
    # POST only: a link or an image elsewhere must not be able to sign someone out.
    path("sign-out/", auth_views.LogoutView.as_view(next_page="/"), name="sign-out"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            form_class=forms.PasswordChangeForm,
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=forms.PasswordResetForm,
            subject_template_name="accounts/email/password_reset_subject.txt",
            email_template_name="accounts/email/password_reset.txt",
            success_url=reverse_lazy("accounts:password-reset-sent"),
            extra_email_context=reset_link,
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_sent.html", extra_context=reset_link
        ),
        name="password-reset-sent",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=forms.SetPasswordForm,
            success_url=reverse_lazy("accounts:password-reset-done"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password-reset-done",
    ),
]
