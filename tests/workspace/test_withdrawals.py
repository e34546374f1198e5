"""Withdrawing a published update from the workspace, for a legal reason: the public sees only
a dated note with the reason, inspectors keep the original. The form follows the workspace's
pattern (one-time token, per-object policy, refusals as form errors, no-store)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from recommendations.models import EvidenceFile, ProgressUpdate
from recommendations.services import progress_update_add, progress_update_withdraw
from tests.core.tokens import shown

ORIGINAL = "The officer who named the detainee has been moved."
REASON = "It named a detainee (court order of 2 December)."
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
        evidence=[SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")],
    )


def url(update):
    return reverse("workspace:withdraw-update", args=[update.pk])


def item_url(update):
    return reverse("workspace:item", args=[update.item_id])


def filled(client, update, **changes):
    return {**shown(client, url(update)), "reason": REASON, **changes}


def today():
    date = timezone.localdate()
    return f"{date.day} {date:%B %Y}"


MATRIX = {
    None: 302,  # anonymous: sign in first
    "met_user": 403,  # the organisation corrects; it does not withdraw
    "met_lead": 403,
    "kent_user": 403,
    "inspector": 200,  # HMICFRS leads the report
    "other_inspector": 403,  # CQC sees the published item but may not withdraw its updates
    "admin_user": 200,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(MATRIX), ids=str)
def test_who_may_open_the_withdrawal_page(client, request, published, persona):
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
        assert "This reason is published in place of the update" in html


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in MATRIX if MATRIX[p] != 200], ids=str)
def test_who_may_not_withdraw(client, request, published, persona, inspector):
    client.force_login(inspector)
    form = filled(client, published)
    client.logout()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.post(url(published), form).status_code == MATRIX[persona]
    assert not ProgressUpdate.objects.get(pk=published.pk).is_withdrawn


@pytest.mark.django_db
def test_an_update_of_another_inspectorates_embargoed_report_is_not_found(
    client, published, inspection, other_inspector
):
    inspection.published_at = timezone.now() + timezone.timedelta(days=3)
    inspection.save(update_fields=["published_at"])
    client.force_login(other_inspector)
    assert client.get(url(published)).status_code == 404


@pytest.mark.django_db
def test_an_internal_or_withdrawn_update_cannot_be_withdrawn(client, item, published, inspector):
    internal = progress_update_add(item=item, narrative="Draft notes.", self_assessment="on_track")
    client.force_login(inspector)
    assert client.get(url(internal)).status_code == 403
    progress_update_withdraw(update=published, user=inspector, reason="A court order.")
    assert client.get(url(published)).status_code == 403


@pytest.mark.django_db
def test_a_withdrawal_hides_text_and_evidence_publicly_and_inspectors_keep_the_original(
    client, published, inspector, met_user
):
    client.force_login(inspector)
    response = client.post(url(published), filled(client, published))
    assert response.status_code == 302 and response["Location"] == item_url(published)
    published.refresh_from_db()
    assert published.is_withdrawn and published.withdrawal_reason == REASON
    assert published.withdrawn_by == inspector and published.narrative == ORIGINAL
    assert ActionLog.objects.filter(action="recommendations.progress_update.withdrawn").exists()
    workspace = client.get(response["Location"]).content.decode()
    assert "govuk-notification-banner" in workspace and "has been withdrawn" in workspace
    assert f"Withdrawn on {today()}: {REASON} (the public sees only this note)" in workspace
    assert ORIGINAL in workspace and "minutes.pdf" in workspace
    assert url(published) not in workspace  # nothing more to withdraw
    evidence = EvidenceFile.objects.get()
    assert client.get(reverse("portal:evidence", args=[evidence.pk])).status_code == 200
    client.logout()
    public = client.get(reverse("public:finding-detail", args=[published.item.finding_id]))
    html = public.content.decode()
    assert f"Withdrawn on {today()}" in html and "named a detainee" in html
    assert ORIGINAL not in html and "minutes.pdf" not in html
    client.force_login(met_user)
    portal = client.get(reverse("portal:item", args=[published.item_id])).content.decode()
    assert "named a detainee" in portal and ORIGINAL not in portal
    assert "(the public sees only this note)" not in portal
    assert client.get(reverse("portal:evidence", args=[evidence.pk])).status_code == 404


@pytest.mark.django_db
def test_the_item_page_offers_withdrawal_only_to_those_allowed(
    client, item, published, inspector, other_inspector
):
    internal = progress_update_add(item=item, narrative="Draft notes.", self_assessment="on_track")
    client.force_login(inspector)
    html = client.get(item_url(published)).content.decode()
    assert f'href="{url(published)}"' in html and "Withdraw this update" in html
    assert url(internal) not in html
    client.force_login(other_inspector)
    html = client.get(item_url(published)).content.decode()
    assert ORIGINAL in html and "Withdraw this update" not in html


@pytest.mark.django_db
def test_a_withdrawal_sent_twice_is_recorded_once_and_says_what_happened(
    client, published, inspector
):
    client.force_login(inspector)
    form = filled(client, published)
    assert client.post(url(published), form).status_code == 302
    again = client.post(url(published), form)
    assert again.status_code == 409
    html = again.content.decode()
    assert "You withdrew this update on " in html and "nothing more was saved" in html
    assert ActionLog.objects.filter(action="recommendations.progress_update.withdrawn").count() == 1


@pytest.mark.django_db
def test_a_missing_reason_is_a_form_error(client, published, inspector):
    client.force_login(inspector)
    response = client.post(url(published), filled(client, published, reason=""))
    assert response.status_code == 200
    assert "Give the reason for withdrawing the update" in response.content.decode()
    assert not ProgressUpdate.objects.get(pk=published.pk).is_withdrawn


@pytest.mark.django_db
def test_a_withdrawal_by_someone_else_meanwhile_is_a_form_error_keeping_the_reason(
    client, published, inspector, admin_user
):
    client.force_login(inspector)
    form = filled(client, published, reason="My own reason.")
    progress_update_withdraw(update=published, user=admin_user, reason=REASON)
    response = client.post(url(published), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "already withdrawn on" in html and "My own reason." in html
    assert ProgressUpdate.objects.get(pk=published.pk).withdrawal_reason == REASON


@pytest.mark.django_db
def test_withdrawal_page_query_count(client, published, inspector, django_assert_num_queries):
    client.force_login(inspector)
    client.get(url(published))
    # 1 session, 2 user, 3 update with its item, 4 may withdraw, 5 clear old tokens,
    # 6 new token, 7 memberships (navigation)
    with django_assert_num_queries(7):
        assert client.get(url(published)).status_code == 200
