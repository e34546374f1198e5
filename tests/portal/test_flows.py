"""What an organisation's people do in the portal, and what it leaves behind."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from recommendations.choices import Channel, Source, Status
from recommendations.models import EvidenceFile, ProgressUpdate
from recommendations.services import item_start
from tests.conftest import date_fields
from tests.core.tokens import shown

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def update_data(client, item, **extra):
    """The update form as the person was shown it (token, version, status), filled in."""
    return {
        **shown(client, reverse("portal:add-update", args=[item.pk])),
        "narrative": "The custody board met and agreed a plan.",
        "self_assessment": "on_track",
        "publish": "no",
        **extra,
    }


@pytest.mark.django_db
def test_update_with_evidence_is_saved_and_downloadable(client, item, met_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(met_user)
    response = client.post(
        reverse("portal:add-update", args=[item.pk]),
        update_data(client, item, evidence=[upload("minutes.pdf", PDF), upload("chart.png", PNG)]),
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(item=item)
    assert update.is_published is False and update.author == met_user
    files = {f.original_name: f for f in update.evidence.all()}
    assert set(files) == {"minutes.pdf", "chart.png"}
    assert files["minutes.pdf"].content_type == "application/pdf"
    assert "minutes" not in files["minutes.pdf"].file.name  # the stored name is ours, not theirs
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS  # the first update starts an open item
    download = client.get(reverse("portal:evidence", args=[files["minutes.pdf"].pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert 'attachment; filename="minutes.pdf"' in download["Content-Disposition"]
    # Internal updates never reach the public page.
    public = client.get(reverse("public:finding-detail", args=[item.finding_id]))
    assert "The custody board met" not in public.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a program", "its content is not a PDF"),
        ("tool.exe", b"MZ\x90\x00", "must be a PDF, Word, Excel, CSV, PNG or JPEG file"),
        ("notes.docx", office_file("xl"), "its content is not a Word document"),
        ("data.csv", b"a,b\x00,c", "its content is not a CSV"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_upload_says_why_and_keeps_what_was_typed(
    client, item, met_user, name, content, message, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(met_user)
    response = client.post(
        reverse("portal:add-update", args=[item.pk]),
        update_data(client, item, evidence=[upload(name, content)]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert "The custody board met and agreed a plan." in html  # nothing typed is lost
    assert not ProgressUpdate.objects.exists() and not EvidenceFile.objects.exists()


@pytest.mark.django_db
def test_large_upload_is_refused(client, item, met_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(met_user)
    response = client.post(
        reverse("portal:add-update", args=[item.pk]),
        update_data(client, item, evidence=[upload("big.pdf", PDF + b"0" * 2048)]),
    )
    assert "Each file must be smaller than 1.0\xa0KB" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.docx", office_file("word")),
        ("figures.xlsx", office_file("xl")),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ("list.csv", "name,date\nHeddlu’r De,2026-01-01\n".encode()),
    ],
)
def test_allowed_types_are_accepted(client, item, met_user, name, content, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(met_user)
    response = client.post(
        reverse("portal:add-update", args=[item.pk]),
        update_data(client, item, evidence=[upload(name, content)]),
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.get().original_name == name


@pytest.mark.django_db
def test_lead_submits_for_closure_with_evidence(client, item, met_lead, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(met_lead)
    url = reverse("portal:submit", args=[item.pk])
    missing = client.post(url, {**shown(client, url), "note": "Done."})
    assert "Choose at least one evidence file" in missing.content.decode()
    response = client.post(
        url,
        {
            **shown(client, url),
            "note": "A use of force board now meets monthly.",
            "evidence": [upload("terms.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    change = item.status_changes.get(to_status=Status.SUBMITTED)
    assert (change.changed_by, change.source, change.channel) == (
        met_lead,
        Source.ORGANISATION,
        Channel.WEB,
    )
    assert change.note == "A use of force board now meets monthly."
    assert item.updates.get().evidence.count() == 1


@pytest.mark.django_db
def test_stale_submission_is_refused_with_what_changed(client, item, met_lead, inspector):
    client.force_login(met_lead)
    url = reverse("portal:submit", args=[item.pk])
    form = shown(client, url)
    item_start(item=item, user=inspector, note="Started by a colleague.")
    response = client.post(url, {**form, "note": "Finished.", "evidence": [upload("a.pdf", PDF)]})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this item while you were working on it" in html
    assert "In progress" in html and "Started by a colleague." in html
    assert "Finished." in html  # what they typed is still there
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert not item.updates.exists()


@pytest.mark.django_db
def test_due_date_proposal(client, item, met_user):
    client.force_login(met_user)
    url = reverse("portal:propose-due-date", args=[item.pk])
    past = client.post(
        url,
        {
            **shown(client, url),
            **date_fields("proposed_due_date", date(2020, 1, 1)),
            "reason": "Late.",
        },
    )
    assert "The new due date must be in the future." in past.content.decode()
    new_date = timezone.localdate() + timedelta(days=300)
    response = client.post(
        url,
        {
            **shown(client, url),
            **date_fields("proposed_due_date", new_date),
            "reason": "Awaiting new CCTV.",
        },
    )
    assert response.status_code == 302
    proposal = item.due_date_proposals.get()
    assert (proposal.proposed_due_date, proposal.status) == (new_date, "pending")
    assert ActionLog.objects.filter(action="recommendations.due_date.proposed").exists()
    again = client.post(
        url,
        {
            **shown(client, url),
            **date_fields("proposed_due_date", new_date),
            "reason": "Again.",
        },
    )
    assert "already been proposed" in again.content.decode()


@pytest.mark.django_db
def test_our_findings_lists_and_counts_only_our_items(client, item, kent_item, met_user):
    client.force_login(met_user)
    response = client.get(reverse("portal:findings"))
    items = list(response.context["page"])
    assert [i.pk for i in items] == [item.pk]
    assert response.context["totals"]["all"] == 1
    soon = client.get(reverse("portal:findings") + "?due=soon")
    assert list(soon.context["page"]) == []  # due in 90 days
    by_status = client.get(reverse("portal:findings") + "?status=open")
    assert [i.pk for i in by_status.context["page"]] == [item.pk]


@pytest.mark.django_db
def test_update_after_an_inspector_closed_the_item_explains_and_keeps_the_text(
    client, item, met_user, inspector
):
    from recommendations.services import item_close

    client.force_login(met_user)
    form = update_data(client, item)
    item_close(
        item=item,
        user=inspector,
        outcome=Status.CLOSED_NO_LONGER_RELEVANT,
        note="Law changed.",
    )
    response = client.post(reverse("portal:add-update", args=[item.pk]), form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this item" in html and "Law changed." in html
    assert "The custody board met and agreed a plan." in html
    assert not ProgressUpdate.objects.exists()


@pytest.mark.django_db
def test_second_lead_submitting_gets_the_explanation_not_a_bare_refusal(
    client, item, met_lead, tmp_path, settings
):
    from recommendations.services import item_submit_for_closure

    settings.MEDIA_ROOT = tmp_path
    client.force_login(met_lead)
    url = reverse("portal:submit", args=[item.pk])
    form = shown(client, url)
    item_submit_for_closure(item=item, note="Submitted by a colleague.")
    response = client.post(
        url, {**form, "note": "My own statement.", "evidence": [upload("a.pdf", PDF)]}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Submitted by a colleague." in html and "My own statement." in html
