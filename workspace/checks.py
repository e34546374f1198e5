"""The factual-accuracy check in the workspace: an inspector of the lead inspectorate shares
the draft report with the leads of the inspected organisations until a closing day; inspectors
of the lead and partner inspectorates read the comments beside the findings and answer each
one, accepted or not, with a reply. Who may do what is ``recommendations.policy``'s; every
write goes through ``recommendations.services``.

All forms of a check's page carry one one-time token, issued when the page is shown: a form
sent twice (a double click, Back then send) is refused with what the first one did (409).
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError, SubmissionRefused
from core.forms import show_with
from core.services import (
    submission_check,
    submission_issue,
    submission_record_outcome,
    submission_redeem,
)
from recommendations import policy
from recommendations.models import report_sections
from recommendations.services import (
    factual_accuracy_check_close,
    factual_accuracy_check_open,
    factual_accuracy_comment_answer,
)
from workspace.forms import FactualAccuracyAnswerForm, FactualAccuracyOpenForm
from workspace.views import inspector_required

OPEN = "workspace.factual_accuracy_open"
CHECK_PAGE = "workspace.factual_accuracy_check"

# Ten working days, roughly: what the inspectorates usually give.
DEFAULT_CHECK_DAYS = 14


@require_safe
@inspector_required
def checks(request):
    """The unpublished reports the person works on, with their checks."""
    user = request.user
    reports = (
        policy.inspections_editable_by(user)
        .unpublished()
        .select_related("lead_inspectorate")
        .order_by("title")
    )
    all_checks = (
        policy.factual_accuracy_checks_answerable_by(user)
        .select_related("inspection")
        .annotate(
            comment_count=Count("comments"),
            unanswered=Count("comments", filter=Q(comments__response="")),
        )
        .order_by("-opened_at", "pk")
    )
    open_report_ids = {c.inspection_id for c in all_checks if c.closed_at is None}
    openable = [
        report
        for report in reports
        if report.pk not in open_report_ids and policy.can_open_factual_accuracy_check(user, report)
    ]
    return render(
        request,
        "workspace/checks.html",
        {"checks": all_checks, "openable": openable},
    )


def _refused(form, error):
    form.errors.clear()
    form.add_error(None, str(error))
    return form


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def check_open(request, pk):
    inspection = get_object_or_404(
        policy.inspections_editable_by(request.user).unpublished(), pk=pk
    )
    if not policy.can_open_factual_accuracy_check(request.user, inspection):
        raise PermissionDenied

    def page(form, status=200):
        token = submission_issue(user=request.user, purpose=OPEN, obj=inspection).token
        show_with(form, token=token)
        context = {"inspection": inspection, "form": form}
        return render(request, "workspace/check_open.html", context, status=status)

    if request.method == "GET":
        closes_on = timezone.localdate() + timedelta(days=DEFAULT_CHECK_DAYS)
        return page(FactualAccuracyOpenForm(initial={"closes_on": closes_on.strftime("%d/%m/%Y")}))
    form = FactualAccuracyOpenForm(request.POST)
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=OPEN, obj=inspection)
    except SubmissionRefused as refusal:
        form.is_valid()
        return page(_refused(form, refusal), 409)
    if not form.is_valid():
        return page(form)
    try:
        with transaction.atomic():
            submission = submission_redeem(
                token=token, user=request.user, purpose=OPEN, obj=inspection
            )
            check = factual_accuracy_check_open(
                inspection=inspection,
                user=request.user,
                closes_on=form.cleaned_data["closes_on"],
            )
            submission_record_outcome(
                submission=submission, outcome="opened the factual-accuracy check", result=check
            )
    except SubmissionRefused as refusal:
        return page(_refused(form, refusal), 409)
    except DomainError as error:
        form.add_error("closes_on", str(error))
        return page(form)
    messages.success(
        request,
        f"The draft is shared with the leads of the inspected organisations until "
        f"{check.closes_on.day} {check.closes_on:%B %Y}.",
    )
    return redirect("workspace:check", pk=check.pk)


def _check_page(request, check, *, bound=None, error=None, status=200):
    """The findings of the draft with each one's comments beside it; ``bound`` is the answer
    form just sent (shown with its errors, keeping what was typed)."""
    token = submission_issue(user=request.user, purpose=CHECK_PAGE, obj=check).token
    comments = list(
        check.comments.select_related("organisation", "author", "replied_by", "finding").order_by(
            "created_at", "pk"
        )
    )
    for comment in comments:
        if bound is not None and bound.prefix == f"c{comment.pk}":
            comment.form = show_with(bound, token=token)
        else:
            initial = {"response": comment.response, "reply": comment.reply, "token": token}
            comment.form = FactualAccuracyAnswerForm(prefix=f"c{comment.pk}", initial=initial)
    by_finding = {}
    for comment in comments:
        by_finding.setdefault(comment.finding_id, []).append(comment)
    sections = report_sections(check.inspection)
    for section in sections:
        for finding in section["findings"]:
            finding.check_comments = by_finding.get(finding.pk, [])
    context = {
        "check": check,
        "inspection": check.inspection,
        "sections": sections,
        "report_comments": by_finding.get(None, []),
        "comment_count": len(comments),
        "unanswered": sum(1 for c in comments if not c.is_answered),
        "token": token,
        "error": error,
        "bound": bound,
        "can_close": policy.can_close_factual_accuracy_check(request.user, check),
    }
    return render(request, "workspace/check.html", context, status=status)


def _answer(request, check, comment, form):
    token = request.POST.get("token", "")
    with transaction.atomic():
        submission = submission_redeem(
            token=token, user=request.user, purpose=CHECK_PAGE, obj=check
        )
        factual_accuracy_comment_answer(
            comment=comment,
            user=request.user,
            response=form.cleaned_data["response"],
            reply=form.cleaned_data["reply"],
        )
        submission_record_outcome(
            submission=submission,
            outcome=f"answered the comment of {comment.organisation}",
            result=comment,
        )


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def check_detail(request, pk):
    check = get_object_or_404(
        policy.factual_accuracy_checks_answerable_by(request.user).select_related("inspection"),
        pk=pk,
    )
    if request.method == "GET":
        return _check_page(request, check)
    chosen = request.POST.get("comment", "")
    comment = None
    if chosen.isascii() and chosen.isdigit():
        comment = check.comments.select_related("organisation").filter(pk=chosen).first()
    if comment is None:
        return _check_page(request, check, error="Choose a comment to answer.", status=400)
    form = FactualAccuracyAnswerForm(request.POST, prefix=f"c{comment.pk}")
    try:
        submission_check(
            token=request.POST.get("token", ""), user=request.user, purpose=CHECK_PAGE, obj=check
        )
    except SubmissionRefused as refusal:
        return _check_page(request, check, error=str(refusal), status=409)
    if not form.is_valid():
        return _check_page(request, check, bound=form)
    try:
        _answer(request, check, comment, form)
    except SubmissionRefused as refusal:
        return _check_page(request, check, error=str(refusal), status=409)
    except DomainError as error:
        form.add_error(None, str(error))
        return _check_page(request, check, bound=form)
    messages.success(request, f"Your answer to the comment of {comment.organisation} is saved.")
    return redirect(reverse("workspace:check", args=[check.pk]) + f"#comment-{comment.pk}")


@require_POST
@inspector_required
def check_close(request, pk):
    check = get_object_or_404(
        policy.factual_accuracy_checks_answerable_by(request.user).select_related("inspection"),
        pk=pk,
    )
    if not policy.can_close_factual_accuracy_check(request.user, check) and check.closed_at is None:
        raise PermissionDenied
    token = request.POST.get("token", "")
    try:
        with transaction.atomic():
            submission = submission_redeem(
                token=token, user=request.user, purpose=CHECK_PAGE, obj=check
            )
            factual_accuracy_check_close(check=check, user=request.user)
            submission_record_outcome(
                submission=submission, outcome="closed the factual-accuracy check", result=check
            )
    except SubmissionRefused as refusal:
        return _check_page(request, check, error=str(refusal), status=409)
    except DomainError as error:
        return _check_page(request, check, error=str(error), status=400)
    messages.success(request, "The check is closed: the organisations can no longer comment.")
    return redirect("workspace:check", pk=check.pk)
