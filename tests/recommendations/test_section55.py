from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import DomainError
from inspections.models import Inspection
from recommendations.models import Section55Response, section55_due_date
from recommendations.services import (
    inspection_publish,
    inspection_set_publication,
    section55_open_responses,
    section55_record_response,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("published_on", "due_on"),
    [
        # Publication day is day 1, so day 56 is publication day + 55.
        (date(2025, 8, 7), date(2025, 10, 1)),
        (date(2024, 1, 1), date(2024, 2, 25)),
        # Across a leap day.
        (date(2024, 2, 1), date(2024, 3, 27)),
        (date(2023, 2, 1), date(2023, 3, 28)),
        # Across the turn of the year.
        (date(2025, 12, 1), date(2026, 1, 25)),
    ],
)
def test_section55_due_on_the_56th_day_counting_publication_day(published_on, due_on):
    assert section55_due_date(published_on) == due_on
    assert (due_on - published_on).days + 1 == 56


def test_publication_day_is_the_uk_day(inspection, mopac):
    # 23:30 UTC on 6 August is 00:30 on 7 August in London (summer time): day 1 is 7 August.
    inspection.published_at = datetime(2025, 8, 6, 23, 30, tzinfo=ZoneInfo("UTC"))
    inspection.save()
    response = Section55Response.objects.create(inspection=inspection, local_policing_body=mopac)
    assert response.due_on == date(2025, 10, 1)


def test_unpublished_report_has_no_section55_clock(inspection, mopac):
    inspection.published_at = None
    inspection.save()
    response = Section55Response(inspection=inspection, local_policing_body=mopac)
    assert response.due_on is None
    assert not response.is_overdue()


def test_overdue_only_when_not_received_after_the_due_day(inspection, mopac):
    published = datetime(2025, 8, 7, 9, 0, tzinfo=LONDON)
    Inspection.objects.filter(pk=inspection.pk).update(published_at=published)
    inspection.refresh_from_db()
    response = Section55Response.objects.create(inspection=inspection, local_policing_body=mopac)
    assert not response.is_overdue(today=date(2025, 10, 1))
    assert response.is_overdue(today=date(2025, 10, 2))
    response.received_on = date(2025, 10, 3)
    response.url = "https://example.org/response"
    assert not response.is_overdue(today=date(2025, 10, 5))
    assert response.was_late


def test_publishing_opens_the_local_policing_bodys_response(hmicfrs, custody, met, mopac, kent):
    draft = Inspection.objects.create(
        title="Thematic", slug="thematic", programme=custody, lead_inspectorate=hmicfrs
    )
    draft.organisations.add(met, kent)
    assert section55_open_responses(inspection=draft) == []
    inspection_publish(inspection=draft)
    bodies = set(
        Section55Response.objects.filter(inspection=draft).values_list(
            "local_policing_body__slug", flat=True
        )
    )
    assert bodies == {mopac.slug, kent.local_policing_body.slug}
    # Idempotent.
    section55_open_responses(inspection=draft)
    assert Section55Response.objects.filter(inspection=draft).count() == 2


def test_recording_a_response_with_statements(recommendation, mopac, inspector):
    (response,) = section55_open_responses(inspection=recommendation.inspection)
    assert response.local_policing_body == mopac
    recorded = section55_record_response(
        response=response,
        received_on=timezone.localdate(),
        url="https://example.org/mopac-response",
        statements={recommendation: ("will_be_taken", "A new oversight board from January.")},
        user=inspector,
    )
    assert recorded.received_on == timezone.localdate()
    assert recorded.statements.get().finding == recommendation


def test_response_needs_a_link_or_text(recommendation):
    (response,) = section55_open_responses(inspection=recommendation.inspection)
    with pytest.raises(DomainError, match="link"):
        section55_record_response(response=response, received_on=timezone.localdate())


def test_public_report_cannot_be_withdrawn(inspection):
    with pytest.raises(DomainError, match="cannot be withdrawn"):
        inspection_set_publication(inspection=inspection, published_at=None)


def test_embargoed_report_can_be_rescheduled(inspection):
    later = timezone.now() + timedelta(days=3)
    Inspection.objects.filter(pk=inspection.pk).update(published_at=timezone.now() + timedelta(1))
    inspection.refresh_from_db()
    rescheduled = inspection_set_publication(inspection=inspection, published_at=later)
    assert rescheduled.published_at == later
    assert not Inspection.objects.published().filter(pk=inspection.pk).exists()
