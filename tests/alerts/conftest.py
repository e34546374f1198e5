"""Fixtures for the public's email alerts: mail caught in memory, a clean rate-limit count."""

import re

import pytest
from django.core import mail
from django.core.cache import caches

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SITE = "https://tracker.example.gov.uk"


@pytest.fixture(autouse=True)
def outbox(db, settings):
    """Django 6.1 chooses mail backends through MAILERS: the locmem one fills mail.outbox."""
    settings.MAILERS = LOCMEM
    settings.SITE_URL = SITE
    caches["shared"].clear()
    mail.outbox.clear()
    yield mail.outbox
    caches["shared"].clear()


def link_in(message, path: str) -> str:
    """The site path of the first link to ``path`` in the message's plain text."""
    found = re.search(re.escape(SITE) + r"(" + re.escape(path) + r"[^\s]*)", message.body)
    assert found, message.body
    return found.group(1)


def html_of(message) -> str:
    (content, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return content
