import re
from html import unescape

import pytest

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


@pytest.fixture
def ask_for_reset(client, job_queue):
    """Ask for a password reset as a browser would, then let a worker send the email: the
    request only queues the job."""

    def ask(email, **kwargs):
        response = client.post("/account/password-reset/", {"email": email}, **kwargs)
        [job] = job_queue.run()
        assert job.status == "SUCCESSFUL", job.errors
        return response

    return ask
