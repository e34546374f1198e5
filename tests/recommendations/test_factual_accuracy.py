"""The factual-accuracy check's services: who may open, comment, answer and close, and when."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, User
from audit.models import ActionLog
from core.errors import DomainError
from recommendations.choices import FactualAccuracyResponse
from recommendations.models import FactualAccuracyComment
from recommendations.services import (
    NotAllowed,
    factual_accuracy_check_close,
    factual_accuracy_check_open,
    factual_accuracy_comment_add,
    factual_accuracy_comment_answer,
)


def test_lead_inspector_opens_a_check_and_it_is_logged(check, draft, inspector):
    assert check.inspection == draft and check.opened_by == inspector and not check.is_closed
    assert ActionLog.objects.filter(
        action="recommendations.factual_accuracy_check.opened", object_id=str(check.pk)
    ).exists()


def test_a_second_open_check_is_refused(check, draft, inspector):
    with pytest.raises(DomainError, match="already open"):
        factual_accuracy_check_open(
            inspection=draft, user=inspector, closes_on=timezone.localdate()
        )


def test_the_database_refuses_two_open_checks_of_one_report(check, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(check).objects.create(inspection=draft, closes_on=check.closes_on)


def test_a_closing_date_in_the_past_is_refused(draft, inspector):
    with pytest.raises(DomainError, match="today or later"):
        factual_accuracy_check_open(
            inspection=draft, user=inspector, closes_on=timezone.localdate() - timedelta(days=1)
        )


def test_no_check_of_a_published_report(inspection, inspector):
    with pytest.raises(NotAllowed):
        factual_accuracy_check_open(
            inspection=inspection, user=inspector, closes_on=timezone.localdate()
        )


def test_a_partner_inspector_does_not_open_the_check(draft, cqc, cqc_inspector):
    draft.partner_inspectorates.add(cqc)
    with pytest.raises(NotAllowed):
        factual_accuracy_check_open(
            inspection=draft, user=cqc_inspector, closes_on=timezone.localdate()
        )


def test_the_lead_of_the_inspected_body_comments_on_a_finding_and_on_the_report(
    check, met, met_lead
):
    afi = check.inspection.findings.get()
    on_finding = factual_accuracy_comment_add(
        check=check, user=met_lead, organisation=met, finding=afi, text="  It was 63 cases. "
    )
    on_report = factual_accuracy_comment_add(
        check=check, user=met_lead, organisation=met, text="The title is wrong."
    )
    assert on_finding.text == "It was 63 cases." and on_finding.finding == afi
    assert on_report.finding is None
    assert (
        ActionLog.objects.filter(action="recommendations.factual_accuracy_comment.added").count()
        == 2
    )


def test_a_member_who_is_not_a_lead_does_not_comment(check, met, met_user):
    with pytest.raises(NotAllowed):
        factual_accuracy_comment_add(check=check, user=met_user, organisation=met, text="x")


def test_a_lead_of_a_body_outside_the_check_does_not_comment(check, kent, met):
    kent_lead = User.objects.create_user(username="kent-lead")
    Membership.objects.create(user=kent_lead, organisation=kent, is_lead=True)
    for organisation in (kent, met):
        with pytest.raises(NotAllowed):
            factual_accuracy_comment_add(
                check=check, user=kent_lead, organisation=organisation, text="x"
            )


def test_no_comment_after_the_closing_day_or_once_closed(check, met, met_lead, inspector):
    type(check).objects.filter(pk=check.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )
    check.refresh_from_db()
    with pytest.raises(DomainError, match="no longer taken"):
        factual_accuracy_comment_add(check=check, user=met_lead, organisation=met, text="Late")
    type(check).objects.filter(pk=check.pk).update(closes_on=timezone.localdate())
    factual_accuracy_check_close(check=check, user=inspector)
    with pytest.raises(DomainError, match="no longer taken"):
        factual_accuracy_comment_add(check=check, user=met_lead, organisation=met, text="Late")


def test_a_finding_of_another_report_is_refused(check, met, met_lead, recommendation):
    with pytest.raises(DomainError, match="not part of this report"):
        factual_accuracy_comment_add(
            check=check, user=met_lead, organisation=met, finding=recommendation, text="x"
        )


def test_an_empty_comment_is_refused(check, met, met_lead):
    with pytest.raises(DomainError, match="Enter your comment"):
        factual_accuracy_comment_add(check=check, user=met_lead, organisation=met, text="   ")


def test_inspectors_of_lead_and_partner_answer_others_do_not(
    check, met, met_lead, inspector, cqc, cqc_inspector
):
    comment = factual_accuracy_comment_add(
        check=check, user=met_lead, organisation=met, text="Wrong figure."
    )
    with pytest.raises(NotAllowed):
        factual_accuracy_comment_answer(
            comment=comment, user=cqc_inspector, response=FactualAccuracyResponse.ACCEPTED
        )
    with pytest.raises(NotAllowed):
        factual_accuracy_comment_answer(
            comment=comment, user=met_lead, response=FactualAccuracyResponse.ACCEPTED
        )
    check.inspection.partner_inspectorates.add(cqc)
    answered = factual_accuracy_comment_answer(
        comment=comment, user=cqc_inspector, response=FactualAccuracyResponse.ACCEPTED
    )
    assert answered.is_answered and answered.replied_by == cqc_inspector
    changed = factual_accuracy_comment_answer(
        comment=comment,
        user=inspector,
        response=FactualAccuracyResponse.NOT_ACCEPTED,
        reply="The figure is from the force's own data.",
    )
    assert changed.response == FactualAccuracyResponse.NOT_ACCEPTED
    assert (
        ActionLog.objects.filter(action="recommendations.factual_accuracy_comment.answered").count()
        == 2
    )


def test_not_accepted_needs_a_reply(check, met, met_lead, inspector):
    comment = factual_accuracy_comment_add(
        check=check, user=met_lead, organisation=met, text="Wrong figure."
    )
    with pytest.raises(DomainError, match="Say why"):
        factual_accuracy_comment_answer(
            comment=comment, user=inspector, response=FactualAccuracyResponse.NOT_ACCEPTED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FactualAccuracyComment.objects.filter(pk=comment.pk).update(
            response=FactualAccuracyResponse.NOT_ACCEPTED, replied_at=timezone.now()
        )


def test_only_the_lead_inspectorate_closes_and_only_once(check, cqc, cqc_inspector, inspector):
    check.inspection.partner_inspectorates.add(cqc)
    with pytest.raises(NotAllowed):
        factual_accuracy_check_close(check=check, user=cqc_inspector)
    closed = factual_accuracy_check_close(check=check, user=inspector)
    assert closed.is_closed and closed.closed_by == inspector
    with pytest.raises(DomainError, match="already closed"):
        factual_accuracy_check_close(check=check, user=inspector)
