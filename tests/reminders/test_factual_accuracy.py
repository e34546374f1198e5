"""Reminders of a factual-accuracy check's last day, through the daily digest."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from recommendations.models import FactualAccuracyCheck
from recommendations.services import factual_accuracy_check_close
from reminders.choices import FACTUAL_ACCURACY_WARNING_DAYS, ReminderKind
from reminders.models import ReminderPreference
from reminders.services import reminders_select

KIND = ReminderKind.FACTUAL_ACCURACY


def reminded(day):
    return {
        digest.user.username: [r.heading for r in digest.reminders.get(KIND, [])]
        for digest in reminders_select(day=day)
    }


@pytest.fixture
def closing_soon(check, met_lead):
    met_lead.email = "met-lead@example.org"
    met_lead.save(update_fields=["email"])
    FactualAccuracyCheck.objects.filter(pk=check.pk).update(
        closes_on=timezone.localdate() + timedelta(days=2)
    )
    check.refresh_from_db()
    return check


def test_the_lead_hears_of_a_check_closing_soon_with_a_link(closing_soon, today, outbox):
    call_command("send_reminders")

    (message,) = [m for m in outbox if m.to == ["met-lead@example.org"]]
    assert "1 factual-accuracy check closing" in message.subject
    assert f"Draft report: {closing_soon.inspection.title}" in message.body
    assert f"/portal/checks/{closing_soon.pk}/" in message.body
    assert "Last day for comments" in message.body and "in 2 days" in message.body


def test_not_before_the_warning_period(check, met_lead, today):
    FactualAccuracyCheck.objects.filter(pk=check.pk).update(
        closes_on=today + timedelta(days=FACTUAL_ACCURACY_WARNING_DAYS + 1)
    )
    assert reminded(today).get("met-lead", []) == []
    assert reminded(today + timedelta(days=1))["met-lead"] == [
        f"Draft report: {check.inspection.title}"
    ]


def test_not_a_closed_check_nor_a_published_report(closing_soon, inspector, today):
    factual_accuracy_check_close(check=closing_soon, user=inspector)
    assert reminded(today).get("met-lead", []) == []


def test_not_once_the_report_is_published(closing_soon, today):
    type(closing_soon.inspection).objects.filter(pk=closing_soon.inspection_id).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    assert reminded(today).get("met-lead", []) == []


def test_not_members_who_are_not_leads_nor_other_bodies(closing_soon, met_user, kent_user, today):
    digests = reminded(today)
    assert digests["met-lead"] and "met" not in digests and "kent" not in digests


def test_the_persons_choice_is_respected(closing_soon, met_lead, today):
    ReminderPreference.objects.create(user=met_lead, factual_accuracy=False)
    assert reminded(today).get("met-lead", []) == []
