"""The inspector workspace: the review queue, decisions, overdue lists and Engage.

Inspectors see every item (published or not); they decide only on items of reports their
inspectorate led or joined (a 403 otherwise; recommendations.policy says who). Every decision
goes through the services and so lands in the status history with who, when and why.

Decisions are made against what the person saw: each form carries the status and version it
was shown for and a one-time token (core.services). A form sent again (Back then send, a double
click, a replay) is refused with what already happened (409), as is one shown for another
status or version. Reopening a closed item is its own page and button, never a choice of the
decision form; pages with decision forms are never stored (no-store) and restore no choice
(autocomplete="off").
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError, SubmissionRefused
from core.forms import show_with
from core.services import (
    describe_time,
    submission_check,
    submission_issue,
    submission_record_outcome,
    submission_redeem,
)
from inspections.models import EngagePeriod, Organisation
from inspections.services import engage_enter, engage_leave
from recommendations import policy
from recommendations.choices import CLOSED_STATUSES, ProposalStatus, Status
from recommendations.models import (
    DueDateChange,
    DueDateProposal,
    ProgressUpdate,
    Section55Response,
    StatusChange,
    overdue_q,
)
from recommendations.services import (
    StaleEditError,
    due_date_decide,
    item_close,
    item_reopen,
    item_return,
    progress_update_withdraw,
)
from workspace import forms
from workspace.forms import (
    DecisionForm,
    DueDateDecisionForm,
    EngageEnterForm,
    EngageLeaveForm,
    ReopenForm,
    WithdrawForm,
)

PER_PAGE = 50

# What each one-time token is for (core.models.FormSubmission.purpose).
DECIDE = "workspace.decide"
REOPEN = "workspace.reopen"
DUE_DATE = "workspace.due_date"
ENGAGE_ENTER = "workspace.engage_enter"
ENGAGE_LEAVE = "workspace.engage_leave"
WITHDRAW = "workspace.withdraw_update"


def inspector_required(view, *, permission=None):
    """Anonymous people sign in first; others need to be inspectors (and, with ``permission``,
    a rule of recommendations.policy that holds for them)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not policy.is_inspector(request.user):
            raise PermissionDenied
        if permission is not None and not permission(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def engage_manager_required(view):
    """Engage is the inspectorate's own monitoring: recording it is a permission given in the
    admin (to HMICFRS inspectors), not something every inspector of a partner body may do."""
    return inspector_required(view, permission=policy.can_record_engage)


# A submission waiting longer than this for a decision is flagged in the queue.
REVIEW_TARGET_DAYS = 30


@require_safe
@inspector_required
def queue(request):
    """Submissions for closure and proposed due dates, oldest first."""
    organisation = request.GET.get("organisation", "")
    programme = request.GET.get("programme", "")
    decidable = policy.items_decidable_by(request.user)
    submissions = decidable.filter(status=Status.SUBMITTED)
    proposals = DueDateProposal.objects.filter(
        status=ProposalStatus.PENDING, item__in=decidable.values("pk")
    )
    if organisation:
        submissions = submissions.filter(organisation__slug=organisation)
        proposals = proposals.filter(item__organisation__slug=organisation)
    if programme:
        submissions = submissions.filter(finding__inspection__programme__slug=programme)
        proposals = proposals.filter(item__finding__inspection__programme__slug=programme)
    submissions = submissions.select_related(
        "finding__inspection__programme", "organisation"
    ).order_by("status_changed_at", "pk")
    proposals = proposals.select_related(
        "item__finding__inspection", "item__organisation", "proposed_by"
    ).order_by("proposed_at", "pk")
    return render(
        request,
        "workspace/queue.html",
        {
            "submissions": Paginator(submissions, PER_PAGE).get_page(request.GET.get("page")),
            "review_target_days": REVIEW_TARGET_DAYS,
            "review_overdue_before": timezone.now() - timedelta(days=REVIEW_TARGET_DAYS),
            "proposals": list(proposals[:PER_PAGE]),
            "organisations": Organisation.objects.filter(
                pk__in=decidable.filter(status=Status.SUBMITTED).values("organisation_id")
            ).order_by("name"),
            "programmes": policy.programmes_visible_to(request.user).order_by("name"),
            "chosen": {"organisation": organisation, "programme": programme},
        },
    )


def allowed_decisions(item):
    """The decisions the accept form offers for the item's status. A closed item has none: it
    is reopened through its own page."""
    if item.status == Status.SUBMITTED:
        return [
            forms.ACCEPT,
            forms.RETURN,
            forms.NOT_IMPLEMENTED,
            forms.SUPERSEDED,
            forms.NO_LONGER_RELEVANT,
        ]
    if item.status in CLOSED_STATUSES:
        return []
    return [forms.NOT_IMPLEMENTED, forms.SUPERSEDED, forms.NO_LONGER_RELEVANT]


def _item(request, pk):
    return get_object_or_404(
        policy.items_visible_to(request.user).select_related(
            "finding__inspection__programme",
            "finding__inspection__lead_inspectorate",
            "organisation",
            "superseded_by__inspection",
        ),
        pk=pk,
    )


def _token(request, purpose, obj=None):
    return submission_issue(user=request.user, purpose=purpose, obj=obj).token


def _shown_stale(post, item):
    """A StaleEditError when the form was shown for another version or status of the item."""
    seen_version = post.get("version", "")
    seen_status = post.get("status", "")
    if seen_version.isascii() and seen_version.isdigit() and int(seen_version) != item.version:
        return StaleEditError(item, int(seen_version))
    if seen_status and seen_status != item.status:
        return StaleEditError(item, item.version)
    return None


def _item_page(request, item, form=None, *, status=200):
    can_decide = policy.can_decide(request.user, item)
    allowed = allowed_decisions(item)
    if form is None and can_decide and allowed:
        form = DecisionForm(
            initial={"version": item.version, "status": item.status},
            user=request.user,
            allowed=allowed,
        )
    if form is not None and can_decide and allowed:
        show_with(form, token=_token(request, DECIDE, item))
    # The history lists the due date changes with who made each: one query, whatever their number.
    prefetch_related_objects(
        [item],
        Prefetch("due_date_changes", queryset=DueDateChange.objects.select_related("changed_by")),
    )
    return render(
        request,
        "workspace/item.html",
        {
            "item": item,
            "finding": item.finding,
            "form": form,
            "can_decide": can_decide,
            "offers_decisions": can_decide and bool(allowed),
            "can_reopen": can_decide and item.status in CLOSED_STATUSES,
            "changes": StatusChange.objects.filter(item=item)
            .select_related("changed_by")
            .order_by("-changed_at", "-pk"),
            "updates": ProgressUpdate.objects.filter(item=item)
            .select_related("author")
            .prefetch_related("evidence")
            .order_by("-written_on", "-pk"),
            "proposals": item.due_date_proposals.select_related(
                "proposed_by", "decided_by"
            ).order_by("-proposed_at"),
            "withdrawable_updates": set(
                policy.updates_withdrawable_by(request.user)
                .filter(item=item)
                .values_list("pk", flat=True)
            ),
        },
        status=status,
    )


@never_cache
@require_safe
@inspector_required
def item_detail(request, pk):
    return _item_page(request, _item(request, pk))


def _rebased(form_class, request, item, error, **kwargs):
    """The form again after a refusal (sent twice, or someone else's change): what was typed
    stays, the choice made does not (it was made against what the person saw then), and it now
    carries the item as it is."""
    item.refresh_from_db()
    data = request.POST.copy()
    data.pop("decision", None)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.errors.clear()
    form.add_error(None, str(error))
    return show_with(form, version=item.version, status=item.status)


@never_cache
@require_POST
@inspector_required
def decide(request, pk):
    item = _item(request, pk)
    if not policy.can_decide(request.user, item):
        raise PermissionDenied

    def refused(error):
        form = _rebased(
            DecisionForm, request, item, error, user=request.user, allowed=allowed_decisions(item)
        )
        return _item_page(request, item, form, status=409)

    token = request.POST.get("token", "")
    # The token and what the form was shown for are checked before the choices: the item may
    # have moved to a status where the choice made no longer exists. Nothing is saved; the
    # reason typed stays in the form.
    try:
        submission_check(token=token, user=request.user, purpose=DECIDE, obj=item)
    except SubmissionRefused as refusal:
        return refused(refusal)
    stale = _shown_stale(request.POST, item)
    if stale is not None:
        return refused(stale)
    form = DecisionForm(request.POST, user=request.user, allowed=allowed_decisions(item))
    if not form.is_valid():
        return _item_page(request, item, form)
    decision = form.cleaned_data["decision"]
    common = {
        "item": item,
        "user": request.user,
        "note": form.cleaned_data["note"],
        "expected_version": form.cleaned_data["version"],
    }
    try:
        with transaction.atomic():
            submission = submission_redeem(token=token, user=request.user, purpose=DECIDE, obj=item)
            if decision == forms.RETURN:
                item_return(**common)
            else:
                item_close(
                    outcome=forms.DECISIONS[decision][1],
                    superseded_by=form.cleaned_data.get("superseded_by")
                    if decision == forms.SUPERSEDED
                    else None,
                    **common,
                )
            submission_record_outcome(submission=submission, outcome=forms.OUTCOMES[decision])
    except (SubmissionRefused, StaleEditError) as error:
        return refused(error)
    except DomainError as error:
        form.add_error(None, str(error))
        return _item_page(request, item, form)
    messages.success(request, f"Your decision on {item.finding.reference} has been recorded.")
    return redirect("workspace:item", pk=item.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def reopen(request, pk):
    """Reopening a closed item: its own page and button, never a choice of the accept form."""
    item = _item(request, pk)
    if not policy.can_decide(request.user, item):
        raise PermissionDenied

    def page(form, status=200):
        if item.status in CLOSED_STATUSES:
            show_with(form, token=_token(request, REOPEN, item))
        return render(request, "workspace/reopen.html", {"item": item, "form": form}, status=status)

    if request.method == "GET":
        return page(ReopenForm(initial={"version": item.version, "status": item.status}))
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=REOPEN, obj=item)
    except SubmissionRefused as refusal:
        return page(_rebased(ReopenForm, request, item, refusal), 409)
    stale = _shown_stale(request.POST, item)
    if stale is not None:
        return page(_rebased(ReopenForm, request, item, stale), 409)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return page(form)
    try:
        with transaction.atomic():
            submission = submission_redeem(token=token, user=request.user, purpose=REOPEN, obj=item)
            item_reopen(
                item=item,
                user=request.user,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
            submission_record_outcome(submission=submission, outcome="reopened this")
    except (SubmissionRefused, StaleEditError) as error:
        return page(_rebased(ReopenForm, request, item, error), 409)
    except DomainError as error:
        form.add_error(None, str(error))
        return page(form)
    messages.success(request, f"{item.finding.reference} has been reopened.")
    return redirect("workspace:item", pk=item.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def withdraw_update(request, pk):
    """Withdraw a published update for a legal reason: the public then sees only a dated note
    with the reason; the original text and evidence stay for inspectors. An update of an item
    the person may not see is a 404; one they see but may not withdraw (another inspectorate's
    report, an internal or already withdrawn update) a 403, or a form error if it was withdrawn
    while the form was open."""
    update = get_object_or_404(
        ProgressUpdate.objects.filter(
            item__in=policy.items_visible_to(request.user).values("pk")
        ).select_related("item__finding__inspection", "item__organisation", "author"),
        pk=pk,
    )
    item = update.item
    if not policy.can_withdraw_update(request.user, update):
        raise PermissionDenied

    def page(form, status=200):
        show_with(form, token=_token(request, WITHDRAW, update))
        return render(
            request,
            "workspace/withdraw.html",
            {"item": item, "update": update, "form": form},
            status=status,
        )

    def refused(error):
        update.refresh_from_db()
        form = WithdrawForm(request.POST)
        form.is_valid()
        form.errors.clear()
        if isinstance(error, SubmissionRefused) and error.reason == SubmissionRefused.USED:
            # What it said is on the record once; a second copy would be a mistake.
            form = WithdrawForm()
            form.cleaned_data = {}
        form.add_error(None, str(error))
        return page(form, 409)

    if request.method == "GET":
        if not update.is_published or update.is_withdrawn:
            raise PermissionDenied
        return page(WithdrawForm())
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=WITHDRAW, obj=update)
    except SubmissionRefused as refusal:
        return refused(refusal)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return page(form)
    try:
        with transaction.atomic():
            submission = submission_redeem(
                token=token, user=request.user, purpose=WITHDRAW, obj=update
            )
            progress_update_withdraw(
                update=update, user=request.user, reason=form.cleaned_data["reason"]
            )
            submission_record_outcome(
                submission=submission, outcome="withdrew this update", result=update
            )
    except SubmissionRefused as refusal:
        return refused(refusal)
    except DomainError as error:
        form.add_error(None, str(error))
        return page(form)
    messages.success(
        request,
        f"The update of {update.written_on:%-d %B %Y} has been withdrawn. The public now sees "
        "only the date and your reason.",
    )
    return redirect("workspace:item", pk=item.pk)


def _proposal_stale(proposal):
    who = proposal.decided_by.display_name() if proposal.decided_by else "someone else"
    when = describe_time(proposal.decided_at) if proposal.decided_at else "meanwhile"
    return DomainError(
        f"This new due date was {proposal.get_status_display().lower()} by {who} on {when}, "
        "while you were looking at it, so your decision was not saved."
    )


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def decide_due_date(request, pk):
    proposal = get_object_or_404(
        DueDateProposal.objects.filter(
            item__in=policy.items_visible_to(request.user).values("pk")
        ).select_related("item__finding__inspection", "item__organisation", "decided_by"),
        pk=pk,
    )
    if not policy.can_decide(request.user, proposal.item):
        raise PermissionDenied

    def page(form, status=200):
        if proposal.status == ProposalStatus.PENDING:
            show_with(form, token=_token(request, DUE_DATE, proposal))
        return render(
            request,
            "workspace/proposal.html",
            {"proposal": proposal, "form": form},
            status=status,
        )

    def refused(error):
        proposal.refresh_from_db()
        data = request.POST.copy()
        data.pop("decision", None)
        form = DueDateDecisionForm(data)
        form.is_valid()
        form.errors.clear()
        form.add_error(None, str(error))
        return page(show_with(form, status=proposal.status), 409)

    if request.method == "GET":
        return page(DueDateDecisionForm(initial={"status": proposal.status}))
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=DUE_DATE, obj=proposal)
    except SubmissionRefused as refusal:
        return refused(refusal)
    seen = request.POST.get("status", "")
    if seen and seen != proposal.status:
        return refused(_proposal_stale(proposal))
    form = DueDateDecisionForm(request.POST)
    if not form.is_valid():
        return page(form)
    agree = form.cleaned_data["decision"] == "agree"
    try:
        with transaction.atomic():
            submission = submission_redeem(
                token=token, user=request.user, purpose=DUE_DATE, obj=proposal
            )
            due_date_decide(
                proposal=proposal, user=request.user, agree=agree, note=form.cleaned_data["note"]
            )
            submission_record_outcome(
                submission=submission,
                outcome="agreed this new due date" if agree else "refused this new due date",
            )
    except SubmissionRefused as refusal:
        return refused(refusal)
    except DomainError as error:
        form.add_error(None, str(error))
        return page(form)
    messages.success(request, "Your decision on the due date has been recorded.")
    return redirect("workspace:queue")


@require_safe
@inspector_required
def overdue(request):
    items = (
        policy.items_decidable_by(request.user)
        .filter(overdue_q())
        .select_related("finding__inspection", "organisation")
        .order_by("due_date", "pk")
    )
    responses = [
        response
        for response in Section55Response.objects.published()
        .awaited()
        .select_related("inspection", "local_policing_body")
        .order_by("inspection__published_at", "local_policing_body__name")
        if response.is_overdue()
    ]
    return render(
        request,
        "workspace/overdue.html",
        {
            "items": Paginator(items, PER_PAGE).get_page(request.GET.get("page")),
            "responses": responses,
        },
    )


@require_safe
@inspector_required
def engage(request):
    periods = EngagePeriod.objects.select_related("organisation", "inspection").order_by(
        "left_on", "-entered_on"
    )
    return render(
        request,
        "workspace/engage.html",
        {
            "current": [p for p in periods if p.left_on is None],
            "past": [p for p in periods if p.left_on is not None][:PER_PAGE],
            "can_record_engage": policy.can_record_engage(request.user),
        },
    )


def _refused_form(form_class, request, error, **shown):
    data = request.POST.copy()
    form = form_class(data)
    form.is_valid()
    form.errors.clear()
    form.add_error(None, str(error))
    return show_with(form, **shown)


@never_cache
@require_http_methods(["GET", "POST"])
@engage_manager_required
def engage_enter_view(request):
    def page(form, status=200):
        show_with(form, token=_token(request, ENGAGE_ENTER))
        return render(request, "workspace/engage_enter.html", {"form": form}, status=status)

    if request.method == "GET":
        return page(EngageEnterForm())
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=ENGAGE_ENTER)
    except SubmissionRefused as refusal:
        return page(_refused_form(EngageEnterForm, request, refusal), 409)
    form = EngageEnterForm(request.POST)
    if not form.is_valid():
        return page(form)
    organisation = form.cleaned_data["organisation"]
    try:
        with transaction.atomic():
            submission = submission_redeem(token=token, user=request.user, purpose=ENGAGE_ENTER)
            period = engage_enter(
                organisation=organisation,
                entered_on=form.cleaned_data["entered_on"],
                reasons=form.cleaned_data["reasons"],
                user=request.user,
            )
            submission_record_outcome(
                submission=submission,
                outcome=f"moved {organisation} into Engage",
                result=period,
            )
    except SubmissionRefused as refusal:
        return page(_refused_form(EngageEnterForm, request, refusal), 409)
    except DomainError as error:
        form.add_error(None, str(error))
        return page(form)
    messages.success(request, f"{organisation} is now in Engage.")
    return redirect("workspace:engage")


