"""The factual-accuracy check's workspace pages when something is refused: a form sent twice or
with a token that is not right, a date that is not one or is past, a comment not chosen, a
reply too long, a check closed twice. Each says why and stores nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ActionLog
from recommendations.choices import FactualAccuracyResponse
from recommendations.models import FactualAccuracyCheck
from recommendations.services import (
    MAX_TEXT_LENGTH,
    factual_accuracy_check_close,
    factual_accuracy_comment_add,
)

NOT_VALID = "This form is no longer valid, so nothing was saved."


@pytest.fixture
def comment(check, met, met_lead):
    return factual_accuracy_comment_add(
        check=check,
        user=met_lead,
        organisation=met,
        finding=check.inspection.findings.get(),
        text="We reviewed 63 cases, not 64.",
    )


def _day(value):
    return value.strftime("%d/%m/%Y")


def test_the_list_offers_to_open_a_check_only_of_a_report_without_an_open_one(
    client, check, draft, inspector, hmicfrs, custody, met
):
    from inspections.models import Inspection

    other = Inspection.objects.create(
        title="Kent custody (draft)",
        slug="kent-custody-draft",
        programme=custody,
        lead_inspectorate=hmicfrs,
    )
    client.force_login(inspector)

    response = client.get(reverse("workspace:checks"))

    assert response.status_code == 200
    assert [report.pk for report in response.context["openable"]] == [other.pk]
    assert [c.pk for c in response.context["checks"]] == [check.pk]


def test_opening_with_a_token_that_is_not_right_is_refused(client, draft, inspector):
    client.force_login(inspector)
    url = reverse("workspace:check-open", args=[draft.pk])
    closes_on = timezone.localdate() + timedelta(days=10)

    response = client.post(url, {"token": "not-a-token", "closes_on": _day(closes_on)})

    assert response.status_code == 409
    assert NOT_VALID in response.content.decode()
    assert not FactualAccuracyCheck.objects.exists()
    # The page offers a new token, keeping the date typed.
    assert response.context["form"]["closes_on"].value() == _day(closes_on)
    assert response.context["form"]["token"].value() != "not-a-token"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("31/02/2027", "Enter a real date"),
        ("", "Enter the last day for comments"),
        (_day(timezone.localdate() - timedelta(days=1)), "The closing date must be today or later"),
    ],
)
def test_opening_with_a_date_that_will_not_do_says_why(client, draft, inspector, typed, says):
    client.force_login(inspector)
    url = reverse("workspace:check-open", args=[draft.pk])
    token = client.get(url).context["form"]["token"].value()

    response = client.post(url, {"token": token, "closes_on": typed})

    assert response.status_code == 200
    assert says in response.content.decode()
    assert not FactualAccuracyCheck.objects.exists()
    assert not ActionLog.objects.filter(
        action="recommendations.factual_accuracy_check.opened"
    ).exists()
    # The token was not spent: the corrected form goes through.
    fixed = client.post(
        url, {"token": token, "closes_on": _day(timezone.localdate() + timedelta(days=3))}
    )
    assert fixed.status_code == 302
    assert FactualAccuracyCheck.objects.get().closes_on == timezone.localdate() + timedelta(days=3)


def test_a_second_check_cannot_be_opened_while_one_is_open(client, check, draft, inspector):
    client.force_login(inspector)
    url = reverse("workspace:check-open", args=[draft.pk])
    token = client.get(url).context["form"]["token"].value()

    response = client.post(
        url, {"token": token, "closes_on": _day(timezone.localdate() + timedelta(days=5))}
    )

    assert response.status_code == 200
    assert "A factual-accuracy check of this report is already open." in response.content.decode()
    assert FactualAccuracyCheck.objects.get() == check


def test_opening_a_check_of_a_published_report_is_not_found(client, inspection, inspector):
    client.force_login(inspector)

    response = client.get(reverse("workspace:check-open", args=[inspection.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("chosen", [None, "", "abc", "٣", "999999"])
def test_an_answer_to_no_comment_is_refused(client, comment, inspector, chosen):
    client.force_login(inspector)
    url = reverse("workspace:check", args=[comment.accuracy_check_id])
    token = client.get(url).context["token"]
    data = {"token": token, f"c{comment.pk}-response": FactualAccuracyResponse.ACCEPTED}
    if chosen is not None:
        data["comment"] = chosen

    response = client.post(url, data)

    assert response.status_code == 400
    assert "Choose a comment to answer." in response.content.decode()
    comment.refresh_from_db()
    assert comment.response == ""


def test_an_answer_with_a_token_that_is_not_right_is_refused(client, comment, inspector):
    client.force_login(inspector)
    url = reverse("workspace:check", args=[comment.accuracy_check_id])

    response = client.post(
        url,
        {
            "token": "x" * 20,
            "comment": comment.pk,
            f"c{comment.pk}-response": FactualAccuracyResponse.ACCEPTED,
        },
    )

    assert response.status_code == 409
    assert NOT_VALID in response.content.decode()
    comment.refresh_from_db()
    assert comment.response == "" and comment.replied_by is None


def test_an_answer_sent_twice_is_saved_once(client, comment, inspector):
    client.force_login(inspector)
    url = reverse("workspace:check", args=[comment.accuracy_check_id])
    token = client.get(url).context["token"]
    data = {
        "token": token,
        "comment": comment.pk,
        f"c{comment.pk}-response": FactualAccuracyResponse.ACCEPTED,
        f"c{comment.pk}-reply": "Corrected to 63.",
    }

    first = client.post(url, data)
    again = client.post(url, {**data, f"c{comment.pk}-reply": "Something else."})

    assert first.status_code == 302
    assert first["Location"].endswith(f"#comment-{comment.pk}")
    assert again.status_code == 409
    assert "answered the comment of Metropolitan Police Service" in again.content.decode()
    comment.refresh_from_db()
    assert comment.reply == "Corrected to 63."
    assert (
        ActionLog.objects.filter(action="recommendations.factual_accuracy_comment.answered").count()
        == 1
    )


def test_a_reply_too_long_is_refused_and_kept_on_the_page(client, comment, inspector):
    client.force_login(inspector)
    url = reverse("workspace:check", args=[comment.accuracy_check_id])
    token = client.get(url).context["token"]
    reply = "a" * (MAX_TEXT_LENGTH + 1)

    response = client.post(
        url,
        {
            "token": token,
            "comment": comment.pk,
            f"c{comment.pk}-response": FactualAccuracyResponse.ACCEPTED,
            f"c{comment.pk}-reply": reply,
        },
    )

    assert response.status_code == 200
    assert "The reply is too long" in response.content.decode()
    assert response.context["bound"]["reply"].value() == reply
    comment.refresh_from_db()
    assert comment.response == "" and comment.reply == ""


def test_closing_a_closed_check_says_it_is_closed(client, check, inspector):
    factual_accuracy_check_close(check=check, user=inspector)
    client.force_login(inspector)
    url = reverse("workspace:check", args=[check.pk])
    token = client.get(url).context["token"]

    response = client.post(reverse("workspace:check-close", args=[check.pk]), {"token": token})

    assert response.status_code == 400
    assert "This factual-accuracy check is already closed." in response.content.decode()
    assert (
        ActionLog.objects.filter(action="recommendations.factual_accuracy_check.closed").count()
        == 1
    )


def test_closing_with_a_token_that_is_not_right_leaves_the_check_open(client, check, inspector):
    client.force_login(inspector)

    response = client.post(reverse("workspace:check-close", args=[check.pk]), {"token": ""})

    assert response.status_code == 409
    assert NOT_VALID in response.content.decode()
    check.refresh_from_db()
    assert not check.is_closed
