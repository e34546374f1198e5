"""Emails in the language the person chose (issue 12): a subscription asked for on a Welsh page
is confirmed, and later sent, in Welsh; a person's reminders follow the language they saved
their choices in; the password reset email follows the page's language."""

import pytest
from django.core import mail
from django.urls import reverse as django_reverse
from django.utils import translation

from alerts.models import Subscription
from core.choices import Language


@pytest.fixture(autouse=True)
def outbox(db, settings):
    """Mail caught in memory (Django 6.1 chooses mail backends through MAILERS)."""
    from django.core.cache import caches

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SITE_URL = "https://tracker.example.gov.uk"
    caches["shared"].clear()
    mail.outbox = []
    return mail.outbox


def reverse(*args, **kwargs):
    with translation.override("en-gb"):
        return django_reverse(*args, **kwargs)


def ask(client, prefix, email):
    url = prefix + reverse("alerts:subscribe") + "?organisation=metropolitan-police-service"
    return client.post(url, {"email": email, "frequency": "weekly"})


@pytest.mark.django_db
def test_a_subscription_asked_for_in_welsh_is_confirmed_in_welsh(client, public_world):
    ask(client, "/cy", "darllenydd@example.org")
    subscription = Subscription.objects.get(email="darllenydd@example.org")
    assert subscription.language == Language.WELSH
    (message,) = mail.outbox
    assert message.subject == (
        "Cadarnhewch eich bod eisiau negeseuon e-bost gan y Traciwr Argymhellion Arolygu"
    )
    assert "Gofynnodd rhywun, chi gobeithio, am negeseuon e-bost wythnosol am" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="cy">' in html


@pytest.mark.django_db
def test_a_subscription_asked_for_in_english_stays_english(client, public_world):
    ask(client, "", "reader@example.org")
    assert Subscription.objects.get(email="reader@example.org").language == Language.ENGLISH
    (message,) = mail.outbox
    assert message.subject == "Confirm you want emails from the Inspection Recommendations Tracker"
    assert "Someone, we hope you, asked for weekly emails about" in message.body


@pytest.mark.django_db
def test_asking_again_in_the_other_language_changes_the_language_of_the_emails(
    client, public_world
):
    ask(client, "", "reader@example.org")
    ask(client, "/cy", "reader@example.org")
    assert Subscription.objects.get(email="reader@example.org").language == Language.WELSH
    assert mail.outbox[-1].subject.startswith("Cadarnhewch")


@pytest.mark.django_db
def test_reminder_choices_saved_in_welsh_make_the_reminders_welsh(client, met_user):
    from reminders.services import relevant_kinds

    client.force_login(met_user)
    kinds = relevant_kinds(met_user)
    client.post("/cy" + reverse("reminders:preferences"), {"kinds": kinds})
    met_user.refresh_from_db()
    assert met_user.language == Language.WELSH
    client.post(reverse("reminders:preferences"), {"kinds": kinds})
    met_user.refresh_from_db()
    assert met_user.language == Language.ENGLISH


@pytest.mark.django_db
def test_the_digest_is_rendered_in_the_persons_language(met_user):
    from datetime import date

    from reminders.services import PersonDigest, digest_message

    met_user.language = Language.WELSH
    digest = PersonDigest(user=met_user, day=date(2026, 8, 7), covered_until=None)
    with translation.override("en-gb"):
        message = digest_message(digest)
    assert "7 Awst 2026" in message.body
    assert "August" not in message.body


# The email is rendered and sent in a thread of its own, on its own database connection.
@pytest.mark.django_db(transaction=True)
def test_the_password_reset_email_follows_the_page_language(
    client, met_user, django_capture_on_commit_callbacks
):
    from tests.accounts.conftest import wait_for_reset_emails

    met_user.email = "met@example.org"
    met_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cy" + reverse("accounts:password-reset"), {"email": "met@example.org"})
    wait_for_reset_emails()
    (message,) = mail.outbox
    assert message.subject == "Ailosod eich cyfrinair ar gyfer y Traciwr Argymhellion Arolygu"
    assert "I ddewis cyfrinair newydd, agorwch y ddolen hon:" in message.body
    assert "/cy/account/" in message.body


@pytest.mark.django_db
def test_the_report_editor_takes_the_welsh_title_and_summary(client, inspector, draft):
    from inspections.models import Inspection

    client.force_login(inspector)
    response = client.post(
        reverse("workspace:report-details", args=[draft.pk]),
        {
            "title": draft.title,
            "programme": draft.programme_id,
            "summary": "Use of force oversight is poor.",
            "title_cy": " Dalfa Heddlu Metropolitanaidd ",
            "summary_cy": "Mae goruchwylio’r defnydd o rym yn wael.",
        },
    )
    assert response.status_code == 302
    draft = Inspection.objects.get(pk=draft.pk)
    assert draft.title_cy == "Dalfa Heddlu Metropolitanaidd"
    assert draft.summary_cy == "Mae goruchwylio’r defnydd o rym yn wael."
