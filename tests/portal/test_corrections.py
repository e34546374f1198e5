"""Correcting a published progress update from the portal: a new published update that says
what it corrects and why, the original unchanged; the form follows the portal's pattern (one-
time token, what it was shown for, per-object policy, refusals as form errors, no-store)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import ActionLog
from recommendations.models import EvidenceFile, ProgressUpdate
from recommendations.services import (
    item_submit_for_closure,
    progress_update_add,
    progress_update_withdraw,
)
from tests.core.tokens import shown

ORIGINAL = "The custody board met in March."
CORRECTED = "The custody board met in April."
REASON = "The month was wrong."
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def published(item, met_user):
    return progress_update_add(
        item=item,
        author=met_user,
        narrative=ORIGINAL,
        self_assessment="on_track",
        publish=True,
    )


def url(update):
    return reverse("portal:correct-update", args=[update.item_id, update.pk])


def item_url(update):
    return reverse("portal:item", args=[update.item_id])


def filled(client, update, **changes):
    return {
        **shown(client, url(update)),
        "narrative": CORRECTED,
        "reason": REASON,
        "self_assessment": "on_track",
        **changes,
    }


# Who may open and send the form ------------------------------------------------------------

MATRIX = {
    # persona: status of GET and of POST
    None: 302,  # anonymous: sign in first
    "met_user": 200,
    "met_lead": 200,
    "kent_user": 404,  # another organisation's update does not exist for them
    "inspector": 403,  # inspectors withdraw; the organisation corrects
    "other_inspector": 403,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(MATRIX), ids=str)
def test_who_may_open_the_correction_form(client, request, published, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url(published))
    assert response.status_code == MATRIX[persona]
    if persona is None:
        assert reverse("accounts:sign-in") in response["Location"]
    if response.status_code == 200:
        assert "no-store" in response["Cache-Control"]
        html = response.content.decode()
        assert 'autocomplete="off"' in html and ORIGINAL in html
        published.item.refresh_from_db()
        assert response.context["form"]["version"].value() == published.item.version
        assert response.context["form"]["status"].value() == "in_progress"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in MATRIX if MATRIX[p] != 200], ids=str)
def test_who_may_not_send_a_correction(client, request, published, persona, met_user):
    client.force_login(met_user)
    form = filled(client, published)
    client.logout()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.post(url(published), form)
    assert response.status_code == MATRIX[persona]
    assert ProgressUpdate.objects.count() == 1


@pytest.mark.django_db
def test_an_update_of_another_item_is_not_found_under_this_one(
    client, published, kent_item, met_user
):
    client.force_login(met_user)
    wrong = reverse("portal:correct-update", args=[kent_item.pk, published.pk])
    assert client.get(wrong).status_code == 404
    other = progress_update_add(
        item=kent_item, narrative="Kent's.", self_assessment="on_track", publish=True
    )
    mixed = reverse("portal:correct-update", args=[published.item_id, other.pk])
    assert client.get(mixed).status_code == 404


@pytest.mark.django_db
def test_an_internal_or_withdrawn_update_cannot_be_corrected(
    client, item, published, met_user, inspector
):
    internal = progress_update_add(item=item, narrative="Draft notes.", self_assessment="on_track")
    client.force_login(met_user)
    assert client.get(url(internal)).status_code == 403
    progress_update_withdraw(update=published, user=inspector, reason="A court order.")
    assert client.get(url(published)).status_code == 403


# What a correction does --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_is_a_new_published_update_linked_to_the_unchanged_original(
    client, published, met_user
):
    client.force_login(met_user)
    pdf = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")
    response = client.post(url(published), filled(client, published, evidence=[pdf]))
    assert response.status_code == 302 and response["Location"] == item_url(published)
    correction = ProgressUpdate.objects.get(corrects=published)
    assert correction.is_published and correction.narrative == CORRECTED
    assert correction.correction_reason == REASON and correction.author == met_user
    assert EvidenceFile.objects.get().update == correction
    published.refresh_from_db()
    assert published.narrative == ORIGINAL and published.is_published
    assert ActionLog.objects.filter(action="recommendations.progress_update.corrected").exists()
    page = client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner" in page and "Your correction has been published" in page
    assert ORIGINAL in page and CORRECTED in page and REASON in page
    public = client.get(reverse("public:finding-detail", args=[published.item.finding_id]))
    assert ORIGINAL in public.content.decode() and CORRECTED in public.content.decode()


@pytest.mark.django_db
def test_the_item_page_offers_a_correction_of_each_published_update_that_stands(
    client, item, published, met_user, inspector
):
    internal = progress_update_add(item=item, narrative="Draft notes.", self_assessment="on_track")
    withdrawn = progress_update_add(
        item=item, narrative="Named someone.", self_assessment="on_track", publish=True
    )
    progress_update_withdraw(update=withdrawn, user=inspector, reason="A court order.")
    client.force_login(met_user)
    html = client.get(item_url(published)).content.decode()
    assert f'href="{url(published)}"' in html
    assert url(internal) not in html and url(withdrawn) not in html
    assert "Correct this update" in html


# Refusals ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_sent_twice_is_published_once_and_says_what_happened(
    client, published, met_user
):
    client.force_login(met_user)
    form = filled(client, published)
    assert client.post(url(published), form).status_code == 302
    again = client.post(url(published), form)
    assert again.status_code == 409
    html = again.content.decode()
    assert "You corrected this update on " in html and "nothing more was saved" in html
    assert ProgressUpdate.objects.filter(corrects=published).count() == 1


@pytest.mark.django_db
def test_a_missing_reason_is_a_form_error_keeping_what_was_typed(client, published, met_user):
    client.force_login(met_user)
    response = client.post(url(published), filled(client, published, reason=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say what the correction puts right" in html and CORRECTED in html
    assert not ProgressUpdate.objects.filter(corrects=published).exists()


@pytest.mark.django_db
def test_a_withdrawal_while_the_form_was_open_is_a_form_error(
    client, published, met_user, inspector
):
    client.force_login(met_user)
    form = filled(client, published)
    progress_update_withdraw(update=published, user=inspector, reason="A court order.")
    response = client.post(url(published), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has been withdrawn, so it cannot be corrected" in html and CORRECTED in html
    assert not ProgressUpdate.objects.filter(corrects=published).exists()


@pytest.mark.django_db
def test_a_correction_shown_for_another_version_of_the_item_is_refused(client, published, met_lead):
    client.force_login(met_lead)
    form = filled(client, published)
    item_submit_for_closure(item=published.item, note="Done.")
    response = client.post(url(published), form)
    assert response.status_code == 409
    assert CORRECTED in response.content.decode()
    assert not ProgressUpdate.objects.filter(corrects=published).exists()


# Pinned queries ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_correction_form_query_count(client, published, met_user, django_assert_num_queries):
    client.force_login(met_user)
    client.get(url(published))
    # 1 session, 2 user, 3 memberships, 4 every succession (the lineages), 5 item, 6 update,
    # 7 may correct: the lineages again, 8 the check, 9 clear old tokens, 10 new token
    # (whatever the number of updates)
    for n in range(5):
        progress_update_add(
            item=published.item,
            narrative=f"Update {n}.",
            self_assessment="on_track",
            publish=True,
        )
    with django_assert_num_queries(10):
        assert client.get(url(published)).status_code == 200
