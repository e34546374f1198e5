"""The organisation portal: what is addressed to a person's organisations, and reporting on it.

Every object comes through a scoped queryset: an item of another organisation is a 404,
whatever the URL or form data says; an action the person may see but not take is a 403.
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from inspections.models import Inspection, Organisation
from inspections.services import DomainError
from portal.forms import (
    DueDateProposalForm,
    ProgressUpdateForm,
    Section55Form,
    SubmitForClosureForm,
)
from recommendations import policy
from recommendations.choices import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    FindingKind,
    ProposalStatus,
    Status,
)
from recommendations.models import (
    ProgressUpdate,
    StatusChange,
    overdue_q,
)
from recommendations.services import (
    StaleDraftError,
    StaleEditError,
    assignment_submit_with_evidence,
    due_date_propose,
    progress_update_add,
    section55_publish,
    section55_save_draft,
)

ITEMS_PER_PAGE = 50
DUE_SOON_DAYS = 30


def organisation_user_required(view):
    """Anonymous people are sent to sign in; people of no organisation are refused (403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_organisation_user:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def our_items(user):
    return policy.items_updatable_by(user)


FILTERS = {
    "status": [(s.value, s.label) for s in Status],
    "kind": list(FindingKind.choices),
    "due": [("overdue", "Overdue"), ("soon", f"Due in the next {DUE_SOON_DAYS} days")],
}


@require_safe
@organisation_user_required
def findings(request):
    """ "Our findings": everything addressed to the person's organisations, with counts."""
    today = timezone.localdate()
    items = our_items(request.user)
    soon = Q(status__in=ACTIVE_STATUSES, due_date__gte=today)
    soon &= Q(due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
    overdue = overdue_q(today)
    counts = {row["status"]: row["n"] for row in items.values("status").annotate(n=Count("pk"))}
    totals = items.aggregate(
        overdue=Count("pk", filter=overdue), soon=Count("pk", filter=soon), all=Count("pk")
    )
    inspections = list(
        Inspection.objects.filter(pk__in=items.values("finding__inspection_id")).order_by(
            "-published_at"
        )
    )

    chosen = {
        "status": [s for s in request.GET.getlist("status") if s in Status.values],
        "kind": request.GET.get("kind") if request.GET.get("kind") in FindingKind.values else "",
        "due": request.GET.get("due") if request.GET.get("due") in ("overdue", "soon") else "",
        "inspection": request.GET.get("inspection", ""),
    }
    filtered = items
    if chosen["status"]:
        filtered = filtered.filter(status__in=chosen["status"])
    if chosen["kind"]:
        filtered = filtered.filter(finding__kind=chosen["kind"])
    if chosen["due"] == "overdue":
        filtered = filtered.filter(overdue)
    elif chosen["due"] == "soon":
        filtered = filtered.filter(soon)
    if chosen["inspection"]:
        filtered = filtered.filter(finding__inspection__slug=chosen["inspection"])
    filtered = filtered.select_related("finding__inspection", "organisation").order_by(
        F("due_date").asc(nulls_last=True),
        "finding__inspection__published_at",
        "finding__position",
        "pk",
    )
    page = Paginator(filtered, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/findings.html",
        {
            "page": page,
            "counts": counts,
            "totals": totals,
            "status_options": [
                {"value": value, "label": label, "count": counts.get(value, 0)}
                for value, label in FILTERS["status"]
            ],
            "kinds": FILTERS["kind"],
            "inspections": inspections,
            "chosen": chosen,
            "organisations": Organisation.objects.filter(
                pk__in=request.user.organisation_ids()
            ).order_by("name"),
            "today": today,
            "due_soon_days": DUE_SOON_DAYS,
        },
    )


def _item(request, pk, *, lead=False):
    """The person's item, or 404; with ``lead``, 403 unless they lead its organisation."""
    item = get_object_or_404(
        our_items(request.user).select_related(
            "finding__inspection__programme", "finding__cause_of_concern", "organisation"
        ),
        pk=pk,
    )
    if lead and not our_items_led(request.user).filter(pk=item.pk).exists():
        raise PermissionDenied
    return item


def our_items_led(user):
    return policy.items_submittable_by(user)


def _can_submit(item):
    return Status.SUBMITTED in TRANSITIONS[Status(item.status)]


@require_safe
@organisation_user_required
def item_detail(request, pk):
    item = _item(request, pk)
    changes = StatusChange.objects.filter(assignment=item).select_related("changed_by")
    updates = (
        ProgressUpdate.objects.filter(assignment=item)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("-written_on", "-pk")
    )
    proposals = item.due_date_proposals.select_related("proposed_by", "decided_by").order_by(
        "-proposed_at"
    )
    is_lead = our_items_led(request.user).filter(pk=item.pk).exists()
    return render(
        request,
        "portal/item.html",
        {
            "item": item,
            "finding": item.finding,
            "changes": changes.order_by("-changed_at", "-pk"),
            "updates": updates,
            "proposals": proposals,
            "pending_proposal": next(
                (p for p in proposals if p.status == ProposalStatus.PENDING), None
            ),
            "is_lead": is_lead,
            "can_submit": _can_submit(item),
        },
    )


def _stale_post(request, item):
    """A POST built from an older version of the item: the error to show, or None.

    Checked before anything else, so that a change made meanwhile (a colleague submitted it,
    an inspector closed it) is explained and what was typed kept, rather than refused bare.
    """
    seen = request.POST.get("version", "")
    if request.method == "POST" and seen.isdigit() and int(seen) != item.version:
        return StaleEditError(item, int(seen))
    return None


def _refuse(form, error, *, current_version=None):
    """Show a domain error at the top of the form; what the person typed stays.

    After someone else's change the form is rebased on the current version: the person has seen
    what changed, and sending the form again is then their deliberate choice.
    """
    form.add_error(None, str(error))
    if current_version is not None and "version" in form.fields:
        form.data = form.data.copy()
        form.data["version"] = current_version
    return 409 if isinstance(error, StaleEditError | StaleDraftError) else 200


def _item_form(request, item, *, form, template, allowed, save, success):
    """The shape every item form shares: someone else's change first (409, what was typed
    kept), then whether the action is open to this person and item (403), then the save
    through the services, whose refusals are shown on the form."""
    stale = _stale_post(request, item)
    if stale is not None:
        form.is_valid()
        status = _refuse(form, stale, current_version=item.version)
        return render(request, template, {"item": item, "form": form}, status=status)
    if not allowed:
        raise PermissionDenied
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except StaleEditError as error:
            status = _refuse(form, error, current_version=error.assignment.version)
        except DomainError as error:
            status = _refuse(form, error)
        else:
            messages.success(request, success)
            return redirect("portal:item", pk=item.pk)
    return render(request, template, {"item": item, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@organisation_user_required
def add_update(request, pk):
    item = _item(request, pk)
    return _item_form(
        request,
        item,
        form=ProgressUpdateForm(
            request.POST or None, request.FILES or None, initial={"version": item.version}
        ),
        template="portal/update_form.html",
        allowed=item.is_active,
        save=lambda data: progress_update_add(
            assignment=item,
            author=request.user,
            narrative=data["narrative"],
            self_assessment=data["self_assessment"],
            publish=data["publish"],
            evidence=data["evidence"],
        ),
        success="Your progress update has been saved.",
    )


@require_http_methods(["GET", "POST"])
@organisation_user_required
def propose_due_date(request, pk):
    item = _item(request, pk)
    return _item_form(
        request,
        item,
        form=DueDateProposalForm(request.POST or None, initial={"version": item.version}),
        template="portal/due_date_form.html",
        allowed=item.is_active,
        save=lambda data: due_date_propose(
            assignment=item,
            user=request.user,
            proposed_due_date=data["proposed_due_date"],
            reason=data["reason"],
        ),
        success="Your new due date has been sent to the inspectorate.",
    )


@require_http_methods(["GET", "POST"])
@organisation_user_required
def submit_for_closure(request, pk):
    item = _item(request, pk, lead=True)
    return _item_form(
        request,
        item,
        form=SubmitForClosureForm(
            request.POST or None, request.FILES or None, initial={"version": item.version}
        ),
        template="portal/submit_form.html",
        allowed=_can_submit(item),
        save=lambda data: assignment_submit_with_evidence(
            assignment=item,
            user=request.user,
            note=data["note"],
            evidence=data["evidence"],
            expected_version=data["version"],
        ),
        success="Submitted for closure. The inspectorate will review it.",
    )


@require_safe
def evidence_download(request, pk):
    """An evidence file, for the addressee's people and inspectors only; never public."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    evidence = get_object_or_404(policy.evidence_visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Section 55 ------------------------------------------------------------------------------


def our_responses(user, *, lead=False):
    return policy.section55_responses_of(user, lead=lead)


@require_safe
@organisation_user_required
def section55_list(request):
    responses = list(
        our_responses(request.user)
        .select_related("inspection", "local_policing_body")
        .order_by(F("received_on").asc(nulls_first=True), "-inspection__published_at")
    )
    return render(
        request,
        "portal/section55_list.html",
        {"responses": responses, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@organisation_user_required
def section55_edit(request, pk):
    response = get_object_or_404(
        our_responses(request.user).select_related("inspection", "local_policing_body"), pk=pk
    )
    is_lead = our_responses(request.user, lead=True).filter(pk=response.pk).exists()
    recommendations = list(
        response.inspection.findings.filter(kind=FindingKind.RECOMMENDATION).order_by(
            "position", "reference"
        )
    )
    existing = {s.finding_id: s for s in response.statements.all()}
    initial = {"version": response.version, "text": response.text, "url": response.url}
    for finding in recommendations:
        if finding.pk in existing:
            initial[f"action_{finding.pk}"] = existing[finding.pk].action
            initial[f"statement_{finding.pk}"] = existing[finding.pk].text
    if response.received_on is not None:
        if request.method == "POST":
            # A colleague published it meanwhile: say so, and keep what was typed.
            form = Section55Form(request.POST, initial=initial, recommendations=recommendations)
            form.is_valid()
            form.add_error(
                None,
                "Someone else published this response while you were working on it, so your "
                "changes were not saved. A published response cannot be changed.",
            )
            return render(
                request,
                "portal/section55_form.html",
                {"response": response, "form": form, "is_lead": False, "theirs": None},
                status=409,
            )
        return render(
            request,
            "portal/section55_published.html",
            {"response": response, "statements": existing, "recommendations": recommendations},
        )
    publishing = request.method == "POST" and "publish" in request.POST
    if publishing and not is_lead:
        raise PermissionDenied
    form = Section55Form(request.POST or None, initial=initial, recommendations=recommendations)
    status, theirs = 200, None
    if request.method == "POST" and form.is_valid():
        saved = None
        try:
            saved = section55_save_draft(
                response=response,
                user=request.user,
                text=form.cleaned_data["text"],
                url=form.cleaned_data["url"],
                statements=form.statements(),
                expected_version=form.cleaned_data["version"],
            )
            if publishing:
                section55_publish(response=saved, user=request.user, expected_version=saved.version)
        except StaleDraftError as error:
            # Nothing of theirs is overwritten: their version is shown beside what was typed.
            response.refresh_from_db()
            theirs = {
                "response": response,
                "statements": response.statements.select_related("finding"),
            }
            status = _refuse(form, error, current_version=response.version)
        except DomainError as error:
            status = _refuse(form, error, current_version=saved.version if saved else None)
            if saved is not None:
                form.add_error(None, "Your draft has been saved, but it is not published yet.")
        else:
            if publishing:
                messages.success(request, "Your section 55 response has been published.")
            else:
                messages.success(request, "Your draft has been saved. It is not public yet.")
            return redirect("portal:section55-edit", pk=response.pk)
    return render(
        request,
        "portal/section55_form.html",
        {"response": response, "form": form, "is_lead": is_lead, "theirs": theirs},
        status=status,
    )
