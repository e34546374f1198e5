"""Before a report goes public: the pre-publication checklist and scheduled publication.

``publication_checklist`` names every problem that must be put right before the report may be
scheduled, each with the finding or part it concerns, and lists the clocks that publication
starts (the section 55 duty, where it applies). The report editor shows it;
``inspection_schedule_publication`` refuses to schedule while it has problems.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from core.errors import DomainError
from inspections.models import Inspection
from recommendations.choices import FindingKind
from recommendations.models import CauseOfConcern, Finding, Item, section55_due_date
from recommendations.services import inspection_set_publication, section55_expected_bodies

# The names of the checklist's problems, stable for tests and for the editor's anchors.
NO_ADDRESSEE = "no_addressee"
NO_DUE_DATE = "no_due_date"
CAUSE_WITHOUT_RECOMMENDATION = "cause_without_recommendation"
NO_SUMMARY = "no_summary"
NO_REPORT_URL = "no_report_url"
DUPLICATE_REFERENCE = "duplicate_reference"
NO_FINDINGS = "no_findings"
NO_ORGANISATIONS = "no_organisations"


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    reference: str = ""  # The finding or cause of concern it concerns, if one.
    anchor: str = ""  # Where the editor shows it: "finding-12", "cause-3", "report".


@dataclass
class Section55Duty:
    body: object  # The local policing body that must comment.
    due_on: date | None  # None until a publication date is chosen.


@dataclass
class Checklist:
    problems: list[Problem] = field(default_factory=list)
    section55: list[Section55Duty] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.problems

    def problems_at(self, anchor: str) -> list[Problem]:
        return [problem for problem in self.problems if problem.anchor == anchor]

    def by_anchor(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.anchor, []).append(problem)
        return grouped


def checklist_findings(inspection: Inspection) -> list[Finding]:
    """The findings the checklist reads, with their addressee counts: one query."""
    return list(
        inspection.findings.annotate(addressee_count=Count("items")).only(
            "pk", "kind", "reference", "due_date", "no_deadline", "cause_of_concern_id"
        )
    )


def publication_checklist(
    inspection: Inspection,
    *,
    published_at: datetime | None = None,
    findings: list[Finding] | None = None,
    causes: list[CauseOfConcern] | None = None,
) -> Checklist:
    """Every problem that stops the report being scheduled, and the section 55 duty it starts.

    ``findings`` (with ``addressee_count``) and ``causes`` may be passed by a page that has
    read them already; ``published_at`` is the moment the duty's due date counts from (by
    default the report's own, if scheduled).
    """
    if findings is None:
        findings = checklist_findings(inspection)
    if causes is None:
        causes = list(inspection.causes_of_concern.all())
    checklist = Checklist()
    problems = checklist.problems
    if not inspection.summary.strip():
        problems.append(Problem(NO_SUMMARY, "Write the report's summary.", anchor="report"))
    if not inspection.report_url.strip():
        problems.append(Problem(NO_REPORT_URL, "Give the link to the report.", anchor="report"))
    if not inspection.organisations.exists():
        problems.append(
            Problem(NO_ORGANISATIONS, "Name the organisations inspected.", anchor="report")
        )
    if not findings and not causes:
        problems.append(
            Problem(NO_FINDINGS, "The report has no findings yet: add them.", anchor="findings")
        )
    for finding in findings:
        anchor = f"finding-{finding.pk}"
        if not finding.addressee_count:
            problems.append(
                Problem(
                    NO_ADDRESSEE,
                    f"{finding.reference} has no addressee: choose the organisations it is "
                    "addressed to.",
                    finding.reference,
                    anchor,
                )
            )
        if finding.due_date is None and not finding.no_deadline:
            problems.append(
                Problem(
                    NO_DUE_DATE,
                    f"{finding.reference} has no due date: give one, or choose “no deadline”.",
                    finding.reference,
                    anchor,
                )
            )
    answered = {f.cause_of_concern_id for f in findings if f.kind == FindingKind.RECOMMENDATION}
    for cause in causes:
        if cause.pk not in answered:
            problems.append(
                Problem(
                    CAUSE_WITHOUT_RECOMMENDATION,
                    f"{cause.reference} has no recommendation: add the recommendations it "
                    "comes with.",
                    cause.reference,
                    f"cause-{cause.pk}",
                )
            )
    problems.extend(_duplicate_references(findings, causes))
    checklist.section55 = section55_duties(inspection, published_at=published_at)
    return checklist


def _duplicate_references(findings, causes) -> list[Problem]:
    """References are unique in a report whatever their case: "r2" beside "R2" is one twice."""
    parts = [(f.reference, f"finding-{f.pk}") for f in findings] + [
        (c.reference, f"cause-{c.pk}") for c in causes
    ]
    counts = Counter(reference.casefold() for reference, _ in parts)
    return [
        Problem(
            DUPLICATE_REFERENCE,
            f"{reference} is used {counts[reference.casefold()]} times (references are unique "
            "whatever their case): renumber the findings, or change one.",
            reference,
            anchor,
        )
        for reference, anchor in parts
        if counts[reference.casefold()] > 1
    ]


def section55_duties(inspection: Inspection, *, published_at=None) -> list[Section55Duty]:
    """The local policing bodies that must comment under section 55, with the day their
    comments are due if the report is published at ``published_at`` (or as scheduled)."""
    moment = published_at or inspection.published_at
    due_on = section55_due_date(timezone.localdate(moment)) if moment else None
    return [
        Section55Duty(body=body, due_on=due_on)
        for body in section55_expected_bodies(inspection).order_by("name")
    ]


# How far in the past a chosen moment may be: "now" typed into the form is a minute old.
LATE_TOLERANCE = timedelta(minutes=5)


@transaction.atomic
def inspection_schedule_publication(
    *, inspection: Inspection, published_at: datetime | None, user=None, reason: str
) -> Inspection:
    """Schedule the report's publication (the embargo lifts at ``published_at``), change the
    moment, or cancel it (``published_at`` None): each logged with who, when and why. Refused
    while the checklist has problems; who may is ``policy.can_publish_inspection`` (the lead
    inspectorate), which the doors ask."""
    if not reason.strip():
        raise DomainError("Say why: the schedule's changes are logged with their reason.")
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if published_at is not None:
        # Checking the moment the person typed, not asking whether the report is public.
        chosen = published_at
        if chosen < timezone.now() - LATE_TOLERANCE:
            raise DomainError("Choose a moment from now on: that one has passed.")
        check_ready_to_publish(locked, published_at=published_at)
    elif locked.published_at is None:
        raise DomainError(f"“{locked}” is not scheduled: there is nothing to cancel.")
    return inspection_set_publication(
        inspection=locked, published_at=published_at, user=user, reason=reason
    )


def check_ready_to_publish(inspection: Inspection, *, published_at: datetime) -> None:
    """Raise ``ChecklistProblems`` unless the report may go public at ``published_at``: every
    door that schedules or publishes asks this (the editor through
    ``inspection_schedule_publication``, the admin's date field and its "Publish now")."""
    checklist = publication_checklist(inspection, published_at=published_at)
    if not checklist.is_clean:
        raise ChecklistProblems(checklist)


class ChecklistProblems(DomainError):
    """Scheduling refused: the checklist names what to put right."""

    def __init__(self, checklist: Checklist):
        self.checklist = checklist
        count = len(checklist.problems)
        super().__init__(
            f"The report cannot be scheduled yet: {count} problem{'s' if count != 1 else ''} "
            "to put right first. " + " ".join(problem.message for problem in checklist.problems)
        )


def editor_findings(inspection: Inspection):
    """The findings of the report editor with what it shows of each, in a fixed number of
    queries whatever their number: the finding, its cause, its addressees."""
    return (
        inspection.findings.select_related("cause_of_concern")
        .annotate(addressee_count=Count("items"))
        .prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.select_related("organisation").order_by("organisation__name"),
            )
        )
    )
