"""The organisation portal: what is addressed to a person's organisations, and reporting on it.

Every object comes through a scoped queryset: an item of another organisation is a 404,
whatever the URL or form data says; an action the person may see but not take is a 403.
Every form that writes carries the status and version it was shown for and a one-time token
(core.services): sent twice, it saves once and says what was already done (409).
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
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
from inspections.models import Inspection, Organisation
from portal.forms import (
    CorrectionForm,
    DueDateProposalForm,
    ProgressUpdateForm,
    Section55Form,
    SubmitForClosureForm,
)
from recommendations import policy
from recommendations.choices import (
    ACTIVE_STATUSES,
    FindingKind,
    ProposalStatus,
    Status,
)
from recommendations.models import (
    DueDateChange,
    ProgressUpdate,
    StatusChange,
    overdue_q,
)
from recommendations.services import (
    StaleDraftError,
    StaleEditError,
    due_date_propose,
    item_submit_with_evidence,
    progress_update_add,
    progress_update_correct,
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
        if not policy.is_organisation_user(request.user):
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


@require_safe
@organisation_user_required
def item_detail(request, pk):
    item = _item(request, pk)
    changes = StatusChange.objects.filter(item=item).select_related("changed_by")
    updates = (
        ProgressUpdate.objects.filter(item=item)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("-written_on", "-pk")
    )
    proposals = item.due_date_proposals.select_related("proposed_by", "decided_by").order_by(
        "-proposed_at"
    )
    is_lead = our_items_led(request.user).filter(pk=item.pk).exists()
    # The history lists the due date changes with who made each: one query, whatever their number.
    prefetch_related_objects(
        [item],
        Prefetch("due_date_changes", queryset=DueDateChange.objects.select_related("changed_by")),
    )
    correctable = set(
        policy.updates_correctable_by(request.user).filter(item=item).values_list("pk", flat=True)
    )
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
            "can_submit": item.is_submittable,
            "correctable_updates": correctable,
        },
    )


def _stale_post(request, item):
    """A POST built from another version or status of the item: the error to show, or None.

    Checked before anything else, so that a change made meanwhile (a colleague submitted it,
    an inspector closed it) is explained and what was typed kept, rather than refused bare.
    """
    seen_version = request.POST.get("version", "")
    seen_status = request.POST.get("status", "")
    if seen_version.isascii() and seen_version.isdigit() and int(seen_version) != item.version:
        return StaleEditError(item, int(seen_version))
    if seen_status and seen_status != item.status:
        return StaleEditError(item, item.version)
    return None


REFUSALS = (SubmissionRefused, StaleEditError, StaleDraftError)


def _refuse(form, error, *, current=None):
    """Show a refusal at the top of the form; what the person typed stays.

    After someone else's change (or a refused token) the form is rebased on ``current``, a
    dict of the version and status now: the person has seen what changed, and sending the form
    again is then their deliberate choice. A form that was already sent comes back empty: what
    it said has been saved once, and a second copy would be a mistake, not a choice.
    """
    if isinstance(error, SubmissionRefused) and error.reason == SubmissionRefused.USED:
        form = form.__class__(**_unbound_kwargs(form))
        form.cleaned_data = {}
        form.add_error(None, str(error))
        form.initial.update(current or {})
        return form, 409
    form.is_valid()
    form.add_error(None, str(error))
    if current:
        show_with(form, **{name: value for name, value in current.items() if name in form.fields})
    return form, 409 if isinstance(error, REFUSALS) else 200


def _unbound_kwargs(form):
    kwargs = {"initial": dict(form.initial)}
    if hasattr(form, "recommendations"):
        kwargs["recommendations"] = form.recommendations
    return kwargs


def _item_form(
    request,
    item,
    *,
    form_class,
    purpose,
    template,
    allowed,
    save,
    outcome,
    success,
    obj=None,
    initial=None,
    context=None,
):
    """The shape every item form shares: a form sent twice or someone else's change first
    (409, what was typed kept), then whether the action is open to this person and item (403),
    then the save through the services, in one transaction with the form's one-time token,
    whose refusals are shown on the form. The token is for ``obj`` (the item by default: a
    correction's is for the update it corrects)."""
    obj = item if obj is None else obj

    def page(form, status=200):
        token = submission_issue(user=request.user, purpose=purpose, obj=obj).token
        show_with(form, token=token)
        shown = {"item": item, "form": form, "allowed": allowed, **(context or {})}
        return render(request, template, shown, status=status)

    def current():
        item.refresh_from_db()
        return {"version": item.version, "status": item.status}

    if request.method != "POST":
        if not allowed:
            raise PermissionDenied
        shown_for = {"version": item.version, "status": item.status, **(initial or {})}
        return page(form_class(initial=shown_for))
    form = form_class(request.POST, request.FILES)
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=purpose, obj=obj)
    except SubmissionRefused as refusal:
        return page(*_refuse(form, refusal, current=current()))
    stale = _stale_post(request, item)
    if stale is not None:
        return page(*_refuse(form, stale, current=current()))
    if not allowed:
        raise PermissionDenied
    if not form.is_valid():
        return page(form)
    try:
        with transaction.atomic():
            submission = submission_redeem(token=token, user=request.user, purpose=purpose, obj=obj)
            result = save(form.cleaned_data)
            submission_record_outcome(submission=submission, outcome=outcome, result=result)
    except REFUSALS as error:
        return page(*_refuse(form, error, current=current()))
    except DomainError as error:
        return page(*_refuse(form, error))
    messages.success(request, success)
    return redirect("portal:item", pk=item.pk)


