"""The progress summary at the top of an inspection's and an organisation's page."""

import pytest
from django.urls import reverse

from recommendations.services import (
    item_close,
    item_start,
    item_submit_for_closure,
    section55_record_response,
)


@pytest.mark.django_db
def test_the_inspection_page_sums_up_progress_by_status_addressee_and_section55(
    client, public_world, met, mopac, inspector
):
    inspection = public_world["inspection"]
    inspection.report_url = "https://example.org/report"  # the test's own, not a real report
    inspection.save()
    afi = public_world["afi"].items.get()
    item_start(item=afi, note="Started.")
    item_submit_for_closure(item=afi, note="Done.")
    item_close(item=afi, user=inspector, outcome="closed_complete", note="Verified.")
    response = client.get(reverse("public:inspection-detail", args=[inspection.slug]))
    progress = response.context["progress"]
    # R1 to the Met (in progress) and MOPAC (open), AFI1 to the Met (closed as complete).
    assert (progress.total, progress.verified, progress.active) == (3, 1, 2)
    by_addressee = {body.slug: summary for body, summary in response.context["by_addressee"]}
    assert by_addressee[met.slug].total == 2 and by_addressee[met.slug].verified == 1
    assert by_addressee[mopac.slug].total == 1 and by_addressee[mopac.slug].verified == 0
    html = response.content.decode()
    assert "Of 3 items: 1 open, 1 in progress, 1 closed: complete." in html
    assert "<strong>1 closed as complete</strong>" in html
    assert "Section 55: 0 of 1 local policing body has published its comments" in html
    assert html.index("Read the published report") < html.index('id="progress"')
    assert html.index('id="progress"') < html.index("Findings</h2>")


@pytest.mark.django_db
def test_the_section55_position_counts_a_published_response(client, public_world, mopac):
    from recommendations.models import Section55Response

    response = Section55Response.objects.get(inspection=public_world["inspection"])
    from django.utils import timezone

    section55_record_response(
        response=response, received_on=timezone.localdate(), text="Our comments."
    )
    html = client.get(
        reverse("public:inspection-detail", args=[public_world["inspection"].slug])
    ).content.decode()
    assert "Section 55: 1 of 1 local policing body has published its comments" in html
    body = client.get(reverse("public:organisation-detail", args=[mopac.slug])).content.decode()
    assert "has published comments on 1 of 1 report" in body


@pytest.mark.django_db
def test_the_organisation_page_sums_up_progress(client, public_world, met):
    response = client.get(reverse("public:organisation-detail", args=[met.slug]))
    progress = response.context["progress"]
    assert progress.total == 2  # R1 and AFI1
    html = response.content.decode()
    assert "Of 2 items: 1 open, 1 in progress." in html
    assert html.index('id="progress"') < html.index("Section 55 responses")
