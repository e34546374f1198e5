"""The factual-accuracy check in the portal: the leads of the inspected organisations read the
draft report's findings and comment on each finding, or on the report as a whole, until the
check's closing day; they then read the inspectors' answers. Only the check's pages show the
draft, only to those leads (``recommendations.policy``), and only their own organisations'
comments.

The forms of the page carry one one-time token, issued when the page is shown: a comment sent
twice is saved once, and the second send says so (409).
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import DomainError, SubmissionRefused
from core.forms import show_with
from core.services import (
    submission_check,
    submission_issue,
    submission_record_outcome,
    submission_redeem,
)
from portal.forms import FactualAccuracyCommentForm
from portal.views import organisation_user_required
from recommendations import policy
from recommendations.models import report_sections
from recommendations.services import factual_accuracy_comment_add

CHECK_PAGE = "portal.factual_accuracy_check"
REPORT = "report"


@require_safe
@organisation_user_required
def checks(request):
    ours = request.user.lead_organisation_ids()
    rows = (
        policy.factual_accuracy_checks_of_leads(request.user)
        .select_related("inspection")
        .annotate(
            our_comments=Count("comments", filter=Q(comments__organisation_id__in=ours)),
        )
        .order_by("closed_at", "closes_on", "pk")
    )
    return render(request, "portal/checks.html", {"checks": rows})


def _form(organisations, prefix, label, data=None):
    return FactualAccuracyCommentForm(data, organisations=organisations, prefix=prefix, label=label)


def _check_page(request, check, *, bound=None, error=None, status=200, unsaved=""):
    """The draft's findings, the person's organisations' comments and the inspectors' answers,
    and a comment form under each finding while the check takes comments."""
    user = request.user
    organisations = policy.factual_accuracy_commenting_organisations(user, check)
    token = (
        submission_issue(user=user, purpose=CHECK_PAGE, obj=check).token if organisations else ""
    )
    comments = list(
        check.comments.filter(organisation_id__in=user.lead_organisation_ids())
        .select_related("organisation", "author", "replied_by")
        .order_by("created_at", "pk")
    )
    by_finding = {}
    for comment in comments:
        by_finding.setdefault(comment.finding_id, []).append(comment)

    def form_for(prefix, label):
        if not organisations:
            return None
        if bound is not None and bound.prefix == prefix:
            return show_with(bound, token=token)
        return _form(organisations, prefix, label)

    sections = report_sections(check.inspection)
    for section in sections:
        for finding in section["findings"]:
            finding.check_comments = by_finding.get(finding.pk, [])
            finding.comment_form = form_for(
                f"f{finding.pk}", f"Your comment on {finding.reference}"
            )
    context = {
        "check": check,
        "inspection": check.inspection,
        "sections": sections,
        "report_comments": by_finding.get(None, []),
        "report_form": form_for(REPORT, "Your comment on the report as a whole"),
        "organisations": organisations,
        "token": token,
        "error": error,
        "bound": bound,
        "unsaved": unsaved,
    }
    return render(request, "portal/check.html", context, status=status)


def _about(check, value):
    """The finding a comment is about (None for the report), or False for one not in it."""
    if value == REPORT:
        return None
    if value.isascii() and value.isdigit():
        finding = check.inspection.findings.filter(pk=value).first()
        if finding is not None:
            return finding
    return False


def _save(request, check, form, finding):
    token = request.POST.get("token", "")
    with transaction.atomic():
        submission = submission_redeem(
            token=token, user=request.user, purpose=CHECK_PAGE, obj=check
        )
        comment = factual_accuracy_comment_add(
            check=check,
            user=request.user,
            organisation=form.cleaned_data["organisation"],
            finding=finding,
            text=form.cleaned_data["text"],
        )
        submission_record_outcome(
            submission=submission, outcome="sent this comment", result=comment
        )
    return comment


@never_cache
@require_http_methods(["GET", "POST"])
@organisation_user_required
def check_detail(request, pk):
    check = get_object_or_404(
        policy.factual_accuracy_checks_of_leads(request.user).select_related("inspection"),
        pk=pk,
    )
    if request.method == "GET":
        return _check_page(request, check)
    organisations = policy.factual_accuracy_commenting_organisations(request.user, check)
    if not organisations:
        # Nothing typed is lost: the comment is shown back, for the person to send another way.
        typed = next((v for k, v in request.POST.items() if k.endswith("-text") and v), "")
        error = "This check no longer takes comments: nothing was saved."
        return _check_page(request, check, error=error, status=409, unsaved=typed)
    finding = _about(check, request.POST.get("about", ""))
    if finding is False:
        return _check_page(request, check, error="Choose a finding of this report.", status=400)
    prefix = REPORT if finding is None else f"f{finding.pk}"
    form = _form(organisations, prefix, None, request.POST)
    try:
        submission_check(
            token=request.POST.get("token", ""), user=request.user, purpose=CHECK_PAGE, obj=check
        )
    except SubmissionRefused as refusal:
        form.is_valid()
        form.errors.clear()
        form.add_error(None, str(refusal))
        return _check_page(request, check, bound=form, status=409)
    if not form.is_valid():
        return _check_page(request, check, bound=form)
    try:
        comment = _save(request, check, form, finding)
    except SubmissionRefused as refusal:
        return _check_page(request, check, error=str(refusal), status=409)
    except DomainError as error:
        form.add_error(None, str(error))
        return _check_page(request, check, bound=form)
    messages.success(request, _("Your comment is sent to the inspectors."))
    return redirect(reverse("portal:check", args=[check.pk]) + f"#comment-{comment.pk}")
