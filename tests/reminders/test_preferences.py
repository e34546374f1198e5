"""/account/notifications/: each person turns each kind of reminder on or off."""

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from reminders.models import ReminderPreference
from reminders.views import SAVED_MESSAGE

URL = "/account/notifications/"


def ticked(response):
    html = response.content.decode()
    return sorted(re.findall(r'name="kinds" type="checkbox" value="(\w+)"[^>]* checked', html))


def offered(response):
    return sorted(
        re.findall(r'name="kinds" type="checkbox" value="(\w+)"', response.content.decode())
    )


def test_the_url_name():
    assert reverse("reminders:preferences") == URL


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={URL}"


def test_anonymous_cannot_post(client):
    response = client.post(URL, {"kinds": []})

    assert response.status_code == 302
    assert not ReminderPreference.objects.exists()


def test_everything_is_on_by_default(client, met_user):
    client.force_login(met_user)
    response = client.get(URL)

    assert response.status_code == 200
    assert ticked(response) == ["due_soon", "overdue", "review_outcome"]
    assert '<h1 class="govuk-heading-l">Email reminders</h1>' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "kinds"),
    [
        ("met_user", ["due_soon", "overdue", "review_outcome"]),
        # A lead also hears of the drafts shared with the body for a factual-accuracy check.
        ("mopac_user", ["due_soon", "factual_accuracy", "overdue", "review_outcome", "section55"]),
        ("inspector", ["awaiting_review"]),
        (
            "admin_user",
            [
                "awaiting_review",
                "due_soon",
                "factual_accuracy",
                "overdue",
                "review_outcome",
                "section55",
            ],
        ),
    ],
)
def test_each_person_is_offered_the_kinds_that_concern_them(client, request, persona, kinds):
    client.force_login(request.getfixturevalue(persona))

    assert offered(client.get(URL)) == kinds


def test_saving_turns_kinds_off_and_shows_a_success_banner(client, met_user):
    client.force_login(met_user)

    response = client.post(URL, {"kinds": ["due_soon", "review_outcome"]})

    assert response.status_code == 302
    assert response["Location"] == URL
    preference = ReminderPreference.objects.get(user=met_user)
    assert preference.enabled_kinds() == {
        "due_soon",
        "review_outcome",
        "awaiting_review",
        "section55",
        "factual_accuracy",
    }
    page = client.get(URL)
    html = page.content.decode()
    assert "govuk-notification-banner--success" in html
    assert SAVED_MESSAGE in html
    assert SAVED_MESSAGE == "Your email reminder choices have been saved"
    assert ticked(page) == ["due_soon", "review_outcome"]
    # The banner shows once.
    assert SAVED_MESSAGE not in client.get(URL).content.decode()


def test_clearing_every_box_turns_everything_offered_off(client, met_user):
    client.force_login(met_user)

    client.post(URL, {})

    preference = ReminderPreference.objects.get(user=met_user)
    assert not preference.due_soon
    assert not preference.overdue
    assert not preference.review_outcome


def test_saving_leaves_kinds_not_offered_alone(client, inspector):
    ReminderPreference.objects.create(user=inspector, due_soon=False, overdue=True)
    client.force_login(inspector)

    client.post(URL, {"kinds": []})

    preference = ReminderPreference.objects.get(user=inspector)
    assert not preference.awaiting_review
    assert not preference.due_soon
    assert preference.overdue


def test_turning_back_on(client, met_user):
    ReminderPreference.objects.create(user=met_user, due_soon=False, overdue=False)
    client.force_login(met_user)

    client.post(URL, {"kinds": ["due_soon", "overdue", "review_outcome"]})

    assert ReminderPreference.objects.get(user=met_user).enabled_kinds() >= {
        "due_soon",
        "overdue",
    }
    assert ReminderPreference.objects.count() == 1


def test_an_unknown_kind_is_refused_with_an_error_summary(client, met_user):
    client.force_login(met_user)

    response = client.post(URL, {"kinds": ["due_soon", "awaiting_review"]})

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_kinds"' in html
    assert 'id="id_kinds"' in html
    assert "<title>Error: Email reminders" in html
    # What was ticked stays ticked; nothing was saved.
    assert ticked(response) == ["due_soon"]
    assert not ReminderPreference.objects.exists()


def test_the_form_needs_its_csrf_token(met_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(met_user)

    refused = client.post(URL, {"kinds": ["due_soon"]})
    assert refused.status_code == 403
    assert not ReminderPreference.objects.exists()

    page = client.get(URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    accepted = client.post(URL, {"kinds": ["due_soon"], "csrfmiddlewaretoken": token.group(1)})
    assert accepted.status_code == 302
    assert ReminderPreference.objects.get(user=met_user).enabled_kinds() >= {"due_soon"}


def test_the_page_says_where_email_goes(client, met_user):
    client.force_login(met_user)
    assert "no email address" in client.get(URL).content.decode()

    met_user.email = "met@example.org"
    met_user.save()
    assert "<strong>met@example.org</strong>" in client.get(URL).content.decode()
