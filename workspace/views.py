"""The inspector workspace: the review queue, decisions, overdue lists and Engage.

Inspectors see every item (published or not); they decide only on items of reports their
inspectorate led or joined (a 403 otherwise). Every decision goes through the services and so
lands in the status history with who, when and why.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from inspections.models import EngagePeriod, Organisation
from inspections.services import DomainError, engage_enter, engage_leave
from recommendations import policy
from recommendations.choices import CLOSED_STATUSES, ProposalStatus, Status
from recommendations.models import (
    DueDateProposal,
    ProgressUpdate,
    Section55Response,
    StatusChange,
    overdue_q,
)
from recommendations.services import (
    StaleEditError,
    assignment_close,
    assignment_reopen,
    assignment_return,
    due_date_decide,
)
from workspace import forms
from workspace.forms import DecisionForm, DueDateDecisionForm, EngageEnterForm, EngageLeaveForm

PER_PAGE = 50


def inspector_required(view, *, permission=None):
    """Anonymous people sign in first; others need to be inspectors (and hold ``permission``)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_inspector:
            raise PermissionDenied
        if permission and not request.user.has_perm(permission):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def engage_manager_required(view):
    """Engage is the inspectorate's own monitoring: recording it is a permission given in the
    admin (to HMICFRS inspectors), not something every inspector of a partner body may do."""
    return inspector_required(view, permission="inspections.change_engageperiod")


@require_safe
@inspector_required
def queue(request):
    """Submissions for closure and proposed due dates, oldest first."""
    organisation = request.GET.get("organisation", "")
    programme = request.GET.get("programme", "")
    decidable = policy.items_decidable_by(request.user)
    submissions = decidable.filter(status=Status.SUBMITTED)
    proposals = DueDateProposal.objects.filter(
        status=ProposalStatus.PENDING, assignment__in=decidable.values("pk")
    )
    if organisation:
        submissions = submissions.filter(organisation__slug=organisation)
        proposals = proposals.filter(assignment__organisation__slug=organisation)
    if programme:
        submissions = submissions.filter(finding__inspection__programme__slug=programme)
        proposals = proposals.filter(assignment__finding__inspection__programme__slug=programme)
    submissions = submissions.select_related(
        "finding__inspection__programme", "organisation"
    ).order_by("status_changed_at", "pk")
    proposals = proposals.select_related(
        "assignment__finding__inspection", "assignment__organisation", "proposed_by"
    ).order_by("proposed_at", "pk")
    return render(
        request,
        "workspace/queue.html",
        {
            "submissions": Paginator(submissions, PER_PAGE).get_page(request.GET.get("page")),
            "proposals": list(proposals[:PER_PAGE]),
            "organisations": Organisation.objects.filter(
                pk__in=decidable.filter(status=Status.SUBMITTED).values("organisation_id")
            ).order_by("name"),
            "programmes": policy.programmes_visible_to(request.user).order_by("name"),
            "chosen": {"organisation": organisation, "programme": programme},
        },
    )


def allowed_decisions(item):
    if item.status == Status.SUBMITTED:
        return [
            forms.ACCEPT,
            forms.RETURN,
            forms.NOT_IMPLEMENTED,
            forms.SUPERSEDED,
            forms.NO_LONGER_RELEVANT,
        ]
    if item.status in CLOSED_STATUSES:
        return [forms.REOPEN]
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


def _can_decide(user, item):
    return policy.can_decide(user, item)


def _item_page(request, item, form, *, status=200):
    return render(
        request,
        "workspace/item.html",
        {
            "item": item,
            "finding": item.finding,
            "form": form,
            "can_decide": _can_decide(request.user, item),
            "changes": StatusChange.objects.filter(assignment=item)
            .select_related("changed_by")
            .order_by("-changed_at", "-pk"),
            "updates": ProgressUpdate.objects.filter(assignment=item)
            .select_related("author")
            .prefetch_related("evidence")
            .order_by("-written_on", "-pk"),
            "proposals": item.due_date_proposals.select_related(
                "proposed_by", "decided_by"
            ).order_by("-proposed_at"),
        },
        status=status,
    )


