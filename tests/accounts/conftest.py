import re
import threading
from html import unescape

import pytest

from accounts.forms import RESET_EMAIL_THREAD
from accounts.models import Membership, User


@pytest.fixture(autouse=True)
def _accounts_settings(settings):
    settings.ROOT_URLCONF = "tests.accounts.urls"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def mopac_lead(mopac):
    user = User.objects.create_user(
        username="mopac", password="pw-mopac-1", first_name="Morgan", last_name="Price"
    )
    Membership.objects.create(user=user, organisation=mopac, is_lead=True)
    return user


def text(response) -> str:
    """The page's text without tags, entities decoded and spaces collapsed, as a reader sees it."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def navigation(response) -> list[str]:
    """The items of the service navigation, as their text."""
    html = response.content.decode()
    menu = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, re.DOTALL)
    items = re.findall(r"<li\b.*?</li>", menu.group(0), re.DOTALL)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def wait_for_reset_emails(timeout: float = 10) -> None:
    """Wait until the threads sending password reset emails have finished."""
    for thread in threading.enumerate():
        if thread.name == RESET_EMAIL_THREAD:
            thread.join(timeout)
            assert not thread.is_alive(), "a password reset email is still being sent"


@pytest.fixture
def ask_for_reset(client, django_capture_on_commit_callbacks):
    """Ask for a password reset as a browser would, and wait for the email to be sent: it goes
    out in a thread of its own once the request's transaction has committed."""

    def ask(email, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/password-reset/", {"email": email}, **kwargs)
        wait_for_reset_emails()
        return response

    return ask
