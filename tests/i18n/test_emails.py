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


# The request only queues the job; a worker renders and sends the email in the language the
# job was queued in.
@pytest.mark.django_db
def test_the_password_reset_email_follows_the_page_language(client, met_user, job_queue):
    met_user.email = "met@example.org"
    met_user.save()
    client.post("/cy" + reverse("accounts:password-reset"), {"email": "met@example.org"})
    translation.activate("en-gb")  # the worker starts in the default language
    [job] = job_queue.run()
    assert job.status == "SUCCESSFUL", job.errors
    (message,) = mail.outbox
    assert message.subject == "Ailosod eich cyfrinair ar gyfer y Traciwr Argymhellion Arolygu"
    assert "I ddewis cyfrinair newydd, agorwch y ddolen hon:" in message.body
    assert "/cy/account/" in message.body


@pytest.mark.django_db
def test_the_report_editor_takes_the_welsh_title_and_summary(client, inspector, draft):
    from inspections.models import Inspection

    client.force_login(inspector)
    url = reverse("workspace:report-details", args=[draft.pk])
    form = client.get(url).context["form"]
    # The form as shown (with what the person saw of it), sent back with the Welsh added.
    data = {
        name: "" if form[name].value() is None else form[name].value()
        for name in form.fields
        if name not in ("partner_inspectorates", "reason")
    }
    data["partner_inspectorates"] = [p.pk for p in form.initial["partner_inspectorates"]]
    response = client.post(
        url,
        data
        | {
            "summary": "Use of force oversight is poor.",
            "title_cy": " Dalfa Heddlu Metropolitanaidd ",
            "summary_cy": "Mae goruchwylio’r defnydd o rym yn wael.",
        },
    )
    assert response.status_code == 302
    draft = Inspection.objects.get(pk=draft.pk)
    assert draft.title_cy == "Dalfa Heddlu Metropolitanaidd"
    assert draft.summary_cy == "Mae goruchwylio’r defnydd o rym yn wael."


# What the emails say in Python: headings, detail lines and what an alert follows. --------------


def english_fragments() -> set[str]:
    """The English words of every catalogue entry whose Welsh differs, cut at its
    placeholders: the pieces of a sentence a Welsh email must not show. Short pieces (", on ")
    are left out, as they could be part of anything."""
    import gettext
    import re

    from tests.i18n.test_welsh import CATALOGUE

    with CATALOGUE.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    fragments = set()
    for key, welsh in catalogue.items():
        english = key[0] if isinstance(key, tuple) else key
        if not english or welsh == english:
            continue
        for piece in re.split(r"%\(\w+\)[sd]|%%|\n", english):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 12 and " " in piece:
                fragments.add(piece)
    return fragments


def english_in(text: str) -> list[str]:
    """The English pieces of the catalogue in ``text``, once the data's own words (notes,
    reasons, updates, titles, which stay as written) are taken out."""
    from recommendations.models import DueDateChange, ProgressUpdate, StatusChange
    from tests.i18n.test_welsh import content_strings

    content = content_strings()
    content.update(StatusChange.objects.exclude(note="").values_list("note", flat=True))
    content.update(DueDateChange.objects.values_list("reason", flat=True))
    content.update(ProgressUpdate.objects.values_list("narrative", flat=True))
    text = " ".join(text.split())
    for words in sorted(content, key=len, reverse=True):
        text = text.replace(" ".join(words.split()), "")
    return sorted(fragment for fragment in english_fragments() if fragment in text)


@pytest.mark.django_db
def test_the_fragment_check_finds_english_in_an_email():
    assert "the organisation says" in english_in("Written on 7 August; the organisation says: x")
    assert english_in("Ysgrifennwyd ar 7 Awst; mae’r sefydliad yn dweud: x") == []


@pytest.fixture
def welsh_news(public_world, met):
    """After the world was made: the Met's R1 submitted for closure (a status change with a
    note) and its AFI1's due date moved (a due date change with a reason)."""
    from datetime import timedelta

    from django.utils import timezone

    from recommendations.services import item_set_due_date, item_submit_for_closure

    met.name_cy = "Gwasanaeth Heddlu Metropolitan"
    met.save()
    r1 = public_world["recommendation"].items.get(organisation=met)
    item_submit_for_closure(item=r1, note="The board has met three times.")
    afi = public_world["afi"].items.get(organisation=met)
    item_set_due_date(
        item=afi,
        due_date=timezone.localdate() + timedelta(days=200),
        reason="Agreed after the force's restructure.",
    )
    return public_world


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["organisation", "search"])
def test_a_welsh_subscribers_digest_has_no_english_left(welsh_news, met, outbox, scope):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    since = timezone.now() - timedelta(days=1)
    target = (
        {"organisation": met}
        if scope == "organisation"
        else {"query": "q=force&kind=recommendation"}
    )
    Subscription.objects.create(
        email="darllenydd@example.org",
        scope=scope,
        frequency="daily",
        language=Language.WELSH,
        created_at=since,
        confirmed_at=since,
        covered_until=since,
        **target,
    )
    with translation.override("en-gb"):
        call_command("send_alerts", stdout=StringIO(), stderr=StringIO())

    (message,) = outbox
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert english_in(text) == [], text
    body = " ".join(message.body.split())
    if scope == "organisation":
        assert "Gwasanaeth Heddlu Metropolitan" in message.subject
        assert "Newidiadau i’r dyddiad cau" in body
        assert "Rheswm: Agreed after the force" in body
        assert "wedi’i hunan-adrodd, heb ei wirio" in body
    else:
        assert "canfyddiadau gyda y geiriau “force”; " in message.subject
    assert "Newidiadau statws" in body
    assert "Nodyn: The board has met three times." in body
    assert " ar gyfer Gwasanaeth Heddlu Metropolitan, " in body
    assert "Newid o ‘Ar y gweill’ i ‘Wedi’i gyflwyno i’w gau’, ar " in body


@pytest.mark.django_db
def test_a_welsh_users_reminder_has_no_english_left(public_world, met, met_user):
    from datetime import timedelta

    from django.utils import timezone

    from reminders.services import digest_message, reminders_select

    met.name_cy = "Gwasanaeth Heddlu Metropolitan"
    met.save()
    met_user.language = Language.WELSH
    met_user.email = "met@example.org"
    met_user.save()
    item = public_world["afi"].items.get(organisation=met)
    item.due_date = timezone.localdate() + timedelta(days=3)
    item.save(update_fields=["due_date"])
    with translation.override("en-gb"):
        (digest,) = [d for d in reminders_select(day=timezone.localdate()) if d.user == met_user]
        message = digest_message(digest)

    assert english_in(message.subject) == []
    assert english_in(message.body) == [], message.body
    assert message.subject.startswith("Traciwr arolygu: ")
    body = " ".join(message.body.split())
    assert "Dyma eich crynodeb dyddiol gan y Traciwr Argymhellion Arolygu" in body
    assert "Sefydliad: Gwasanaeth Heddlu Metropolitan" in body
    assert "Dyddiad cau: " in body and "(ymhen 3 diwrnod)" in body
    assert "Statws: " in body
    assert "I ddewis pa nodiadau atgoffa a gewch" in body
    assert "/cy/portal/" in body