@require_safe
@inspector_required
def item_detail(request, pk):
    item = _item(request, pk)
    form = DecisionForm(initial={"version": item.version}, allowed=allowed_decisions(item))
    return _item_page(request, item, form)


def _stale(request, item, form, error):
    item.refresh_from_db()
    form = DecisionForm(request.POST.copy(), allowed=allowed_decisions(item))
    form.data["version"] = item.version
    form.is_valid()
    form.errors.clear()
    form.add_error(None, str(error))
    return _item_page(request, item, form, status=409)


@require_POST
@inspector_required
def decide(request, pk):
    item = _item(request, pk)
    if not _can_decide(request.user, item):
        raise PermissionDenied
    form = DecisionForm(request.POST, allowed=allowed_decisions(item))
    seen = request.POST.get("version", "")
    if seen.isdigit() and int(seen) != item.version:
        # Checked before the choices: the item may have moved to a status where the choice
        # made no longer exists. Nothing is saved; the reason typed stays in the form.
        return _stale(request, item, form, StaleEditError(item, int(seen)))
    if not form.is_valid():
        return _item_page(request, item, form)
    decision = form.cleaned_data["decision"]
    common = {
        "assignment": item,
        "user": request.user,
        "note": form.cleaned_data["note"],
        "expected_version": form.cleaned_data["version"],
    }
    try:
        if decision == forms.RETURN:
            assignment_return(**common)
        elif decision == forms.REOPEN:
            assignment_reopen(**common)
        else:
            assignment_close(
                outcome=forms.DECISIONS[decision][1],
                superseded_by=form.cleaned_data.get("superseded_by")
                if decision == forms.SUPERSEDED
                else None,
                **common,
            )
    except StaleEditError as error:
        return _stale(request, item, form, error)
    except DomainError as error:
        form.add_error(None, str(error))
        return _item_page(request, item, form)
    messages.success(request, f"Your decision on {item.finding.reference} has been recorded.")
    return redirect("workspace:item", pk=item.pk)


@require_http_methods(["GET", "POST"])
@inspector_required
def decide_due_date(request, pk):
    proposal = get_object_or_404(
        DueDateProposal.objects.filter(
            assignment__in=policy.items_visible_to(request.user).values("pk")
        ).select_related("assignment__finding__inspection", "assignment__organisation"),
        pk=pk,
    )
    if not _can_decide(request.user, proposal.assignment):
        raise PermissionDenied
    form = DueDateDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            due_date_decide(
                proposal=proposal,
                user=request.user,
                agree=form.cleaned_data["decision"] == "agree",
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your decision on the due date has been recorded.")
            return redirect("workspace:queue")
    return render(request, "workspace/proposal.html", {"proposal": proposal, "form": form})


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
        },
    )


@require_http_methods(["GET", "POST"])
@engage_manager_required
def engage_enter_view(request):
    form = EngageEnterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engage_enter(
                organisation=form.cleaned_data["organisation"],
                entered_on=form.cleaned_data["entered_on"],
                reasons=form.cleaned_data["reasons"],
                user=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{form.cleaned_data['organisation']} is now in Engage.")
            return redirect("workspace:engage")
    return render(request, "workspace/engage_enter.html", {"form": form})


@require_http_methods(["GET", "POST"])
@engage_manager_required
def engage_leave_view(request, pk):
    period = get_object_or_404(
        EngagePeriod.objects.select_related("organisation"), pk=pk, left_on__isnull=True
    )
    form = EngageLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engage_leave(
                organisation=period.organisation,
                left_on=form.cleaned_data["left_on"],
                reasons=form.cleaned_data["reasons"],
                user=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{period.organisation} has left Engage.")
            return redirect("workspace:engage")
    return render(request, "workspace/engage_leave.html", {"period": period, "form": form})
