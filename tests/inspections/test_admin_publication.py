from django.urls import reverse

from audit.models import ActionLog
from inspections.models import Inspection
from recommendations.choices import FindingKind
from recommendations.models import Finding, Section55Response
from recommendations.services import finding_add_addressees


def test_publish_action_goes_through_the_service(client, admin_user, hmicfrs, custody, met, mopac):
    draft = Inspection.objects.create(
        title="Draft",
        slug="draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
        summary="What the inspection found.",
        report_url="https://hmicfrs.justiceinspectorates.gov.uk/publications/draft/",
    )
    draft.organisations.add(met)
    finding = Finding.objects.create(
        inspection=draft,
        kind=FindingKind.RECOMMENDATION,
        reference="R1",
        no_deadline=True,
        text="The force should review its custody records.",
    )
    finding_add_addressees(finding=finding, organisations=[met])
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Published 1 inspection." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published
    assert ActionLog.objects.for_object(draft).get().action == "inspections.inspection.published"
    assert Section55Response.objects.get(inspection=draft).local_policing_body == mopac


def test_the_admin_publishes_only_what_the_checklist_passes(
    client, admin_user, hmicfrs, custody, met
):
    # The admin is one more door to publication: the editor's checklist holds there too.
    bare = Inspection.objects.create(
        title="Bare", slug="bare", programme=custody, lead_inspectorate=hmicfrs
    )
    bare.organisations.add(met)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "publish_now", "_selected_action": [bare.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Nothing was published" in text and "summary" in text.lower()
    bare.refresh_from_db()
    assert bare.published_at is None
    assert not ActionLog.objects.for_object(bare).exists()


def test_publish_action_leaves_public_reports_alone(client, admin_user, inspection):
    before = inspection.published_at
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "publish_now", "_selected_action": [inspection.pk]},
        follow=True,
    )
    assert "1 already public" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.published_at == before
    assert not ActionLog.objects.for_object(inspection).exists()


def test_embargoed_inspections_are_filtered_apart(client, admin_user, inspection, hmicfrs, custody):
    Inspection.objects.create(
        title="Embargoed report", slug="embargoed", programme=custody, lead_inspectorate=hmicfrs
    )
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_changelist")
    drafts = client.get(url, {"publication": "draft"}).content.decode()
    assert "Embargoed report" in drafts
    assert "Metropolitan Police Service custody" not in drafts
