"""A portal form sent again (Back then save, a double click, a replay) saves once, and says
what was already done; a form shown for another status or version is refused."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from core.models import FormSubmission
from recommendations.choices import Status
from recommendations.models import EvidenceFile, ProgressUpdate
from recommendations.services import item_start, section55_open_responses
from tests.conftest import date_fields
from tests.core.tokens import shown

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="minutes.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def update_url(item):
    return reverse("portal:add-update", args=[item.pk])


def filled_update(client, item):
    return {
        **shown(client, update_url(item)),
        "narrative": "The custody board met and agreed a plan.",
        "self_assessment": "on_track",
        "publish": "yes",
    }


@pytest.mark.django_db
def test_update_sent_twice_publishes_one_update_with_one_copy_of_the_evidence(
    client, item, met_user
):
    item_start(item=item, note="Started.")
    client.force_login(met_user)
    sent = filled_update(client, item)
    first = client.post(update_url(item), {**sent, "evidence": [pdf()]})
    assert first.status_code == 302
    # Back, then "Save update" again: the same form, the same file.
    again = client.post(update_url(item), {**sent, "evidence": [pdf()]})
    assert again.status_code == 409
    html = again.content.decode()
    assert "You saved this update on " in html and "nothing more was saved" in html
    assert ProgressUpdate.objects.count() == 1
    assert EvidenceFile.objects.count() == 1
    # What it said is saved once; the form comes back empty, so a copy is never one click away.
    assert "The custody board met and agreed a plan." not in html
    assert again.context["form"]["token"].value() != sent["token"]


@pytest.mark.django_db
def test_update_sent_with_an_expired_form_keeps_what_was_typed(client, item, met_user):
    client.force_login(met_user)
    sent = filled_update(client, item)
    FormSubmission.objects.update(issued_at=timezone.now() - timedelta(hours=25))
    response = client.post(update_url(item), sent)
    assert response.status_code == 409
    html = response.content.decode()
    assert "has expired, so nothing was saved" in html
    assert "The custody board met and agreed a plan." in html
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_update_with_a_colleagues_form_is_refused(client, item, met_user, met_lead):
    client.force_login(met_lead)
    theirs = filled_update(client, item)
    client.force_login(met_user)
    response = client.post(update_url(item), theirs)
    assert response.status_code == 409
    assert "This form is no longer valid" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_update_without_a_token_is_refused(client, item, met_user):
    client.force_login(met_user)
    sent = filled_update(client, item)
    del sent["token"]
    assert client.post(update_url(item), sent).status_code == 409
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_update_shown_for_another_status_is_refused(client, item, met_user, inspector):
    client.force_login(met_user)
    sent = filled_update(client, item)
    sent["status"] = Status.IN_PROGRESS  # the item is open: the form was not built from it
    response = client.post(update_url(item), sent)
    assert response.status_code == 409
    assert "Someone else changed this item" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_due_date_request_sent_twice_is_recorded_once(client, item, met_user):
    client.force_login(met_user)
    url = reverse("portal:propose-due-date", args=[item.pk])
    sent = {
        **shown(client, url),
        **date_fields("proposed_due_date", timezone.localdate() + timedelta(days=200)),
        "reason": "Awaiting new CCTV.",
    }
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You asked for a new due date on " in again.content.decode()
    assert item.due_date_proposals.count() == 1


@pytest.mark.django_db
def test_submission_for_closure_sent_twice_is_recorded_once(client, item, met_lead):
    client.force_login(met_lead)
    url = reverse("portal:submit", args=[item.pk])
    sent = {**shown(client, url), "note": "A use of force board meets monthly."}
    assert client.post(url, {**sent, "evidence": [pdf("terms.pdf")]}).status_code == 302
    again = client.post(url, {**sent, "evidence": [pdf("terms.pdf")]})
    assert again.status_code == 409
    assert "You submitted this for closure on " in again.content.decode()
    assert item.status_changes.filter(to_status=Status.SUBMITTED).count() == 1
    assert ProgressUpdate.objects.count() == 1 and EvidenceFile.objects.count() == 1
    # Submitted now: the page says so and offers no button to submit it again.
    assert "Submit for closure</button>" not in again.content.decode()
    assert "so this form can no longer be sent" in again.content.decode()


@pytest.mark.django_db
def test_update_refused_after_closure_keeps_the_text_but_offers_no_save(
    client, item, met_user, inspector
):
    from recommendations.services import item_close

    client.force_login(met_user)
    sent = filled_update(client, item)
    item_close(item=item, user=inspector, outcome=Status.CLOSED_NOT_IMPLEMENTED, note="No.")
    response = client.post(update_url(item), sent)
    assert response.status_code == 409
    html = response.content.decode()
    assert "The custody board met and agreed a plan." in html
    assert "Save update</button>" not in html


@pytest.fixture
def response(public_world):
    (awaited,) = section55_open_responses(inspection=public_world["inspection"])
    return awaited


def section55(client, response, recommendation, **extra):
    return {
        **shown(client, reverse("portal:section55-edit", args=[response.pk])),
        "text": "The Mayor's Office welcomes the report.",
        "url": "",
        f"action_{recommendation.pk}": "will_be_taken",
        f"statement_{recommendation.pk}": "A new oversight board will report quarterly.",
        **extra,
    }


@pytest.mark.django_db
def test_section55_draft_sent_twice_is_saved_once(client, response, public_world, mopac_lead):
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])
    sent = section55(client, response, public_world["recommendation"], save="draft")
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You saved this draft on " in again.content.decode()
    assert ActionLog.objects.filter(action="recommendations.section55.draft_saved").count() == 1


@pytest.mark.django_db
def test_section55_publication_sent_twice_says_it_was_published(
    client, response, public_world, mopac_lead
):
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])
    sent = section55(client, response, public_world["recommendation"], publish="publish")
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 409
    html = again.content.decode()
    assert "You published this response on " in html and "Published on" in html
    assert ActionLog.objects.filter(action="recommendations.section55.published").count() == 1


@pytest.mark.django_db
def test_section55_publication_refused_keeps_the_draft_and_the_token_is_spent(
    client, response, public_world, mopac_lead
):
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])
    sent = {**shown(client, url), "text": "Our comments.", "publish": "publish"}
    refused = client.post(url, sent)
    assert "Your draft has been saved, but it is not published yet." in refused.content.decode()
    response.refresh_from_db()
    assert response.text == "Our comments." and response.received_on is None
    # The draft was saved by that form: sending the same form again says so.
    again = client.post(url, sent)
    assert again.status_code == 409
    assert "You saved this draft on " in again.content.decode()


FORM_PAGES = ["update", "due date", "submit", "section 55"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", FORM_PAGES)
def test_portal_form_pages_are_not_stored_and_restore_no_choice(
    client, item, met_lead, mopac_lead, response, page
):
    url = {
        "update": reverse("portal:add-update", args=[item.pk]),
        "due date": reverse("portal:propose-due-date", args=[item.pk]),
        "submit": reverse("portal:submit", args=[item.pk]),
        "section 55": reverse("portal:section55-edit", args=[response.pk]),
    }[page]
    client.force_login(mopac_lead if page == "section 55" else met_lead)
    got = client.get(url)
    assert got.status_code == 200
    assert "no-store" in got["Cache-Control"]
    html = got.content.decode()
    assert html.count('<form method="post"') == html.count('autocomplete="off"') == 1
    assert " checked" not in html
    assert 'name="token"' in html


@pytest.mark.parametrize("version", ["²", "1²", "⁵"])
def test_a_version_of_non_ascii_digits_is_a_refusal_not_an_error(client, item, met_user, version):
    """``"²".isdigit()`` is true but ``int("²")`` fails: such a version was a 500."""
    client.force_login(met_user)
    sent = {**filled_update(client, item), "version": version}

    response = client.post(update_url(item), sent)

    assert response.status_code in (200, 409)
    assert not item.updates.exists()
