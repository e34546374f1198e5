"""The admin: digests are a read-only record; preferences can be edited."""

from datetime import timedelta

from django.urls import reverse

from reminders.models import Digest, ReminderPreference
from tests.reminders.conftest import ago


def test_digest_list_shows_who_when_and_counts(client, admin_user, met_user, today):
    moment = ago(hours=1)
    digest = Digest.objects.create(
        user=met_user,
        day=today,
        sent_at=moment,
        covered_until=moment - timedelta(seconds=1),
        email="met@example.org",
        subject="Inspection tracker: 2 items due soon, 1 overdue",
        summary={"due_soon": ["R1, Report", "R2, Report"], "overdue": ["R3, Report"]},
    )
    client.force_login(admin_user)

    response = client.get(reverse("admin:reminders_digest_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "met@example.org" in html
    assert '<td class="field-count_due_soon">2</td>' in html
    assert '<td class="field-count_overdue">1</td>' in html
    detail = client.get(reverse("admin:reminders_digest_change", args=[digest.pk]))
    assert detail.status_code == 200
    assert 'name="subject"' not in detail.content.decode()


def test_digests_cannot_be_added_changed_or_deleted(client, admin_user, met_user, today):
    moment = ago(hours=1)
    digest = Digest.objects.create(
        user=met_user, day=today, sent_at=moment, covered_until=moment, email="m@example.org"
    )
    client.force_login(admin_user)

    assert client.get(reverse("admin:reminders_digest_add")).status_code == 403
    assert client.post(reverse("admin:reminders_digest_delete", args=[digest.pk])).status_code == (
        403
    )
    client.post(
        reverse("admin:reminders_digest_change", args=[digest.pk]),
        {"email": "other@example.org"},
    )
    digest.refresh_from_db()
    assert digest.email == "m@example.org"


def test_preferences_are_editable_in_the_admin(client, admin_user, met_user):
    preference = ReminderPreference.objects.create(user=met_user)
    client.force_login(admin_user)

    assert client.get(reverse("admin:reminders_reminderpreference_changelist")).status_code == 200
    response = client.post(
        reverse("admin:reminders_reminderpreference_change", args=[preference.pk]),
        {
            "user": met_user.pk,
            "due_soon": "on",
            "overdue": "",
            "review_outcome": "on",
            "awaiting_review": "on",
            "section55": "on",
        },
    )

    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.due_soon
    assert not preference.overdue