# What each one-time token is for (core.models.FormSubmission.purpose).
UPDATE = "portal.update"
DUE_DATE = "portal.due_date"
SUBMIT = "portal.submit"
CORRECT = "portal.correct"
SECTION55 = "portal.section55"


@never_cache
@require_http_methods(["GET", "POST"])
@organisation_user_required
def add_update(request, pk):
    item = _item(request, pk)
    return _item_form(
        request,
        item,
        form_class=ProgressUpdateForm,
        purpose=UPDATE,
        template="portal/update_form.html",
        allowed=item.is_active,
        save=lambda data: progress_update_add(
            item=item,
            author=request.user,
            narrative=data["narrative"],
            self_assessment=data["self_assessment"],
            publish=data["publish"],
            evidence=data["evidence"],
        ),
        outcome="saved this update",
        success=_("Your progress update has been saved."),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@organisation_user_required
def propose_due_date(request, pk):
    item = _item(request, pk)
    return _item_form(
        request,
        item,
        form_class=DueDateProposalForm,
        purpose=DUE_DATE,
        template="portal/due_date_form.html",
        allowed=item.is_active,
        save=lambda data: due_date_propose(
            item=item,
            user=request.user,
            proposed_due_date=data["proposed_due_date"],
            reason=data["reason"],
        ),
        outcome="asked for a new due date",
        success=_("Your new due date has been sent to the inspectorate."),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@organisation_user_required
def submit_for_closure(request, pk):
    item = _item(request, pk, lead=True)
    return _item_form(
        request,
        item,
        form_class=SubmitForClosureForm,
        purpose=SUBMIT,
        template="portal/submit_form.html",
        allowed=policy.can_submit(request.user, item),
        save=lambda data: item_submit_with_evidence(
            item=item,
            user=request.user,
            note=data["note"],
            evidence=data["evidence"],
            expected_version=data["version"],
        ),
        outcome="submitted this for closure",
        success=_("Submitted for closure. The inspectorate will review it."),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@organisation_user_required
def correct_update(request, item_pk, pk):
    """Correct a published update: a new published update that says what it corrects and why;
    the original stays as it was. Another organisation's update is a 404; one that may not be
    corrected (internal, withdrawn) a 403, or a form error if that changed while the form was
    open."""
    item = _item(request, item_pk)
    update = get_object_or_404(ProgressUpdate.objects.filter(item=item), pk=pk)
    allowed = policy.can_correct_update(request.user, update)
    if request.method != "POST" and not (update.is_published and not update.is_withdrawn):
        raise PermissionDenied
    return _item_form(
        request,
        item,
        form_class=CorrectionForm,
        purpose=CORRECT,
        template="portal/correction_form.html",
        allowed=allowed,
        save=lambda data: progress_update_correct(
            update=update,
            author=request.user,
            narrative=data["narrative"],
            reason=data["reason"],
            self_assessment=data["self_assessment"],
            evidence=data["evidence"],
            expected_version=data["version"],
        ),
        outcome="corrected this update",
        success=_("Your correction has been published beside the original update."),
        obj=update,
        initial={"narrative": update.narrative, "self_assessment": update.self_assessment},
        context={"update": update},
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


def _section55_status(response):
    return "published" if response.received_on is not None else "draft"


def _section55_shown(response):
    return {"version": response.version, "status": _section55_status(response)}


def _section55_initial(response, recommendations, existing):
    """The form's values: the response as saved, with its statement on each recommendation."""
    initial = {
        "version": response.version,
        "status": _section55_status(response),
        "text": response.text,
        "url": response.url,
    }
    for finding in recommendations:
        if finding.pk in existing:
            initial[f"action_{finding.pk}"] = existing[finding.pk].action
            initial[f"statement_{finding.pk}"] = existing[finding.pk].text
    return initial


def _section55_save(request, response, form, *, token, publishing):
    """Redeem the submission and save the draft, then publish it if asked, in one transaction.

    Returns the saved response and, when publishing was refused, the refusal (the draft is
    kept: the publication has its own savepoint); raises what the draft's saving raises.
    """
    published, not_published = False, None
    with transaction.atomic():
        submission = submission_redeem(
            token=token, user=request.user, purpose=SECTION55, obj=response
        )
        saved = section55_save_draft(
            response=response,
            user=request.user,
            text=form.cleaned_data["text"],
            url=form.cleaned_data["url"],
            statements=form.statements(),
            expected_version=form.cleaned_data["version"],
        )
        if publishing:
            try:
                # Its own savepoint: a refused publication keeps the draft just saved.
                with transaction.atomic():
                    saved = section55_publish(
                        response=saved, user=request.user, expected_version=saved.version
                    )
                published = True
            except DomainError as error:
                not_published = error
        submission_record_outcome(
            submission=submission,
            outcome="published this response" if published else "saved this draft",
            result=saved,
        )
    return saved, not_published


def _section55_save_or_refuse(request, response, form, *, token, publishing):
    """``_section55_save``; ``None`` when all went through, otherwise ``(form, status,
    theirs)`` for the form shown again with the refusal (``theirs``: the colleague's version
    that made the draft stale)."""
    try:
        saved, not_published = _section55_save(
            request, response, form, token=token, publishing=publishing
        )
    except StaleDraftError as error:
        # Nothing of theirs is overwritten: their version is shown beside what was typed.
        response.refresh_from_db()
        theirs = {
            "response": response,
            "statements": response.statements.select_related("finding"),
        }
        form, status = _refuse(form, error, current=_section55_shown(response))
        return form, status, theirs
    except SubmissionRefused as refusal:
        response.refresh_from_db()
        return *_refuse(form, refusal, current=_section55_shown(response)), None
    except DomainError as error:
        return *_refuse(form, error), None
    if not_published is not None:
        form, status = _refuse(form, not_published, current=_section55_shown(saved))
        form.add_error(None, _("Your draft has been saved, but it is not published yet."))
        return form, status, None
    return None


@never_cache
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
    initial = _section55_initial(response, recommendations, existing)

    def page(form, status=200, *, lead=is_lead, theirs=None):
        token = submission_issue(user=request.user, purpose=SECTION55, obj=response).token
        show_with(form, token=token)
        context = {"response": response, "form": form, "is_lead": lead, "theirs": theirs}
        return render(request, "portal/section55_form.html", context, status=status)

    def published_page(form=None, status=200):
        context = {
            "response": response,
            "statements": existing,
            "recommendations": recommendations,
            "form": form,
        }
        return render(request, "portal/section55_published.html", context, status=status)

    if request.method != "POST":
        if response.received_on is not None:
            return published_page()
        return page(Section55Form(initial=initial, recommendations=recommendations))

    publishing = "publish" in request.POST
    if publishing and not is_lead:
        raise PermissionDenied
    form = Section55Form(request.POST, initial=initial, recommendations=recommendations)
    token = request.POST.get("token", "")
    try:
        submission_check(token=token, user=request.user, purpose=SECTION55, obj=response)
    except SubmissionRefused as refusal:
        if response.received_on is not None:
            # Sent again after it was published: say what happened, on the published page.
            form.cleaned_data = {}
            form.add_error(None, str(refusal))
            return published_page(form, 409)
        return page(*_refuse(form, refusal, current=_section55_shown(response)))
    if response.received_on is not None:
        # A colleague published it meanwhile (the form was shown for a draft): say so, and
        # keep what was typed.
        form.is_valid()
        form.add_error(
            None,
            "Someone else published this response while you were working on it, so your "
            "changes were not saved. A published response cannot be changed.",
        )
        return page(form, 409, lead=False)
    if not form.is_valid():
        return page(form)
    refused = _section55_save_or_refuse(request, response, form, token=token, publishing=publishing)
    if refused is not None:
        form, status, theirs = refused
        return page(form, status, theirs=theirs)
    if publishing:
        messages.success(request, _("Your section 55 response has been published."))
    else:
        messages.success(request, _("Your draft has been saved. It is not public yet."))
    return redirect("portal:section55-edit", pk=response.pk)
