"""The report editor (``/workspace/reports/``): inspectors write a draft report, its causes of
concern and findings, check it against the pre-publication checklist and schedule it.

Who may is ``recommendations.policy``: the drafts of the reports their inspectorate leads or
joins (``drafts_editable_by``); only the lead schedules (``can_schedule_publication``). Any
other draft answers 404, as one that does not exist. Every change goes through a service
(``inspections.services``, ``recommendations.services``, ``recommendations.publication``),
which checks and logs it. Pasting findings and the file import are the imports app's
(``imports/views.py``): another way into the same editor.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError, SubmissionRefused
from core.forms import show_with
from core.services import submission_check, submission_record_outcome, submission_redeem
from inspections.models import Organisation
from inspections.services import (
    inspection_create,
    inspection_set_key_figures,
    inspection_set_parties,
    inspection_update,
)
from recommendations import policy
from recommendations.choices import Channel, FindingKind, Status
from recommendations.models import CauseOfConcern, Finding
from recommendations.publication import (
    ChecklistProblems,
    editor_findings,
    inspection_schedule_publication,
    publication_checklist,
)
from recommendations.services import (
    cause_of_concern_create,
    cause_of_concern_delete,
    cause_of_concern_update,
    check_reference_free,
    finding_add_addressees,
    finding_create,
    finding_delete,
    finding_move,
    finding_remove_addressee,
    finding_replace_addressee,
    findings_renumber,
    findings_update,
    item_close,
)
from workspace import report_forms as rf
from workspace.views import _token, inspector_required

SCHEDULE = "workspace.report_schedule"
CANCEL = "workspace.report_cancel"
EDITED_IN = "edited in the report editor"
# The session key of findings pasted on the new-report page, waiting for their preview.
PASTED = "workspace.pasted.{pk}"


def _draft(request, pk):
    return get_object_or_404(
        policy.drafts_editable_by(request.user).select_related("programme", "lead_inspectorate"),
        pk=pk,
    )


def _in_editor(request, pk):
    """A draft, or a published report opened for corrections."""
    return get_object_or_404(
        policy.reports_in_editor(request.user).select_related("programme", "lead_inspectorate"),
        pk=pk,
    )


def _editor_url(inspection, anchor=""):
    url = reverse("workspace:report", args=[inspection.pk])
    return f"{url}#{anchor}" if anchor else url


@require_safe
@inspector_required
def reports(request):
    """The drafts the person may edit, newest first, with their finding counts."""
    drafts = (
        policy.drafts_editable_by(request.user)
        .select_related("programme", "lead_inspectorate")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-created_at", "pk")
    )
    published = (
        policy.reports_in_editor(request.user)
        .published()
        .select_related("lead_inspectorate")
        .order_by("-published_at", "pk")[:20]
    )
    return render(
        request, "workspace/reports/list.html", {"drafts": drafts, "published": published}
    )


FOUND_PER_PAGE = 20


@require_safe
@inspector_required
def report_search(request):
    """Every report the person may open in the editor (``policy.reports_in_editor``: drafts
    and published reports to correct), found by words of the title, slug or an inspected
    organisation; a GET form, so it works without JavaScript and its results can be linked."""
    form = rf.ReportSearchForm(request.GET)
    found = form.filter(
        policy.reports_in_editor(request.user)
        .select_related("lead_inspectorate")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.order_by("name")))
        # Drafts not yet scheduled first, then the latest (to be) published.
        .order_by(F("published_at").desc(nulls_first=True), "-created_at", "pk")
    )
    paginator = Paginator(found, FOUND_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/reports/search.html",
        {
            "form": form,
            "page": page,
            "paginator": paginator,
            "reports": list(page.object_list),
            "query": form.cleaned_data.get("q", "") if form.is_valid() else "",
            "page_numbers": [
                None if number == paginator.ELLIPSIS else number
                for number in paginator.get_elided_page_range(
                    page.number, on_each_side=1, on_ends=1
                )
            ],
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def report_new(request):
    form = rf.ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = inspection_create(
                title=data["title"],
                programme=data["programme"],
                lead_inspectorate=data["lead_inspectorate"],
                organisations=data["organisations"],
                partner_inspectorates=data["partner_inspectorates"],
                fieldwork_started_on=data["fieldwork_started_on"],
                fieldwork_ended_on=data["fieldwork_ended_on"],
                report_url=data["report_url"],
                summary=data["summary"],
                follows_up=data["follows_up"],
                figures=data["figures"],
                user=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if data["findings"].strip():
                # The pasted findings are previewed (imports.views.paste) before anything of
                # them is saved; the session carries the text across the redirect.
                request.session[PASTED.format(pk=inspection.pk)] = data["findings"]
                messages.success(request, f"“{inspection}” is created. Check its findings.")
                return redirect("imports:paste", pk=inspection.pk)
            messages.success(request, f"“{inspection}” is created. Now add its findings.")
            return redirect("workspace:report", pk=inspection.pk)
    return render(
        request,
        "workspace/reports/new.html",
        {"form": form, "organisations": form.choices.all},
        status=400 if form.is_bound and form.errors else 200,
    )


def _editor_context(request, inspection):
    """Everything the editor shows, in a fixed number of queries whatever the findings."""
    findings = list(editor_findings(inspection).order_by("position", "pk"))
    causes = list(inspection.causes_of_concern.order_by("position", "pk"))
    checklist = publication_checklist(inspection, findings=findings, causes=causes)
    problems = checklist.by_anchor()
    for finding in findings:
        finding.problems = problems.get(f"finding-{finding.pk}", [])
    by_cause = {}
    for finding in findings:
        if finding.kind == FindingKind.RECOMMENDATION and finding.cause_of_concern_id:
            by_cause.setdefault(finding.cause_of_concern_id, []).append(finding)
    for cause in causes:
        cause.problems = problems.get(f"cause-{cause.pk}", [])
        cause.editor_recommendations = by_cause.get(cause.pk, [])
    return {
        "inspection": inspection,
        "organisations": list(inspection.organisations.order_by("name")),
        "figures": list(inspection.figures.order_by("position", "pk")),
        "causes": causes,
        "other_recommendations": [
            f
            for f in findings
            if f.kind == FindingKind.RECOMMENDATION and not f.cause_of_concern_id
        ],
        "areas": [f for f in findings if f.kind == FindingKind.AREA_FOR_IMPROVEMENT],
        "finding_count": len(findings),
        "checklist": checklist,
        "report_problems": problems.get("report", []) + problems.get("findings", []),
        "can_schedule": policy.can_schedule_publication(request.user, inspection),
    }


@never_cache
@require_safe
@inspector_required
def report(request, pk):
    inspection = _in_editor(request, pk)
    return render(request, "workspace/reports/editor.html", _editor_context(request, inspection))


DETAILS = (
    "title",
    "programme",
    "fieldwork_started_on",
    "fieldwork_ended_on",
    "report_url",
    "summary",
    "title_cy",
    "summary_cy",
)


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def report_details(request, pk):
    """The report's title, programme, fieldwork dates, link, summary and key figures; once
    published, a correction with its reason."""
    inspection = _in_editor(request, pk)
    initial = {name: getattr(inspection, name) for name in DETAILS}
    initial["programme"] = inspection.programme_id
    initial["organisations"] = "\n".join(
        org.name for org in inspection.organisations.order_by("name")
    )
    initial["partner_inspectorates"] = list(inspection.partner_inspectorates.all())
    figures = list(inspection.figures.order_by("position", "pk"))
    initial["figures"] = rf.format_key_figures(figures)
    initial["seen"] = rf.details_fingerprint(
        inspection,
        inspection.organisations.values_list("pk", flat=True),
        [p.pk for p in initial["partner_inspectorates"]],
        figures,
    )
    form = rf.ReportDetailsForm(
        request.POST or None, initial=initial, user=request.user, inspection=inspection
    )
    stale = (
        request.method == "POST"
        and form.is_valid()
        and form.cleaned_data["seen"] != initial["seen"]
    )
    if stale:
        form.add_error(
            None,
            "Someone else changed the report's details while you were editing them, so your "
            "change was not saved. The form now shows them as they are, with your words kept: "
            "check them, then save again.",
        )
        show_with(form, seen=initial["seen"])
    elif request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in DETAILS}
        changes["title"] = changes["title"].strip()
        changes["summary"] = changes["summary"].strip()
        changes["title_cy"] = changes["title_cy"].strip()
        changes["summary_cy"] = changes["summary_cy"].strip()
        reason = form.cleaned_data.get("reason") or EDITED_IN
        try:
            with transaction.atomic():
                inspection_update(
                    inspection=inspection, changes=changes, user=request.user, reason=reason
                )
                inspection_set_key_figures(
                    inspection=inspection,
                    figures=form.cleaned_data["figures"],
                    user=request.user,
                    reason=reason,
                )
                if "organisations" in form.fields:
                    inspection_set_parties(
                        inspection=inspection,
                        organisations=form.cleaned_data["organisations"],
                        partner_inspectorates=form.cleaned_data.get("partner_inspectorates")
                        if "partner_inspectorates" in form.fields
                        else None,
                        user=request.user,
                        reason=reason,
                    )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The report's details are saved.")
            return redirect(_editor_url(inspection, "report"))
    return render(
        request,
        "workspace/reports/details.html",
        {
            "inspection": inspection,
            "form": form,
            "inspected": list(inspection.organisations.order_by("name")),
            "partners": list(inspection.partner_inspectorates.order_by("name")),
        },
        status=409 if stale else 400 if form.errors else 200,
    )


# Findings ------------------------------------------------------------------------------------


def _finding(inspection, finding_pk):
    return get_object_or_404(
        Finding.objects.select_related("cause_of_concern").filter(inspection=inspection),
        pk=finding_pk,
    )


def _finding_page(request, inspection, form, finding=None, status=200):
    return render(
        request,
        "workspace/reports/finding_form.html",
        {"inspection": inspection, "form": form, "finding": finding},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def finding_new(request, pk):
    inspection = _draft(request, pk)
    choices = rf.OrganisationChoices(inspection.organisations.all())
    kind = request.GET.get("kind", FindingKind.AREA_FOR_IMPROVEMENT)
    initial = {"kind": kind if kind in FindingKind.values else FindingKind.AREA_FOR_IMPROVEMENT}
    if request.GET.get("cause"):
        initial["cause_of_concern"] = request.GET["cause"]
        initial["kind"] = FindingKind.RECOMMENDATION
    form = rf.FindingForm(
        request.POST or None, initial=initial, inspection=inspection, choices=choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = finding_create(
                inspection=inspection,
                kind=data["kind"],
                reference=data["reference"],
                text=data["text"],
                text_cy=data["text_cy"],
                organisations=data["all_addressees"],
                cause_of_concern=data["cause_of_concern"],
                due_date=data["due_date"],
                no_deadline=data["no_deadline"],
                deadline_wording=data["deadline_wording"],
                user=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{finding.reference} is added.")
            return redirect(_editor_url(inspection, f"finding-{finding.pk}"))
    return _finding_page(request, inspection, form, status=400 if form.errors else 200)


def _finding_initial(finding, addressees):
    if finding.due_date:
        deadline = rf.ON_DATE
    elif finding.no_deadline:
        deadline = rf.NO_DEADLINE
    else:
        deadline = rf.SET_LATER
    return {
        "kind": finding.kind,
        "reference": finding.reference,
        "text": finding.text,
        "text_cy": finding.text_cy,
        "cause_of_concern": finding.cause_of_concern_id,
        "addressees": addressees,
        "deadline": deadline,
        "due_date": finding.due_date,
        "deadline_wording": finding.deadline_wording,
        "seen": rf.finding_fingerprint(finding, [org.pk for org in addressees]),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def finding_edit(request, pk, finding_pk):
    """Edit a draft's finding; once the report is published, correct it (with a reason)."""
    inspection = _in_editor(request, pk)
    finding = _finding(inspection, finding_pk)
    every_item = list(finding.items.select_related("organisation").order_by("organisation__name"))
    # A closed addressee keeps its history and is no longer offered: it is reopened on its page.
    items = [item for item in every_item if item.is_active]
    addressees = [item.organisation for item in items]
    choices = rf.OrganisationChoices(inspection.organisations.all())
    initial = _finding_initial(finding, addressees)
    form = rf.FindingForm(
        request.POST or None, initial=initial, inspection=inspection, choices=choices
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["seen"] != initial["seen"]:
            form.add_error(
                None,
                f"Someone else changed {finding.reference} while you were editing it, so your "
                "change was not saved. The form now shows it as it is, with your words kept: "
                "check it, then save again.",
            )
            form = show_with(form, seen=initial["seen"])
            return _finding_page(request, inspection, form, finding, status=409)
        try:
            if inspection.is_published:
                _correct_finding(request, finding, items, every_item, form.cleaned_data)
            else:
                _save_finding(request, finding, items, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{finding.reference} is saved.")
            return redirect(_editor_url(inspection, f"finding-{finding.pk}"))
    return _finding_page(request, inspection, form, finding, status=400 if form.errors else 200)


FINDING_FIELDS = (
    "kind",
    "reference",
    "text",
    "text_cy",
    "cause_of_concern",
    "due_date",
    "no_deadline",
    "deadline_wording",
)


@transaction.atomic
def _correct_finding(request, finding, items, every_item, data):
    """A published finding corrected through the services: its words (a public correction
    with its reason), its due date (a public due date change), and its addressees under the
    rules of corrections: an addressee taken off is closed as no longer relevant (replaced by
    the one put on, if one), never removed or re-pointed."""
    reason = data["reason"]
    changes = {name: data[name] for name in FINDING_FIELDS}
    changes["reference"] = changes["reference"].strip()
    if changes["reference"] != finding.reference:
        check_reference_free(finding.inspection, changes["reference"], exclude=finding)
    wanted = {org.pk: org for org in data["all_addressees"]}
    current = {item.organisation_id for item in items}
    closed = {item.organisation_id: item for item in every_item if not item.is_active}
    reopen = [closed[pk].organisation.name for pk in wanted if pk in closed]
    if reopen:
        raise DomainError(
            f"{finding.reference} was addressed to {', '.join(reopen)} before, and that is "
            "closed: reopen it on its own page instead of addressing the finding again."
        )
    removed = [item for item in items if item.organisation_id not in wanted]
    added = [org for pk, org in wanted.items() if pk not in current]
    findings_update(updates=[(finding, changes)], user=request.user, reason=reason)
    for item, organisation in zip(removed, added, strict=False):
        finding_replace_addressee(
            item=item,
            organisation=organisation,
            user=request.user,
            reason=reason,
            channel=Channel.WEB,
        )
    for item in removed[len(added) :]:
        item_close(
            item=item,
            outcome=Status.CLOSED_NO_LONGER_RELEVANT,
            note=f"No longer addressed to {item.organisation}: {reason}",
            user=request.user,
            channel=Channel.WEB,
        )
    if added[len(removed) :]:
        finding.refresh_from_db()
        finding_add_addressees(
            finding=finding, organisations=added[len(removed) :], user=request.user, reason=reason
        )


@transaction.atomic
def _save_finding(request, finding, items, data):
    changes = {name: data[name] for name in FINDING_FIELDS}
    if changes["reference"].strip() != finding.reference:
        check_reference_free(finding.inspection, changes["reference"].strip(), exclude=finding)
    # Addressees named by mistake go first (a draft's items have no history to keep).
    wanted = {org.pk: org for org in data["all_addressees"]}
    for item in items:
        if item.organisation_id not in wanted:
            finding_remove_addressee(item=item, user=request.user, reason=EDITED_IN)
    findings_update(updates=[(finding, changes)], user=request.user, reason=EDITED_IN)
    current = {item.organisation_id for item in items}
    added = [org for pk, org in wanted.items() if pk not in current]
    if added:
        finding.refresh_from_db()
        finding_add_addressees(finding=finding, organisations=added, user=request.user)


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def finding_remove(request, pk, finding_pk):
    inspection = _draft(request, pk)
    finding = _finding(inspection, finding_pk)
    form = rf.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            finding_delete(finding=finding, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{finding.reference} is removed.")
            return redirect(_editor_url(inspection, "findings"))
    return render(
        request,
        "workspace/reports/remove.html",
        {"inspection": inspection, "form": form, "thing": finding},
        status=400 if form.errors else 200,
    )


@require_POST
@inspector_required
def finding_reorder(request, pk, finding_pk):
    inspection = _draft(request, pk)
    finding = _finding(inspection, finding_pk)
    try:
        finding_move(finding=finding, up=request.POST.get("direction") == "up", user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(_editor_url(inspection, f"finding-{finding.pk}"))


@require_POST
@inspector_required
def renumber(request, pk):
    inspection = _draft(request, pk)
    try:
        changes = findings_renumber(inspection=inspection, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if changes:
            described = ", ".join(f"{old} → {new}" for old, new in changes.items())
            messages.success(request, f"Renumbered: {described}.")
        else:
            messages.success(request, "The findings were already numbered in order.")
    return redirect(_editor_url(inspection, "findings"))


# Causes of concern ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def cause_new(request, pk):
    inspection = _draft(request, pk)
    count = inspection.causes_of_concern.count()
    form = rf.CauseForm(
        request.POST or None, initial={"reference": f"CoC{count + 1}"}, inspection=inspection
    )
    if request.method == "POST" and form.is_valid():
        try:
            cause = cause_of_concern_create(
                inspection=inspection,
                reference=form.cleaned_data["reference"],
                text=form.cleaned_data["text"],
                user=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{cause.reference} is added: now add its recommendation.")
            return redirect(_editor_url(inspection, f"cause-{cause.pk}"))
    return render(
        request,
        "workspace/reports/cause_form.html",
        {"inspection": inspection, "form": form, "cause": None},
        status=400 if form.errors else 200,
    )


def _cause(inspection, cause_pk):
    return get_object_or_404(CauseOfConcern.objects.filter(inspection=inspection), pk=cause_pk)


def _cause_page(request, inspection, form, cause, status=200):
    return render(
        request,
        "workspace/reports/cause_form.html",
        {"inspection": inspection, "form": form, "cause": cause},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def cause_edit(request, pk, cause_pk):
    """Edit a draft's cause of concern; once the report is published, correct it (with a
    reason, which the public pages show beside it)."""
    inspection = _in_editor(request, pk)
    cause = _cause(inspection, cause_pk)
    initial = {
        "reference": cause.reference,
        "text": cause.text,
        "seen": rf.cause_fingerprint(cause),
    }
    form = rf.CauseForm(request.POST or None, initial=initial, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["seen"] != initial["seen"]:
            form.add_error(
                None,
                f"Someone else changed {cause.reference} while you were editing it, so your "
                "change was not saved. The form now shows it as it is, with your words kept: "
                "check it, then save again.",
            )
            form = show_with(form, seen=initial["seen"])
            return _cause_page(request, inspection, form, cause, status=409)
        changes = {name: form.cleaned_data[name] for name in ("reference", "text")}
        try:
            with transaction.atomic():
                if changes["reference"] != cause.reference:
                    check_reference_free(inspection, changes["reference"], exclude=cause)
                cause_of_concern_update(
                    cause=cause,
                    changes=changes,
                    user=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{changes['reference']} is saved.")
            return redirect(_editor_url(inspection, f"cause-{cause.pk}"))
    return _cause_page(request, inspection, form, cause, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def cause_remove(request, pk, cause_pk):
    inspection = _draft(request, pk)
    cause = _cause(inspection, cause_pk)
    form = rf.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cause_of_concern_delete(cause=cause, user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{cause.reference} is removed.")
            return redirect(_editor_url(inspection, "findings"))
    return render(
        request,
        "workspace/reports/remove.html",
        {"inspection": inspection, "form": form, "thing": cause},
        status=400 if form.errors else 200,
    )


# Scheduling ----------------------------------------------------------------------------------


def _schedule_page(request, inspection, form, cancel_form, *, status=200, checklist=None):
    if form is not None:
        show_with(form, token=_token(request, SCHEDULE, inspection))
    if cancel_form is not None:
        show_with(cancel_form, token=_token(request, CANCEL, inspection))
    checklist = checklist or publication_checklist(inspection)
    return render(
        request,
        "workspace/reports/schedule.html",
        {
            "inspection": inspection,
            "form": form,
            "cancel_form": cancel_form,
            "checklist": checklist,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def schedule(request, pk):
    """Schedule the draft's publication, change the moment, or cancel it: the lead inspectorate
    only; refused while the checklist has problems, which the page shows."""
    inspection = _draft(request, pk)
    if not policy.can_schedule_publication(request.user, inspection):
        raise PermissionDenied
    scheduled = inspection.published_at
    initial = {}
    if scheduled:
        local = timezone.localtime(scheduled)
        initial = {"publish_on": local.date(), "publish_time": local.time().replace(second=0)}
    cancelling = request.method == "POST" and request.POST.get("action") == "cancel"
    form = rf.ScheduleForm(
        request.POST if request.method == "POST" and not cancelling else None,
        initial=initial,
        changing=scheduled is not None,
    )
    cancel_form = (
        rf.CancelScheduleForm(request.POST if cancelling else None, prefix="cancel")
        if scheduled
        else None
    )
    if request.method == "GET":
        return _schedule_page(request, inspection, form, cancel_form)
    bound = cancel_form if cancelling else form
    purpose = CANCEL if cancelling else SCHEDULE
    if bound is None or not bound.is_valid():
        return _schedule_page(request, inspection, form, cancel_form, status=400)
    token = bound["token"].value() or ""
    try:
        submission_check(token=token, user=request.user, purpose=purpose, obj=inspection)
        with transaction.atomic():
            submission = submission_redeem(
                token=token, user=request.user, purpose=purpose, obj=inspection
            )
            inspection_schedule_publication(
                inspection=inspection,
                published_at=None if cancelling else bound.cleaned_data["published_at"],
                user=request.user,
                reason=bound.cleaned_data["reason"],
            )
            submission_record_outcome(
                submission=submission,
                outcome="cancelled the publication" if cancelling else "scheduled the publication",
            )
    except SubmissionRefused as refusal:
        bound.add_error(None, str(refusal))
        return _schedule_page(request, inspection, form, cancel_form, status=409)
    except ChecklistProblems as problems:
        bound.add_error(None, "The report cannot be scheduled yet: put right the problems below.")
        return _schedule_page(
            request, inspection, form, cancel_form, status=400, checklist=problems.checklist
        )
    except DomainError as error:
        bound.add_error(None, str(error))
        return _schedule_page(request, inspection, form, cancel_form, status=400)
    inspection.refresh_from_db()
    if cancelling:
        messages.success(request, "The publication is cancelled: the report stays a draft.")
    else:
        when = timezone.localtime(inspection.published_at)
        messages.success(
            request,
            f"“{inspection}” is scheduled: it will be published on {when.day} {when:%B %Y} at "
            f"{when:%H:%M}.",
        )
    return redirect("workspace:report", pk=inspection.pk)