IN_ENGAGE = "in_engage"


@never_cache
@require_http_methods(["GET", "POST"])
@engage_manager_required
def engage_leave_view(request, pk):
    period = get_object_or_404(EngagePeriod.objects.select_related("organisation"), pk=pk)
    if request.method == "GET" and period.left_on is not None:
        raise Http404("This organisation has already left Engage.")

    def page(form, status=200):
        if period.left_on is None:
            show_with(form, token=_token(request, ENGAGE_LEAVE, period))
        context = {"period": period, "form": form}
        return render(request, "workspace/engage_leave.html", context, status=status)

    if request.method == "GET":
        return page(EngageLeaveForm(initial={"status": IN_ENGAGE}))
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=ENGAGE_LEAVE, obj=period)
    except SubmissionRefused as refusal:
        return page(_refused_form(EngageLeaveForm, request, refusal), 409)
    if period.left_on is not None:
        stale = DomainError(
            f"Someone else recorded that {period.organisation} left Engage on "
            f"{period.left_on.day} {period.left_on:%B %Y} while you were working on it, so "
            "your change was not saved."
        )
        return page(_refused_form(EngageLeaveForm, request, stale, status="left"), 409)
    form = EngageLeaveForm(request.POST)
    if not form.is_valid():
        return page(form)
    try:
        with transaction.atomic():
            submission = submission_redeem(
                token=token, user=request.user, purpose=ENGAGE_LEAVE, obj=period
            )
            engage_leave(
                organisation=period.organisation,
                left_on=form.cleaned_data["left_on"],
                reasons=form.cleaned_data["reasons"],
                user=request.user,
            )
            submission_record_outcome(
                submission=submission,
                outcome=f"recorded that {period.organisation} left Engage",
                result=period,
            )
    except SubmissionRefused as refusal:
        return page(_refused_form(EngageLeaveForm, request, refusal), 409)
    except DomainError as error:
        form.add_error(None, str(error))
        return page(form)
    messages.success(request, f"{period.organisation} has left Engage.")
    return redirect("workspace:engage")
