"""The report editor's finding form takes an optional Welsh text (issue 12): saved through the
same services as the English (``finding_create``, ``findings_update``), logged, a correction
once the report is published, part of the stale-form check, and in the stored search document
(kept by PostgreSQL's triggers), so a Welsh search finds it."""

import pytest
from django.db import connection
from django.urls import reverse as django_reverse
from django.utils import translation

from audit.models import ActionLog
from inspections.models import Inspection
from recommendations.choices import FindingKind
from recommendations.models import Finding, FindingSearch

pytestmark = pytest.mark.django_db


def reverse(*args, **kwargs):
    """The English address, whatever language the last request left active."""
    with translation.override("en-gb"):
        return django_reverse(*args, **kwargs)


WELSH = "Dylai’r heddlu wella’r asesiadau risg cyn rhyddhau o’r ddalfa."


@pytest.fixture
def welsh_draft(hmicfrs, custody, met):
    inspection = Inspection.objects.create(
        title="Metropolitan Police Service custody 2025",
        slug="met-custody-welsh-draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
        summary="Governance of the use of force is poor.",
        report_url="https://hmicfrs.justiceinspectorates.gov.uk/publications/met-custody/",
    )
    inspection.organisations.add(met)
    return inspection


def finding_data(**overrides):
    data = {
        "kind": FindingKind.AREA_FOR_IMPROVEMENT,
        "reference": "AFI1",
        "text": "The force should improve pre-release risk assessments.",
        "deadline": "none",
        "due_date": "",
        "deadline_wording": "",
    }
    return data | overrides


def edit_url(finding):
    return reverse("workspace:finding", args=[finding.inspection_id, finding.pk])


def form_data(client, finding, **overrides):
    """What the finding's form shows, as the person would send it back, with ``overrides``."""
    form = client.get(edit_url(finding)).context["form"]
    data = {}
    for name in (
        "kind",
        "reference",
        "text",
        "text_cy",
        "deadline",
        "due_date",
        "deadline_wording",
        "seen",
    ):
        value = form[name].value()
        data[name] = "" if value is None else value
    data["addressees"] = [org.pk for org in form.initial["addressees"]]
    if form.initial.get("cause_of_concern"):
        data["cause_of_concern"] = form.initial["cause_of_concern"]
    return data | overrides


def assert_searchable(finding, *, found: bool):
    """Whether the finding's stored search document holds the Welsh word. PostgreSQL's triggers
    keep the documents; SQLite (the quick start) has none, so there is nothing to check there:
    CI runs these checks on PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    assert ("rhyddhau" in FindingSearch.objects.get(finding_id=finding.pk).text) is found


def test_a_new_finding_keeps_its_welsh_text_logged_and_searchable(
    client, inspector, welsh_draft, met
):
    client.force_login(inspector)
    page = client.get(reverse("workspace:finding-new", args=[welsh_draft.pk])).content.decode()
    assert 'name="text_cy"' in page and 'lang="cy"' in page
    response = client.post(
        reverse("workspace:finding-new", args=[welsh_draft.pk]),
        finding_data(addressees=[met.pk], text_cy=f"  {WELSH}  "),
    )
    assert response.status_code == 302
    finding = welsh_draft.findings.get()
    assert finding.text_cy == WELSH
    logged = ActionLog.objects.get(action="recommendations.finding.created")
    assert logged.actor == inspector and logged.data["text_cy"] == WELSH
    assert_searchable(finding, found=True)


def test_editing_the_welsh_text_is_saved_through_the_service_and_logged(
    client, inspector, welsh_draft, met
):
    client.force_login(inspector)
    client.post(
        reverse("workspace:finding-new", args=[welsh_draft.pk]),
        finding_data(addressees=[met.pk]),
    )
    finding = welsh_draft.findings.get()
    assert finding.text_cy == ""
    assert_searchable(finding, found=False)

    response = client.post(edit_url(finding), form_data(client, finding, text_cy=WELSH))
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.text_cy == WELSH
    logged = ActionLog.objects.get(action="recommendations.finding.updated")
    assert logged.actor == inspector
    assert logged.data["fields"]["text_cy"] == {"from": "", "to": WELSH}
    assert_searchable(finding, found=True)

    # The form shows it back, and leaving it as shown changes nothing.
    assert client.get(edit_url(finding)).context["form"]["text_cy"].value() == WELSH
    client.post(edit_url(finding), form_data(client, finding))
    assert ActionLog.objects.filter(action="recommendations.finding.updated").count() == 1


def test_a_welsh_text_changed_meanwhile_makes_the_form_stale(client, inspector, welsh_draft, met):
    client.force_login(inspector)
    client.post(
        reverse("workspace:finding-new", args=[welsh_draft.pk]),
        finding_data(addressees=[met.pk]),
    )
    finding = welsh_draft.findings.get()
    data = form_data(client, finding, text_cy="Fy ngeiriau i.")
    Finding.objects.filter(pk=finding.pk).update(text_cy="Geiriau cydweithiwr.")
    response = client.post(edit_url(finding), data)
    assert response.status_code == 409
    assert response.context["form"]["text_cy"].value() == "Fy ngeiriau i."
    finding.refresh_from_db()
    assert finding.text_cy == "Geiriau cydweithiwr."


def test_a_welsh_text_added_to_a_published_finding_is_a_correction(
    client, inspector, inspection, recommendation
):
    client.force_login(inspector)
    refused = client.post(
        edit_url(recommendation), form_data(client, recommendation, text_cy=WELSH)
    )
    assert refused.status_code == 400
    response = client.post(
        edit_url(recommendation),
        form_data(client, recommendation, text_cy=WELSH, reason="The Welsh text was missing."),
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text_cy == WELSH
    logged = ActionLog.objects.get(action="recommendations.finding.corrected")
    assert logged.data["fields"] == {"text_cy": {"from": "", "to": WELSH}}
    assert logged.data["reason"] == "The Welsh text was missing."
    welsh_page = client.get("/cy" + reverse("public:finding-detail", args=[recommendation.pk]))
    assert WELSH in welsh_page.content.decode()
    assert_searchable(recommendation, found=True)
    found = client.get("/cy" + reverse("public:finding-list") + "?q=rhyddhau").content.decode()
    assert f">{recommendation.reference}<" in found or f"{recommendation.reference}:" in found
