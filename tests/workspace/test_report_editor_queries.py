"""The report editor does not grow by a query per finding: pinned at 10 and 300 findings."""

import pytest
from django.urls import reverse

from inspections.models import Inspection
from recommendations.choices import FindingKind
from recommendations.models import CauseOfConcern, Finding
from recommendations.services import findings_add_addressees


def fill(draft, total, orgs):
    """``total`` findings: a cause with a recommendation to every body, the rest AFIs."""
    cause, _ = CauseOfConcern.objects.get_or_create(
        inspection=draft, reference="CoC1", defaults={"text": "Oversight is poor."}
    )
    have = draft.findings.count()
    findings = Finding.objects.bulk_create(
        Finding(
            inspection=draft,
            kind=FindingKind.RECOMMENDATION if n == 0 else FindingKind.AREA_FOR_IMPROVEMENT,
            cause_of_concern=cause if n == 0 else None,
            reference=f"R{n}" if n == 0 else f"AFI{n}",
            text=f"The force should do {n}.",
            position=n,
            no_deadline=True,
        )
        for n in range(have, total)
    )
    findings_add_addressees(additions=[(f, orgs) for f in findings])


@pytest.mark.django_db
def test_the_editor_page_takes_the_same_queries_at_10_and_300_findings(
    client, inspector, hmicfrs, custody, met, mopac, django_assert_num_queries
):
    draft = Inspection.objects.create(
        title="Draft", slug="draft", programme=custody, lead_inspectorate=hmicfrs
    )
    draft.organisations.add(met)
    client.force_login(inspector)
    url = reverse("workspace:report", args=[draft.pk])
    for total in (10, 300):
        fill(draft, total, [met, mopac])
        assert draft.findings.count() == total
        # 1 session, 2 user, 3 the draft (scoped by the policy), 4 findings with their
        # addressee counts, 5 their addressees and organisations, 6 causes of concern,
        # 7 inspected organisations (checklist), 8 section 55 bodies (checklist), 9 inspected
        # organisations (page), 10 key figures, 11 memberships (navigation)
        with django_assert_num_queries(11):
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["finding_count"] == total
