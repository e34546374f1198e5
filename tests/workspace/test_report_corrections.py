"""A published report in the report editor: every change is a correction through the services,
with a reason the public pages show ("Corrected on <date>: <reason>"); an addressee taken off is
closed as no longer relevant and replaced, never removed or re-pointed. And a draft's due date
edits write no public history: only a change after publication is one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from inspections.models import Inspection
from recommendations.choices import FindingKind, Status
from recommendations.models import CauseOfConcern, DueDateChange, Finding
from recommendations.services import finding_create

pytestmark = pytest.mark.django_db


def edit_url(finding):
    return reverse("workspace:finding", args=[finding.inspection_id, finding.pk])


def form_data(client, finding, **overrides):
    """What the finding's form shows, as the person would send it back, with ``overrides``."""
    form = client.get(edit_url(finding)).context["form"]
    data = {}
    for name in ("kind", "reference", "text", "deadline", "due_date", "deadline_wording", "seen"):
        value = form[name].value()
        data[name] = "" if value is None else value
    data["addressees"] = [org.pk for org in form.initial["addressees"]]
    if form.initial.get("cause_of_concern"):
        data["cause_of_concern"] = form.initial["cause_of_concern"]
    return data | overrides


def test_the_editor_opens_a_published_report_for_corrections(
    client, inspector, inspection, recommendation
):
    client.force_login(inspector)
    page = client.get(reverse("workspace:report", args=[inspection.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Every change now is a correction" in text
    assert "Schedule the publication" not in text and "Paste findings" not in text
    listed = client.get(reverse("workspace:reports")).content.decode()
    assert reverse("workspace:report", args=[inspection.pk]) in listed
    # Draft-only pages stay closed to a published report.
    remove = reverse("workspace:finding-remove", args=[inspection.pk, recommendation.pk])
    assert client.get(remove).status_code == 404


def test_another_inspectorate_cannot_correct_a_published_report(
    client, other_inspector, inspection, recommendation
):
    client.force_login(other_inspector)
    assert client.get(reverse("workspace:report", args=[inspection.pk])).status_code == 404
    assert client.get(edit_url(recommendation)).status_code == 404


def test_a_text_correction_needs_a_reason_and_is_shown_publicly(
    client, inspector, inspection, recommendation
):
    client.force_login(inspector)
    new_text = "The force and MOPAC should improve the governance of the use of force in custody."
    refused = client.post(
        edit_url(recommendation), form_data(client, recommendation, text=new_text)
    )
    assert refused.status_code == 400
    assert "Give the reason for the correction" in refused.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.text != new_text

    response = client.post(
        edit_url(recommendation),
        form_data(client, recommendation, text=new_text, reason="The custody words were lost."),
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == new_text
    logged = ActionLog.objects.get(action="recommendations.finding.corrected")
    assert logged.actor == inspector and logged.data["reason"] == "The custody words were lost."
    public = client.get(reverse("public:finding-detail", args=[recommendation.pk]))
    today = timezone.localdate()
    assert (
        f'Corrected on <time datetime="{today:%Y-%m-%d}">{today.day} {today:%B %Y}</time>: '
        "The custody words were lost." in public.content.decode()
    )


def test_a_stale_correction_form_is_refused(client, inspector, inspection, recommendation):
    client.force_login(inspector)
    data = form_data(client, recommendation, text="My correction.", reason="Typo.")
    Finding.objects.filter(pk=recommendation.pk).update(text="A colleague's correction.")
    response = client.post(edit_url(recommendation), data)
    assert response.status_code == 409
    recommendation.refresh_from_db()
    assert recommendation.text == "A colleague's correction."


def test_the_reports_details_are_corrected_with_a_reason(client, inspector, inspection):
    client.force_login(inspector)
    url = reverse("workspace:report-details", args=[inspection.pk])
    data = {
        "title": "Metropolitan Police Service custody (2025)",
        "programme": inspection.programme_id,
        "report_url": "https://hmicfrs.justiceinspectorates.gov.uk/met-custody-2025/",
        "summary": "Use of force oversight is poor.",
        "seen": client.get(url).context["form"]["seen"].value(),
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    inspection.refresh_from_db()
    assert inspection.title == "Metropolitan Police Service custody"
    assert client.post(url, data | {"reason": "The year was missing."}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.title == "Metropolitan Police Service custody (2025)"
    public = client.get(reverse("public:inspection-detail", args=[inspection.slug]))
    assert "The year was missing." in public.content.decode()


def test_an_addressee_taken_off_is_closed_and_replaced_never_removed(
    client, inspector, inspection, recommendation, met, mopac, kent
):
    client.force_login(inspector)
    data = form_data(
        client,
        recommendation,
        addressees=[met.pk],
        other_addressees="Kent Police",
        reason="Addressed to MOPAC by mistake: it is Kent's.",
    )
    assert client.post(edit_url(recommendation), data).status_code == 302
    items = {item.organisation: item for item in recommendation.items.all()}
    assert set(items) == {met, mopac, kent}  # MOPAC's stays, with its history
    assert items[mopac].status == Status.CLOSED_NO_LONGER_RELEVANT
    assert "Kent" in items[mopac].status_changes.get().note
    assert items[kent].status == Status.OPEN and items[met].status == Status.OPEN
    assert ActionLog.objects.filter(action="recommendations.assignment.replaced").exists()

    # Withdrawn without a replacement: closed as well; and a closed one is not re-added here.
    data = form_data(client, recommendation, addressees=[met.pk], reason="Kent's was moved.")
    assert client.post(edit_url(recommendation), data).status_code == 302
    assert recommendation.items.get(organisation=kent).status == Status.CLOSED_NO_LONGER_RELEVANT
    data = form_data(
        client, recommendation, addressees=[met.pk, mopac.pk], reason="MOPAC after all."
    )
    refused = client.post(edit_url(recommendation), data)
    assert refused.status_code == 400
    assert "reopen it on its own page" in refused.content.decode()
    assert recommendation.items.count() == 3


def test_an_addressee_added_after_publication_is_logged_with_the_reason(
    client, inspector, inspection, recommendation, met, mopac, kent
):
    client.force_login(inspector)
    data = form_data(
        client, recommendation, other_addressees="Kent Police", reason="Kent was named too."
    )
    assert client.post(edit_url(recommendation), data).status_code == 302
    item = recommendation.items.get(organisation=kent)
    assert item.status == Status.OPEN and item.due_date == recommendation.due_date
    logged = ActionLog.objects.get(
        action="recommendations.assignment.created", data__organisation=kent.slug
    )
    assert logged.data["reason"] == "Kent was named too." and logged.actor == inspector


# Due dates: a draft's are being written; a published report's change is public history.


@pytest.fixture
def draft_finding(hmicfrs, custody, met, mopac, inspector):
    draft = Inspection.objects.create(
        title="Draft", slug="draft", programme=custody, lead_inspectorate=hmicfrs
    )
    draft.organisations.add(met)
    return finding_create(
        inspection=draft,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        text="The force and MOPAC should act.",
        organisations=[met, mopac],
        due_date=timezone.localdate() + timedelta(days=180),
        user=inspector,
    )


def test_a_drafts_due_date_edits_write_no_public_history(
    client, inspector, draft_finding, met, mopac
):
    client.force_login(inspector)
    for days in (200, 150):
        new_due = timezone.localdate() + timedelta(days=days)
        data = form_data(client, draft_finding, due_date=new_due.isoformat())
        assert client.post(edit_url(draft_finding), data).status_code == 302
    assert not DueDateChange.objects.exists()
    for item in draft_finding.items.all():
        assert item.due_date == new_due
        assert item.original_due_date is None and not item.due_date_was_changed
        assert item.version == 1  # no history: still removable as named by mistake
    # Still removable while a draft: MOPAC named by mistake.
    data = form_data(client, draft_finding, addressees=[met.pk])
    assert client.post(edit_url(draft_finding), data).status_code == 302
    assert [item.organisation for item in draft_finding.items.all()] == [met]
    # The finding's own log keeps the edits.
    assert ActionLog.objects.filter(action="recommendations.finding.updated").count() == 2


def test_a_published_due_date_change_is_public_history(
    client, inspector, inspection, recommendation
):
    client.force_login(inspector)
    new_due = recommendation.due_date + timedelta(days=30)
    data = form_data(
        client, recommendation, due_date=new_due.isoformat(), reason="The report said 120 days."
    )
    assert client.post(edit_url(recommendation), data).status_code == 302
    changes = DueDateChange.objects.filter(item__finding=recommendation)
    assert changes.count() == 2
    assert {change.reason for change in changes} == {"The report said 120 days."}


# Whom a report inspected, and with which inspectorates: the details form, before publication.


@pytest.fixture
def draft(hmicfrs, custody, met):
    draft = Inspection.objects.create(
        title="Draft", slug="draft", programme=custody, lead_inspectorate=hmicfrs
    )
    draft.organisations.add(met)
    return draft


def details(client, draft, **overrides):
    """The details form as shown (with its fingerprint of what was seen), with ``overrides``."""
    page = client.get(reverse("workspace:report-details", args=[draft.pk]))
    seen = page.context["form"]["seen"].value()
    return {"title": draft.title, "programme": draft.programme_id, "seen": seen} | overrides


def test_the_lead_changes_the_inspected_bodies_and_partners_of_a_draft(
    client, inspector, draft, met, mopac, cqc, cqc_inspector
):
    url = reverse("workspace:report-details", args=[draft.pk])
    client.force_login(cqc_inspector)
    assert client.get(url).status_code == 404  # not yet a partner
    client.force_login(inspector)
    data = details(
        client,
        draft,
        organisations="Metropolitan Police Service\nMayor's Office for Policing and Crime",
        partner_inspectorates=[cqc.pk],
    )
    assert client.post(url, data).status_code == 302
    assert set(draft.organisations.all()) == {met, mopac}
    assert list(draft.partner_inspectorates.all()) == [cqc]
    logged = ActionLog.objects.get(action="inspections.inspection.edited")
    assert logged.actor == inspector
    assert logged.data["fields"]["organisations"]["to"] == [str(mopac), str(met)]
    assert logged.data["fields"]["partner_inspectorates"] == {"from": [], "to": [str(cqc)]}
    client.force_login(cqc_inspector)
    assert client.get(url).status_code == 200  # now a partner: the draft is theirs to edit


def test_a_partner_changes_the_inspected_bodies_but_not_the_inspectorates(
    client, draft, met, kent, cqc, cqc_inspector
):
    draft.partner_inspectorates.add(cqc)
    client.force_login(cqc_inspector)
    url = reverse("workspace:report-details", args=[draft.pk])
    page = client.get(url)
    assert "partner_inspectorates" not in page.context["form"].fields
    assert "Only the lead inspectorate" in page.content.decode()
    # A partner field sent anyway is not read: the partners stay.
    data = details(client, draft, organisations="Kent Police", partner_inspectorates=[])
    assert client.post(url, data).status_code == 302
    assert list(draft.organisations.all()) == [kent]
    assert list(draft.partner_inspectorates.all()) == [cqc]


def test_an_unknown_or_missing_inspected_body_is_refused(client, inspector, draft, met, kent):
    client.force_login(inspector)
    url = reverse("workspace:report-details", args=[draft.pk])
    response = client.post(url, details(client, draft, organisations="Kent Polic"))
    assert response.status_code == 400
    assert "did you mean Kent Police" in response.content.decode()
    assert client.post(url, details(client, draft, organisations="")).status_code == 400
    assert list(draft.organisations.all()) == [met]


def test_a_published_reports_inspected_bodies_are_not_changed_in_the_editor(
    client, inspector, inspection, met, kent
):
    from core.errors import DomainError
    from inspections.services import inspection_set_parties

    client.force_login(inspector)
    url = reverse("workspace:report-details", args=[inspection.pk])
    page = client.get(url)
    assert "organisations" not in page.context["form"].fields
    assert "are not changed here" in page.content.decode()
    data = details(client, inspection, organisations="Kent Police", reason="Wrong force.")
    assert client.post(url, data).status_code == 302  # the other details only, nothing else
    assert list(inspection.organisations.all()) == [met]
    with pytest.raises(DomainError, match="not changed in the report editor"):
        inspection_set_parties(
            inspection=inspection, organisations=[kent], user=inspector, reason="Wrong force."
        )
    assert list(inspection.organisations.all()) == [met]


def test_a_stale_details_form_is_refused_and_keeps_what_was_typed(client, inspector, inspection):
    client.force_login(inspector)
    url = reverse("workspace:report-details", args=[inspection.pk])
    data = details(client, inspection, title="My title", reason="Typo.")
    Inspection.objects.filter(pk=inspection.pk).update(summary="A colleague's summary.")
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Someone else changed the report" in response.content.decode()
    assert response.context["form"]["title"].value() == "My title"
    inspection.refresh_from_db()
    assert inspection.title == "Metropolitan Police Service custody"


# Causes of concern: corrected in the editor once published, as findings are.


@pytest.fixture
def published_cause(inspection):
    return CauseOfConcern.objects.create(
        inspection=inspection, reference="CoC1", text="Oversight of force is poor."
    )


def cause_url(cause):
    return reverse("workspace:cause", args=[cause.inspection_id, cause.pk])


def cause_data(client, cause, **overrides):
    """What the cause's form shows, as the person would send it back, with ``overrides``."""
    form = client.get(cause_url(cause)).context["form"]
    return {name: form[name].value() for name in ("reference", "text", "seen")} | overrides


def test_a_cause_of_concern_correction_needs_a_reason_and_is_shown_publicly(
    client, inspector, inspection, published_cause
):
    client.force_login(inspector)
    editor = client.get(reverse("workspace:report", args=[inspection.pk])).content.decode()
    assert f'href="{cause_url(published_cause)}">Correct<' in editor
    page = client.get(cause_url(published_cause))
    assert "reason" in page.context["form"].fields
    assert "Correct CoC1" in page.content.decode()
    new_text = "Oversight of the use of force in custody is poor."
    refused = client.post(
        cause_url(published_cause), cause_data(client, published_cause, text=new_text)
    )
    assert refused.status_code == 400
    assert "Give the reason for the correction" in refused.content.decode()
    published_cause.refresh_from_db()
    assert published_cause.text == "Oversight of force is poor."
    assert not ActionLog.objects.filter(action="recommendations.cause_of_concern.corrected")

    data = cause_data(client, published_cause, text=new_text, reason="Custody was left out.")
    response = client.post(cause_url(published_cause), data)
    assert response.status_code == 302
    assert response.url == reverse("workspace:report", args=[inspection.pk]) + (
        f"#cause-{published_cause.pk}"
    )
    published_cause.refresh_from_db()
    assert published_cause.text == new_text
    logged = ActionLog.objects.get(action="recommendations.cause_of_concern.corrected")
    assert logged.actor == inspector and logged.data["reason"] == "Custody was left out."
    assert logged.data["fields"] == {
        "text": {"from": "Oversight of force is poor.", "to": new_text}
    }
    public = client.get(reverse("public:inspection-detail", args=[inspection.slug]))
    today = timezone.localdate()
    text = public.content.decode()
    assert new_text in text
    assert (
        f'Corrected on <time datetime="{today:%Y-%m-%d}">{today.day} {today:%B %Y}</time>: '
        "Custody was left out." in text
    )


def test_a_stale_cause_of_concern_correction_is_refused(client, inspector, published_cause):
    client.force_login(inspector)
    data = cause_data(client, published_cause, text="My correction.", reason="Typo.")
    CauseOfConcern.objects.filter(pk=published_cause.pk).update(text="A colleague's correction.")
    response = client.post(cause_url(published_cause), data)
    assert response.status_code == 409
    assert "Someone else changed CoC1" in response.content.decode()
    assert response.context["form"]["text"].value() == "My correction."
    published_cause.refresh_from_db()
    assert published_cause.text == "A colleague's correction."
    assert not ActionLog.objects.filter(action="recommendations.cause_of_concern.corrected")


def test_a_cause_of_concern_cannot_take_another_findings_reference(
    client, inspector, published_cause, recommendation
):
    client.force_login(inspector)
    data = cause_data(client, published_cause, reference="r1", reason="Renumbered.")
    response = client.post(cause_url(published_cause), data)
    assert response.status_code == 400
    assert "already has a finding or cause of concern r1" in response.content.decode()
    published_cause.refresh_from_db()
    assert published_cause.reference == "CoC1"


@pytest.mark.parametrize(
    ("persona", "expected"), [("other_inspector", 404), ("met_user", 403), (None, 302)]
)
def test_only_the_reports_inspectors_correct_its_causes_of_concern(
    client, request, persona, expected, published_cause
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    url = cause_url(published_cause)
    data = {"reference": "CoC1", "text": "Changed.", "reason": "Because."}
    assert client.get(url).status_code == expected
    response = client.post(url, data)
    assert response.status_code == expected
    if persona is None:
        assert response.url.startswith(reverse("accounts:sign-in"))
    published_cause.refresh_from_db()
    assert published_cause.text == "Oversight of force is poor."
    assert not ActionLog.objects.filter(action="recommendations.cause_of_concern.corrected")


def test_a_drafts_cause_of_concern_is_edited_freely(client, inspector, draft):
    cause = CauseOfConcern.objects.create(inspection=draft, reference="CoC1", text="Oversight.")
    client.force_login(inspector)
    page = client.get(cause_url(cause))
    assert "reason" not in page.context["form"].fields
    assert "Edit CoC1" in page.content.decode()
    response = client.post(cause_url(cause), cause_data(client, cause, text="Poor oversight."))
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.text == "Poor oversight."
    logged = ActionLog.objects.get(content_type__model="causeofconcern")
    assert logged.action == "recommendations.cause_of_concern.edited"
    assert logged.data["reason"] == ""
