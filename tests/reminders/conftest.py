"""Fixtures for the reminders: personas with email addresses and a way to make items."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Membership, User
from inspections.models import Inspection, Inspectorate
from recommendations.choices import FindingKind
from recommendations.models import Finding
from recommendations.services import finding_add_addressees

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def outbox(db, settings):
    """Django 6.1 chooses mail backends through MAILERS: the locmem one fills mail.outbox.

    After ``db``, whose test case set-up replaces ``mail.outbox`` with a new list.
    """
    settings.MAILERS = LOCMEM
    settings.SITE_URL = "https://tracker.example.gov.uk"
    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def with_emails(met_user, kent_user, inspector):
    for user in (met_user, kent_user, inspector):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def mopac_user(mopac):
    user = User.objects.create_user(
        username="mopac", password="pw-mopac-1", email="mopac@example.org"
    )
    Membership.objects.create(user=user, organisation=mopac, is_lead=True)
    return user


@pytest.fixture
def cqc(db):
    return Inspectorate.objects.create(
        slug="cqc", name="Care Quality Commission", abbreviation="CQC"
    )


@pytest.fixture
def make_item(inspection):
    """A finding of ``inspection`` (or another) addressed to ``organisation``, due on ``due``."""
    counter = iter(range(100, 10_000))

    def make(organisation, due, *, reference=None, on=None, kind=FindingKind.RECOMMENDATION):
        finding = Finding.objects.create(
            inspection=on or inspection,
            kind=kind,
            reference=reference or f"R{next(counter)}",
            text="The force should act.",
            due_date=due,
        )
        finding_add_addressees(finding=finding, organisations=[organisation])
        return finding.items.get(organisation=organisation)

    return make


@pytest.fixture
def make_inspection(hmicfrs, custody):
    """A report on ``organisations`` published at noon, UK time, on ``published_on``."""
    counter = iter(range(10_000))

    def make(*organisations, published_on=None, lead=None, published_at=None):
        number = next(counter)
        if published_at is None and published_on is not None:
            published_at = timezone.make_aware(datetime.combine(published_on, time(12)))
        inspection = Inspection.objects.create(
            title=f"Report {number}",
            slug=f"report-{number}",
            programme=custody,
            lead_inspectorate=lead or hmicfrs,
            published_at=published_at,
        )
        inspection.organisations.add(*organisations)
        return inspection

    return make


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)
