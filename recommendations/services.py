"""Every write that changes a status or touches several rows.

Views, forms, the admin, its bulk actions, commands and the API all call these functions;
none of them writes ``Item.status`` itself. Each status change writes its
``StatusChange`` row in the same transaction.
"""

from datetime import date, datetime

from django.db import models, transaction
from django.db.models import Exists, F
from django.utils import timezone

from audit.services import log_action, log_actions
from core.errors import DomainError
from inspections.choices import OrganisationKind
from inspections.models import Inspection, Organisation
from recommendations.choices import (
    CLOSED_STATUSES,
    SELF_REPORTED_STATUSES,
    TRANSITIONS,
    Channel,
    DueDateSource,
    FactualAccuracyResponse,
    FindingKind,
    ProposalStatus,
    SelfAssessment,
    Source,
    Status,
)
from recommendations.evidence import check_evidence_file
from recommendations.models import (
    CauseOfConcern,
    DueDateChange,
    DueDateProposal,
    EvidenceFile,
    FactualAccuracyCheck,
    FactualAccuracyComment,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    StatusChange,
)
from recommendations.policy import (
    can_answer_factual_accuracy_comment,
    can_close_factual_accuracy_check,
    can_comment_on_factual_accuracy_check,
    can_correct_update,
    can_open_factual_accuracy_check,
    can_supersede_with,
    can_withdraw_update,
)

# What the audit log calls these changes of an item. They keep the model's first name,
# "assignment": the log is append-only, and its entries are found by these names for ever.
ITEM_CREATED = "recommendations.assignment.created"
ITEM_DUE_DATE_CHANGED = "recommendations.assignment.due_date_changed"
ITEM_REMOVED = "recommendations.assignment.removed"
ITEM_REPLACED = "recommendations.assignment.replaced"


class TransitionError(DomainError):
    """A status change the lifecycle does not allow."""


def transition_source(from_status: str, to_status: str) -> Source:
    """Who stands behind a move: the organisation reports progress and asks for closure;
    the inspectorate closes, returns and reopens."""
    if to_status in SELF_REPORTED_STATUSES and from_status not in {
        Status.SUBMITTED,
        *CLOSED_STATUSES,
    }:
        return Source.ORGANISATION
    return Source.INSPECTORATE


def item_check_transition(
    *, item: Item, to_status: str, note: str = "", superseded_by=None, user=None
) -> None:
    """Raise ``TransitionError`` unless the move is allowed; forms call it to explain early.
    ``user`` is who acts: the superseding finding must be one they may name."""
    from_status = Status(item.status)
    to_status = Status(to_status)
    if to_status not in TRANSITIONS[from_status]:
        raise TransitionError(
            f"{item} cannot go from “{from_status.label}” to “{to_status.label}”."
        )
    if transition_source(from_status, to_status) == Source.INSPECTORATE and not note.strip():
        raise TransitionError("Say why: inspectorate decisions are published with their reasons.")
    if to_status == Status.CLOSED_SUPERSEDED:
        if superseded_by is None:
            raise TransitionError("Choose the finding that supersedes this one.")
        if superseded_by.pk == item.finding_id:
            raise TransitionError("A finding cannot supersede itself.")
        if not can_supersede_with(user, superseded_by):
            # Worded as for a finding that does not exist: nothing about an embargoed report.
            raise TransitionError(
                "No finding you can see has that reference: choose a published finding or one "
                "of a report you work on."
            )
    elif superseded_by is not None:
        raise TransitionError("Only a finding closed as superseded has a superseding finding.")


class StaleEditError(DomainError):
    """Someone else changed the item since the person loaded it; nothing was saved."""

    def __init__(self, item: Item, since_version: int):
        self.item = item
        self.changes = list(
            item.status_changes.select_related("changed_by").order_by("-changed_at")[:3]
        )
        latest = self.changes[0] if self.changes else None
        message = (
            "Someone else changed this item while you were working on it, so your change was "
            f"not saved. It is now “{Status(item.status).label}”"
        )
        if latest is not None:
            who = latest.changed_by.display_name() if latest.changed_by else "the tracker"
            when = timezone.localtime(latest.changed_at)
            message += f": changed by {who} on {when:%d %B %Y at %H:%M}"
            if latest.note:
                message += f" (“{latest.note}”)"
        if item.due_date:
            message += f". Its due date is {item.due_date:%d %B %Y}"
        message += ". Check the item, then make your change again."
        super().__init__(message)


# The longest narrative or reason taken: far beyond any real update, short of a pasted file.
MAX_TEXT_LENGTH = 20_000


def check_text_length(text: str, what: str) -> None:
    if len(text.strip()) > MAX_TEXT_LENGTH:
        raise DomainError(
            f"{what} is too long: keep it to {MAX_TEXT_LENGTH:,} characters "
            f"(this one has {len(text.strip()):,}). Attach a longer document as evidence."
        )


def _lock(item: Item, expected_version: int | None) -> Item:
    locked = Item.objects.select_for_update(of=("self",)).select_related("finding")
    locked = locked.get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(locked, expected_version)
    return locked


@transaction.atomic
def item_change_status(
    *,
    item: Item,
    to_status: str,
    user=None,
    note: str = "",
    superseded_by: Finding | None = None,
    channel: str = Channel.WEB,
    at=None,
    expected_version: int | None = None,
    require_from: tuple | None = None,
) -> Item:
    """Move one addressee's finding to ``to_status`` and record who, when and why.

    ``require_from`` is ``(statuses, message)``: the move is refused with ``message`` unless the
    item, as locked (not as the caller last saw it), is in one of ``statuses``. A return and a
    reopening both lead to "in progress" and differ only in where they start.

    With ``expected_version`` (what the person's form was built from), a change made by someone
    else in between is refused with ``StaleEditError`` rather than silently overwritten.
    """
    locked = _lock(item, expected_version)
    if require_from is not None and locked.status not in require_from[0]:
        raise TransitionError(require_from[1])
    item_check_transition(
        item=locked, to_status=to_status, note=note, superseded_by=superseded_by, user=user
    )
    from_status = Status(locked.status)
    to_status = Status(to_status)
    note = note.strip()
    source = transition_source(from_status, to_status)

    at = at or timezone.now()
    locked.status = to_status
    locked.status_source = source
    locked.superseded_by = superseded_by
    locked.status_changed_at = at
    locked.version += 1
    locked.save(
        update_fields=["status", "status_source", "superseded_by", "status_changed_at", "version"]
    )
    StatusChange.objects.create(
        item=locked,
        from_status=from_status,
        to_status=to_status,
        changed_at=at,
        changed_by=user if user is not None and user.is_authenticated else None,
        source=source,
        channel=channel,
        note=note,
    )
    return locked


def item_start(*, item, user=None, note="", channel=Channel.WEB, **options):
    return item_change_status(
        item=item,
        to_status=Status.IN_PROGRESS,
        user=user,
        note=note,
        channel=channel,
        **options,
    )


def item_submit_for_closure(*, item, user=None, note, channel=Channel.WEB, **options):
    if not note.strip():
        raise TransitionError("Describe what was done and the evidence for it.")
    return item_change_status(
        item=item,
        to_status=Status.SUBMITTED,
        user=user,
        note=note,
        channel=channel,
        **options,
    )


def item_return(*, item, user=None, note, channel=Channel.WEB, **options):
    return item_change_status(
        require_from=({Status.SUBMITTED}, "Only a finding submitted for closure can be returned."),
        item=item,
        to_status=Status.IN_PROGRESS,
        user=user,
        note=note,
        channel=channel,
        **options,
    )


def item_close(
    *, item, outcome, user=None, note, superseded_by=None, channel=Channel.WEB, **options
):
    if outcome not in CLOSED_STATUSES:
        raise TransitionError(f"“{outcome}” is not a way of closing a finding.")
    return item_change_status(
        item=item,
        to_status=outcome,
        user=user,
        note=note,
        superseded_by=superseded_by,
        channel=channel,
        **options,
    )


def item_reopen(*, item, user=None, note, channel=Channel.WEB, **options):
    return item_change_status(
        require_from=(CLOSED_STATUSES, "Only a closed finding can be reopened."),
        item=item,
        to_status=Status.IN_PROGRESS,
        user=user,
        note=note,
        channel=channel,
        **options,
    )


def _due_date_change(
    item: Item, *, previous, user, source, reason, at, proposal=None
) -> DueDateChange:
    """The history row of a due date change (unsaved), and the item's own record of it: its
    first due date, and whether it was ever extended while overdue. Call after setting the
    item's new ``due_date``."""
    today = timezone.localdate(at)
    was_overdue = item.is_active and previous is not None and previous < today
    if item.original_due_date is None:
        item.original_due_date = previous
    if was_overdue and (item.due_date is None or item.due_date > previous):
        item.overdue_when_extended = True
    return DueDateChange(
        item=item,
        from_date=previous,
        to_date=item.due_date,
        changed_at=at,
        changed_by=user if user is not None and user.is_authenticated else None,
        source=source,
        reason=reason.strip(),
        was_overdue=was_overdue,
        proposal=proposal,
    )


@transaction.atomic
def item_set_due_date(
    *,
    item: Item,
    due_date: date | None,
    user=None,
    reason: str,
    expected_version: int | None = None,
    source: str = DueDateSource.INSPECTOR,
    proposal: DueDateProposal | None = None,
) -> Item:
    """Give one addressee a new due date: a public event (``DueDateChange``, with whether the
    item was overdue then) and an action log entry, in one transaction."""
    if not reason.strip():
        raise DomainError("Give the reason for the new due date.")
    DueDateSource(source)
    locked = _lock(item, expected_version)
    if locked.due_date == due_date:
        return locked
    previous = locked.due_date
    locked.due_date = due_date
    locked.version += 1
    change = _due_date_change(
        locked,
        previous=previous,
        user=user,
        source=source,
        reason=reason,
        at=timezone.now(),
        proposal=proposal,
    )
    locked.save(update_fields=["due_date", "version", "original_due_date", "overdue_when_extended"])
    change.save()
    log_action(
        action=ITEM_DUE_DATE_CHANGED,
        obj=locked,
        actor=user,
        data={
            "from": previous.isoformat() if previous else None,
            "to": due_date.isoformat() if due_date else None,
            "reason": reason,
            "source": source,
            "was_overdue": change.was_overdue,
        },
    )
    return locked


@transaction.atomic
def finding_add_addressees(
    *, finding: Finding, organisations, user=None, reason: str = ""
) -> list[Item]:
    """Address the finding to more bodies; each starts open with the finding's due date.
    ``reason``, when given (the admin asks for it once the report is public), is logged."""
    return findings_add_addressees(additions=[(finding, organisations)], user=user, reason=reason)


@transaction.atomic
def findings_add_addressees(*, additions, user=None, reason: str = "") -> list[Item]:
    """``finding_add_addressees`` for many findings at once: ``additions`` holds
    ``(finding, organisations)``. A body the finding is already addressed to is skipped."""
    additions = [(finding, list(organisations)) for finding, organisations in additions]
    existing = set(
        Item.objects.filter(finding__in=[finding.pk for finding, _ in additions]).values_list(
            "finding_id", "organisation_id"
        )
    )
    created = []
    for finding, organisations in additions:
        for org in organisations:
            if (finding.pk, org.pk) not in existing:
                existing.add((finding.pk, org.pk))
                created.append(Item(finding=finding, organisation=org, due_date=finding.due_date))
    Item.objects.bulk_create(created, batch_size=1000)
    log_actions(
        entries=[
            (
                ITEM_CREATED,
                item.finding,
                {"organisation": item.organisation.slug}
                | ({"reason": reason.strip()} if reason.strip() else {}),
            )
            for item in created
        ],
        actor=user,
    )
    return created


FINDING_UPDATABLE_FIELDS = frozenset(
    {
        "kind",
        "reference",
        "text",
        "text_cy",
        "cause_of_concern",
        "due_date",
        "no_deadline",
        "deadline_wording",
        "themes",
    }
)
# What the public reads of a finding: a change to one of these once the report is published is
# a correction of the report, shown on its pages as "Corrected on <date>: <reason>".
FINDING_PUBLIC_TEXT_FIELDS = ("reference", "kind", "text", "text_cy", "deadline_wording")


def _logged_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, CauseOfConcern):
        return value.reference
    return value


def finding_update(
    *,
    finding: Finding,
    changes: dict,
    user=None,
    reason: str,
    due_date_source: str = DueDateSource.INSPECTOR,
) -> dict:
    """Change what a finding says, logged with the old and new values; never a status.

    ``changes`` maps field names of ``FINDING_UPDATABLE_FIELDS`` to new values (``themes`` to
    a collection of ``Theme``). When the due date moves, every addressee whose own due date
    was still the finding's follows it (each logged); a date agreed with one addressee stays.
    Returns ``{field: (old, new)}`` for what really changed.

    Once the report is published, a change of what the public reads
    (``FINDING_PUBLIC_TEXT_FIELDS``) is also logged as ``recommendations.finding.corrected``,
    which the public pages show with its date and reason. ``due_date_source`` says how the
    addressees' due date changes came about (``DueDateSource``), for their public history.
    """
    diffs = findings_update(
        updates=[(finding, changes)], user=user, reason=reason, due_date_source=due_date_source
    )
    return diffs.get(finding.pk, {})


def finding_diff(current: dict, changes: dict) -> dict[str, tuple]:
    """``{field: (old, new)}`` for each field of ``changes`` whose new value differs from the
    finding's value in ``current``; pure, so ``findings_update`` and the importer's preview
    (``imports.services.plan_import``) cannot disagree on what a row changes.

    ``current`` maps the same field names to the finding's values now, ``themes`` to
    ``{theme pk: slug}``; the new ``themes`` are ``Theme`` objects. Themes compare by their pks
    and read as sorted slugs; every other field compares with ``==``.
    """
    diffs = {}
    for name, new in changes.items():
        old = current[name]
        if name == "themes":
            if set(old) != {theme.pk for theme in new}:
                diffs[name] = (sorted(old.values()), sorted(theme.slug for theme in new))
        elif old != new:
            diffs[name] = (old, new)
    return diffs


@transaction.atomic
def findings_update(
    *, updates, user=None, reason: str, due_date_source: str = DueDateSource.INSPECTOR
) -> dict[int, dict]:
    """``finding_update`` for many findings at once, in a few queries whatever their number:
    ``updates`` holds ``(finding, changes)``. Any refusal (``DomainError``) changes nothing.

    Returns ``{finding pk: {field: (old, new)}}`` for the findings that really changed.
    """
    updates = [(finding, changes) for finding, changes in updates if changes]
    for _, changes in updates:
        unknown = set(changes) - FINDING_UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"Not a field finding_update changes: {', '.join(sorted(unknown))}")
    if not updates:
        return {}
    ids = [finding.pk for finding, _ in updates]
    locked = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("cause_of_concern", "inspection")
        .in_bulk(ids)
    )
    all_diffs = _findings_diffs(updates, locked)
    if not all_diffs:
        return {}
    _check_kind_changes(all_diffs, locked)

    previous_due = {pk: locked[pk].due_date for pk in all_diffs}
    _save_finding_fields(all_diffs, locked)
    _save_finding_themes(all_diffs, updates)
    moved = [pk for pk, diffs in all_diffs.items() if "due_date" in diffs]
    if moved:
        _items_follow_due_dates(
            findings=[locked[pk] for pk in moved],
            previous=previous_due,
            user=user,
            reason=reason,
            source=due_date_source,
        )
    _log_finding_changes(all_diffs, locked, user=user, reason=reason)
    return all_diffs


def _current_themes(ids: list[int], updates) -> dict[int, dict[int, str]]:
    """``{finding pk: {theme pk: slug}}``, read only when some change touches the themes."""
    themes_of = {pk: {} for pk in ids}
    if any("themes" in changes for _, changes in updates):
        through = Finding.themes.through.objects.filter(finding_id__in=ids)
        for finding_id, theme_id, slug in through.values_list(
            "finding_id", "theme_id", "theme__slug"
        ):
            themes_of[finding_id][theme_id] = slug
    return themes_of


def _findings_diffs(updates, locked: dict[int, Finding]) -> dict[int, dict]:
    """Each finding's ``finding_diff`` against its locked row, checked; unchanged ones left out."""
    themes_of = _current_themes([finding.pk for finding, _ in updates], updates)
    all_diffs = {}
    for finding, changes in updates:
        current = locked[finding.pk]
        values = {
            name: themes_of[current.pk] if name == "themes" else getattr(current, name)
            for name in changes
        }
        diffs = finding_diff(values, changes)
        if diffs:
            _check_finding_change(current, changes, diffs)
            all_diffs[current.pk] = diffs
    return all_diffs


def _check_kind_changes(all_diffs: dict[int, dict], locked: dict[int, Finding]) -> None:
    """A recommendation with section 55 statements stays a recommendation."""
    leaving = [pk for pk, diffs in all_diffs.items() if "kind" in diffs]
    if not leaving:
        return
    answered = set(
        Finding.objects.filter(pk__in=leaving, section55_statements__isnull=False)
        .exclude(kind=FindingKind.AREA_FOR_IMPROVEMENT)
        .values_list("pk", flat=True)
    )
    for pk in answered:
        if all_diffs[pk]["kind"][1] != FindingKind.RECOMMENDATION:
            raise DomainError(
                f"{locked[pk].reference} has section 55 statements, so it stays a recommendation."
            )


def _save_finding_fields(all_diffs: dict[int, dict], locked: dict[int, Finding]) -> None:
    """Every changed field but the themes, one ``bulk_update`` per set of fields changed."""
    by_fields = {}
    for pk, diffs in all_diffs.items():
        fields = tuple(sorted(name for name in diffs if name != "themes"))
        for name in fields:
            setattr(locked[pk], name, diffs[name][1])
        if fields:
            by_fields.setdefault(fields, []).append(locked[pk])
    for fields, findings in by_fields.items():
        Finding.objects.bulk_update(findings, list(fields), batch_size=500)


def _save_finding_themes(all_diffs: dict[int, dict], updates) -> None:
    """The new themes of the findings whose themes changed, in place of their old ones."""
    retheme = {pk: diffs["themes"][1] for pk, diffs in all_diffs.items() if "themes" in diffs}
    if not retheme:
        return
    through = Finding.themes.through
    through.objects.filter(finding_id__in=list(retheme)).delete()
    new_themes = {
        pk: changes["themes"] for finding, changes in updates if (pk := finding.pk) in retheme
    }
    through.objects.bulk_create(
        [
            through(finding_id=pk, theme_id=theme.pk)
            for pk, themes in new_themes.items()
            for theme in themes
        ],
        batch_size=1000,
    )


def _log_finding_changes(
    all_diffs: dict[int, dict], locked: dict[int, Finding], *, user, reason: str
) -> None:
    """Log every change, and as a correction (with its reason, which it needs) a change of
    what the public reads of a published report."""
    corrected = {
        pk: {name: diffs[name] for name in FINDING_PUBLIC_TEXT_FIELDS if name in diffs}
        for pk, diffs in all_diffs.items()
        if locked[pk].inspection.is_published
    }
    corrected = {pk: fields for pk, fields in corrected.items() if fields}
    if corrected and not reason.strip():
        raise DomainError(
            "Give the reason for the correction: it is published beside the corrected text."
        )
    log_actions(
        entries=[
            (
                "recommendations.finding.corrected",
                locked[pk],
                {
                    "fields": {
                        name: {"from": _logged_value(old), "to": _logged_value(new)}
                        for name, (old, new) in fields.items()
                    },
                    "reason": reason.strip(),
                },
            )
            for pk, fields in corrected.items()
        ],
        actor=user,
    )
    log_actions(
        entries=[
            (
                "recommendations.finding.updated",
                locked[pk],
                {
                    "fields": {
                        name: {"from": _logged_value(old), "to": _logged_value(new)}
                        for name, (old, new) in diffs.items()
                    },
                    "reason": reason,
                },
            )
            for pk, diffs in all_diffs.items()
        ],
        actor=user,
    )


def _check_finding_change(finding: Finding, changes: dict, diffs: dict) -> None:
    kind = changes.get("kind", finding.kind)
    FindingKind(kind)
    cause = changes.get("cause_of_concern", finding.cause_of_concern)
    if cause is not None:
        if kind != FindingKind.RECOMMENDATION:
            raise DomainError(
                f"{finding.reference}: only a recommendation can answer a cause of concern."
            )
        if cause.inspection_id != finding.inspection_id:
            raise DomainError(f"{cause.reference} is a cause of concern of another inspection.")
    if "text" in diffs and not str(changes["text"]).strip():
        raise DomainError(f"{finding.reference}: the text cannot be empty.")
    if "reference" in diffs:
        reference = str(changes["reference"]).strip()
        if not reference:
            raise DomainError(f"{finding.reference}: the reference cannot be empty.")
        # Whatever the door (the admin, an import), as when a finding is created.
        check_reference_free(finding.inspection, reference, exclude=finding)


def _items_follow_due_dates(
    *, findings, previous: dict, user, reason: str, source: str = DueDateSource.INSPECTOR
) -> None:
    """Move the due date of every addressee whose date was still its finding's previous one,
    as ``item_set_due_date`` does for one (version bumped, a ``DueDateChange`` row and a
    log entry with the reason)."""
    if not reason.strip():
        raise DomainError("Give the reason for the new due date.")
    DueDateSource(source)
    drafts = [finding for finding in findings if not finding.inspection.is_published]
    if drafts:
        _draft_items_follow_due_dates(findings=drafts, previous=previous)
        findings = [finding for finding in findings if finding.inspection.is_published]
        if not findings:
            return
    new_due = {finding.pk: finding.due_date for finding in findings}
    candidates = (
        Item.objects.select_for_update(of=("self",))
        .select_related("finding", "organisation")
        .filter(finding_id__in=list(new_due))
    )
    following = [a for a in candidates if a.due_date == previous[a.finding_id]]
    at = timezone.now()
    # One UPDATE per combination of values rather than a CASE per row: an import often moves
    # thousands, and they mostly share their dates.
    by_values = {}
    changes = []
    for item in following:
        item.due_date = new_due[item.finding_id]
        item.version += 1
        changes.append(
            _due_date_change(
                item,
                previous=previous[item.finding_id],
                user=user,
                source=source,
                reason=reason,
                at=at,
            )
        )
        key = (
            item.due_date,
            item.original_due_date,
            item.overdue_when_extended,
        )
        by_values.setdefault(key, []).append(item.pk)
    for (due_date, original, extended_late), ids in by_values.items():
        Item.objects.filter(pk__in=ids).update(
            due_date=due_date,
            original_due_date=original,
            overdue_when_extended=extended_late,
            version=F("version") + 1,
        )
    DueDateChange.objects.bulk_create(changes, batch_size=1000)
    log_actions(
        entries=[
            (
                ITEM_DUE_DATE_CHANGED,
                change.item,
                {
                    "from": _logged_value(change.from_date),
                    "to": _logged_value(change.to_date),
                    "reason": reason,
                    "source": source,
                    "was_overdue": change.was_overdue,
                },
            )
            for change in changes
        ],
        actor=user,
    )


def _draft_items_follow_due_dates(*, findings, previous: dict) -> None:
    """Before publication a due date is still being written, not extended: the addressees
    follow their finding without a ``DueDateChange`` row (which the public pages would show as
    an extension) and without a version bump (which would count as history and stop an
    addressee named by mistake being removed). The finding's own log keeps the change."""
    for finding in findings:
        Item.objects.filter(finding_id=finding.pk, due_date=previous[finding.pk]).update(
            due_date=finding.due_date
        )
    # An earlier draft date may linger as the "original" of an item: it was never public.
    Item.objects.filter(finding_id__in=[f.pk for f in findings]).exclude(
        original_due_date=None
    ).update(original_due_date=None, overdue_when_extended=False)


@transaction.atomic
def progress_update_add(
    *,
    item: Item,
    author=None,
    narrative: str,
    self_assessment: str,
    written_on: date | None = None,
    publish: bool = False,
    channel: str = Channel.WEB,
    evidence=(),
    expected_version: int | None = None,
    corrects: ProgressUpdate | None = None,
    correction_reason: str = "",
) -> ProgressUpdate:
    """Record progress. The first update of an open finding moves it to "in progress".

    ``evidence`` holds uploaded files already accepted by ``evidence.check_evidence_file``.
    With ``expected_version``, an item changed by someone else since is refused
    (``StaleEditError``) and nothing is recorded. A closed item takes no update, only the
    correction of a published one (``corrects``). The narrative is kept to
    ``MAX_TEXT_LENGTH`` characters.
    """
    # Locked first: a decision closing the item meanwhile waits, or is seen.
    locked = _lock(item, expected_version)
    if not locked.is_active and corrects is None:
        raise DomainError(
            f"This item is closed: it is “{Status(locked.status).label}”, so it takes no more "
            "progress updates. A published update can still be corrected."
        )
    if not narrative.strip():
        raise DomainError("Describe the progress made.")
    check_text_length(narrative, "The progress update")
    if corrects is not None:
        check_text_length(correction_reason, "The reason for the correction")
    SelfAssessment(self_assessment)
    update = ProgressUpdate.objects.create(
        item=item,
        organisation=item.organisation,
        author=author if author is not None and author.is_authenticated else None,
        written_on=written_on or timezone.localdate(),
        narrative=narrative.strip(),
        self_assessment=self_assessment,
        # Evidence is attached before publication: a published update takes none afterwards.
        is_published=publish and not evidence,
        corrects=corrects,
        correction_reason=correction_reason.strip() if corrects is not None else "",
    )
    for upload in evidence:
        kind = check_evidence_file(upload)
        EvidenceFile.objects.create(
            update=update,
            file=upload,
            original_name=upload.name[:255],
            content_type=kind.content_type,
            size=upload.size,
        )
    if publish and not update.is_published:
        update.is_published = True
        update.save(update_fields=["is_published"])
    # The status as locked, not the caller's copy, which may predate an earlier update.
    if locked.status == Status.OPEN:
        item_start(item=locked, user=author, note="Progress update recorded.", channel=channel)
    return update


@transaction.atomic
def progress_update_correct(
    *,
    update: ProgressUpdate,
    author=None,
    narrative: str,
    reason: str,
    self_assessment: str | None = None,
    evidence=(),
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Correct a published update: a new published update that says what it corrects and why.
    The original stays as it was, on the public timeline beside its correction. Only the
    addressee's people correct (``policy.can_correct_update``); without an ``author`` (an
    import) the caller has checked."""
    if author is not None and not can_correct_update(author, update):
        raise DomainError("Only the people of the organisation that wrote it may correct it.")
    if not reason.strip():
        raise DomainError("Say what the correction puts right: it is published with it.")
    check_text_length(reason, "The reason for the correction")
    original = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if not original.is_published:
        raise DomainError(
            "Only a published update needs a correction; an internal one is simply followed by "
            "a new update."
        )
    if original.is_withdrawn:
        raise DomainError("This update has been withdrawn, so it cannot be corrected.")
    correction = progress_update_add(
        item=original.item,
        author=author,
        narrative=narrative,
        self_assessment=self_assessment or original.self_assessment,
        publish=True,
        channel=channel,
        evidence=evidence,
        expected_version=expected_version,
        corrects=original,
        correction_reason=reason,
    )
    log_action(
        action="recommendations.progress_update.corrected",
        obj=original,
        actor=author,
        data={"correction": correction.pk, "reason": correction.correction_reason},
    )
    return correction


@transaction.atomic
def progress_update_withdraw(*, update: ProgressUpdate, user, reason: str) -> ProgressUpdate:
    """Withdraw a published update for a legal reason. The public pages, the API and the feeds
    then show "Withdrawn on <date>: <reason>" instead of its text and evidence; inspectors
    still see the original. Only inspectors of the report and administrators may."""
    if not reason.strip():
        raise DomainError("Give the reason for the withdrawal: it is published in its place.")
    check_text_length(reason, "The reason for the withdrawal")
    locked = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if not can_withdraw_update(user, locked):
        raise DomainError(
            "Only an inspector of the report's inspectorates or an administrator may withdraw "
            "a progress update."
        )
    if not locked.is_published:
        raise DomainError("Only a published update can be withdrawn.")
    if locked.is_withdrawn:
        withdrawn_on = timezone.localdate(locked.withdrawn_at)
        raise DomainError(f"This update was already withdrawn on {withdrawn_on:%d %B %Y}.")
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = user
    locked.withdrawal_reason = reason.strip()
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    log_action(
        action="recommendations.progress_update.withdrawn",
        obj=locked,
        actor=user,
        data={"reason": locked.withdrawal_reason},
    )
    return locked


@transaction.atomic
def cause_of_concern_discharge(
    *, cause: CauseOfConcern, discharged_on: date, note: str, user=None
) -> CauseOfConcern:
    if not note.strip():
        raise DomainError("Say on what basis the cause of concern is discharged.")
    locked = CauseOfConcern.objects.select_for_update().get(pk=cause.pk)
    if locked.is_discharged:
        raise DomainError(f"{locked.reference} was already discharged on {locked.discharged_on}.")
    locked.discharged_on = discharged_on
    locked.discharge_note = note.strip()
    locked.save(update_fields=["discharged_on", "discharge_note"])
    log_action(
        action="recommendations.cause_of_concern.discharged",
        obj=locked,
        actor=user,
        data={"discharged_on": discharged_on.isoformat(), "note": locked.discharge_note},
    )
    return locked


def section55_expected_bodies(inspection: Inspection):
    """The local policing bodies that must comment: those of every police force inspected, if
    the report is one section 55 covers (an HMICFRS report, alone or joint, of a police
    programme: ``Inspection.section55_applies``). Never inferred from the addressees alone: a
    coroner's report, another inspectorate's report and a fire inspection start no clock."""
    applies = Inspection.objects.filter(pk=inspection.pk).section55_applies()
    return Organisation.objects.filter(
        Exists(applies),
        forces__in=inspection.organisations.filter(kind=OrganisationKind.POLICE_FORCE),
    ).distinct()


def _check_section55_expected(response: Section55Response):
    if (
        not section55_expected_bodies(response.inspection)
        .filter(pk=response.local_policing_body_id)
        .exists()
    ):
        raise DomainError(
            f"Section 55 of the Police Act 1996 does not ask {response.local_policing_body} "
            f"to comment on “{response.inspection}”."
        )


@transaction.atomic
def section55_open_responses(*, inspection: Inspection) -> list[Section55Response]:
    """Create the awaited responses of a published (or scheduled) police report. Idempotent."""
    if inspection.published_at is None:
        return []
    responses = []
    for body in section55_expected_bodies(inspection):
        response, _ = Section55Response.objects.get_or_create(
            inspection=inspection, local_policing_body=body
        )
        responses.append(response)
    return responses


def _check_section55_received_on(response: Section55Response, received_on: date) -> None:
    """A response is received on a real day: not in the future, not before the report it
    answers was published (the public would read it as received on time)."""
    day = f"{received_on.day} {received_on:%B %Y}"
    if received_on > timezone.localdate():
        raise DomainError(f"The response cannot be received on {day}: that is in the future.")
    published_on = response.inspection.published_on
    if published_on is not None and received_on < published_on:
        raise DomainError(
            f"The response cannot be received on {day}: the report was published on "
            f"{published_on.day} {published_on:%B %Y}."
        )


@transaction.atomic
def section55_record_response(
    *,
    response: Section55Response,
    received_on: date,
    url: str = "",
    text: str = "",
    statements: dict | None = None,
    user=None,
) -> Section55Response:
    """Record the published response, with per recommendation what was or will be done.

    ``statements`` maps a recommendation (``Finding``) to ``(action, text)``.
    """
    if not (url.strip() or text.strip()):
        raise DomainError("Give the link to the published response or its text.")
    if not response.inspection.is_published:
        raise DomainError("A section 55 response is due only once the report is published.")
    _check_section55_expected(response)
    _check_section55_received_on(response, received_on)
    statements = statements or {}
    for finding in statements:
        if finding.inspection_id != response.inspection_id:
            raise DomainError(f"{finding.reference} is not a finding of this report.")
        if finding.kind != FindingKind.RECOMMENDATION:
            raise DomainError(f"{finding.reference} is not a recommendation.")
    response.received_on = received_on
    response.url = url.strip()
    response.text = text.strip()
    response.save(update_fields=["received_on", "url", "text"])
    for finding, (action, statement_text) in statements.items():
        response.statements.update_or_create(
            finding=finding, defaults={"action": action, "text": statement_text}
        )
    log_action(
        action="recommendations.section55.received",
        obj=response,
        actor=user,
        data={"received_on": received_on.isoformat(), "url": response.url},
    )
    return response


@transaction.atomic
def item_submit_with_evidence(
    *,
    item: Item,
    user,
    note: str,
    evidence=(),
    publish: bool = True,
    expected_version: int | None = None,
    channel: str = Channel.WEB,
) -> Item:
    """An organisation says it is done: the evidence goes on an update, then the status moves.

    Both happen in one transaction, so a refused move leaves no orphan update behind.
    """
    locked = _lock(item, expected_version)
    item_check_transition(item=locked, to_status=Status.SUBMITTED, note=note)
    progress_update_add(
        item=locked,
        author=user,
        narrative=note,
        self_assessment=SelfAssessment.COMPLETE,
        publish=publish,
        evidence=evidence,
        channel=channel,
    )
    # The row stays locked in this transaction, so no one else's change can come in between;
    # the update above may itself have moved an open item to "in progress".
    return item_submit_for_closure(item=locked, user=user, note=note, channel=channel)


@transaction.atomic
def due_date_propose(*, item: Item, user, proposed_due_date: date, reason: str) -> DueDateProposal:
    locked = _lock(item, None)
    if not reason.strip():
        raise DomainError("Give the reason for the new due date.")
    if not locked.is_active:
        raise DomainError("A closed item has no due date to move.")
    if proposed_due_date <= timezone.localdate():
        raise DomainError("The new due date must be in the future.")
    if proposed_due_date == locked.due_date:
        raise DomainError("That is already the due date.")
    if locked.due_date_proposals.filter(status=ProposalStatus.PENDING).exists():
        raise DomainError("A new due date has already been proposed and awaits a decision.")
    proposal = DueDateProposal.objects.create(
        item=locked,
        proposed_due_date=proposed_due_date,
        reason=reason.strip(),
        proposed_by=user,
    )
    log_action(
        action="recommendations.due_date.proposed",
        obj=locked,
        actor=user,
        data={"proposed": proposed_due_date.isoformat(), "reason": proposal.reason},
    )
    return proposal


@transaction.atomic
def due_date_decide(
    *, proposal: DueDateProposal, user, agree: bool, note: str = ""
) -> DueDateProposal:
    """Agree (the due date moves, logged) or refuse (with a reason) a proposed due date."""
    # The item first, as every write to it does: a closure meanwhile is then seen, not raced.
    _lock(proposal.item, None)
    locked = DueDateProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PENDING:
        raise DomainError("This proposal has already been decided.")
    if agree and not locked.item.is_active:
        raise DomainError(
            "The item has been closed since the new due date was asked for, so there is no "
            "due date to move. Refuse the proposal, saying so."
        )
    if not agree and not note.strip():
        raise DomainError("Say why the new due date is refused.")
    locked.status = ProposalStatus.AGREED if agree else ProposalStatus.REFUSED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if agree:
        item_set_due_date(
            item=locked.item,
            due_date=locked.proposed_due_date,
            user=user,
            reason=f"Agreed on request: {locked.reason}",
            source=DueDateSource.AGREED_ON_REQUEST,
            proposal=locked,
        )
    log_action(
        action=f"recommendations.due_date.{locked.status}",
        obj=locked.item,
        actor=user,
        data={"proposed": locked.proposed_due_date.isoformat(), "note": locked.decision_note},
    )
    return locked


class StaleDraftError(DomainError):
    """The section 55 draft changed since the form was loaded."""


@transaction.atomic
def section55_save_draft(
    *,
    response: Section55Response,
    user,
    text: str,
    url: str = "",
    statements: dict | None = None,
    expected_version: int | None = None,
) -> Section55Response:
    """Keep the local policing body's draft response: text, link and per-recommendation lines.

    ``statements`` maps a recommendation (``Finding``) to ``(action, text)``; an empty text
    removes that line.
    """
    locked = Section55Response.objects.select_for_update().get(pk=response.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleDraftError(
            "Someone else saved this response while you were working on it, so your changes "
            "were not saved. The page now shows their version: make your changes again."
        )
    if locked.received_on is not None:
        raise DomainError("This response has been published and can no longer be changed.")
    if not locked.inspection.is_published:
        raise DomainError("A section 55 response is due only once the report is published.")
    _check_section55_expected(locked)
    locked.text = text.strip()
    locked.url = url.strip()
    locked.version += 1
    locked.save(update_fields=["text", "url", "version"])
    for finding, (action, statement_text) in (statements or {}).items():
        if finding.inspection_id != locked.inspection_id or (
            finding.kind != FindingKind.RECOMMENDATION
        ):
            raise DomainError(f"{finding.reference} is not a recommendation of this report.")
        if statement_text.strip():
            locked.statements.update_or_create(
                finding=finding, defaults={"action": action, "text": statement_text.strip()}
            )
        else:
            locked.statements.filter(finding=finding).delete()
    log_action(action="recommendations.section55.draft_saved", obj=locked, actor=user, data={})
    return locked


@transaction.atomic
def section55_publish(
    *, response: Section55Response, user, expected_version: int | None = None
) -> Section55Response:
    """Publish the draft: it needs its text or link and a statement for every recommendation."""
    locked = Section55Response.objects.select_for_update().get(pk=response.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleDraftError(
            "Someone else saved this response after you loaded it. Check their version, then "
            "publish again."
        )
    if locked.received_on is not None:
        raise DomainError("This response has already been published.")
    _check_section55_expected(locked)
    if not (locked.text or locked.url):
        raise DomainError("Write the response, or give the link to where it is published.")
    answered = set(locked.statements.values_list("finding_id", flat=True))
    missing = [
        f.reference
        for f in locked.inspection.findings.filter(kind=FindingKind.RECOMMENDATION)
        if f.pk not in answered
    ]
    if missing:
        raise DomainError(
            "Say what has been or will be done, or why nothing will, for every recommendation: "
            + ", ".join(missing)
            + " still need a statement."
        )
    locked.received_on = timezone.localdate()
    locked.version += 1
    locked.save(update_fields=["received_on", "version"])
    log_action(
        action="recommendations.section55.published",
        obj=locked,
        actor=user,
        data={"received_on": locked.received_on.isoformat()},
    )
    return locked


# Addressees: an item's organisation is never re-pointed ----------------------------------------


def _has_history(item: Item) -> bool:
    """Anything beyond its creation: a status change, an update, a due date moved or asked."""
    return (
        item.version != 1
        or item.status_changes.exists()
        or item.updates.exists()
        or item.due_date_proposals.exists()
    )


@transaction.atomic
def finding_remove_addressee(
    *, item: Item, user=None, reason: str, expected_version: int | None = None
) -> None:
    """Remove an addressee named by mistake, before the report is public and before the item
    has any history; logged on the finding. Afterwards use ``finding_replace_addressee``."""
    if not reason.strip():
        raise DomainError("Give the reason for removing the addressee.")
    locked = _lock(item, expected_version)
    finding = locked.finding
    if finding.inspection.is_published:
        raise DomainError(
            f"{locked} is public, so it cannot be removed: close it as no longer relevant and "
            "address the finding to the right organisation instead."
        )
    if _has_history(locked):
        raise DomainError(
            f"{locked} already has a history, so it cannot be removed: close it as no longer "
            "relevant and address the finding to the right organisation instead."
        )
    log_action(
        action=ITEM_REMOVED,
        obj=finding,
        actor=user,
        data={"organisation": locked.organisation.slug, "reason": reason.strip()},
    )
    locked.delete()


@transaction.atomic
def finding_replace_addressee(
    *,
    item: Item,
    organisation: Organisation,
    user=None,
    reason: str,
    expected_version: int | None = None,
    channel: str = Channel.ADMIN,
) -> Item:
    """Address the finding to ``organisation`` instead of the item's organisation.

    Before publication, an item without history is removed and the new one added. Otherwise
    the item keeps its history: it is closed as no longer relevant (if still active) with a
    note naming the new addressee, and a new item is added. Returns the new item.
    """
    if not reason.strip():
        raise DomainError("Give the reason for changing the addressee.")
    locked = _lock(item, expected_version)
    finding = locked.finding
    if organisation.pk == locked.organisation_id:
        raise DomainError(f"{locked} is already addressed to {organisation}.")
    if finding.items.filter(organisation=organisation).exists():
        raise DomainError(f"{finding.reference} is already addressed to {organisation}.")
    previous = locked.organisation
    if not finding.inspection.is_published and not _has_history(locked):
        finding_remove_addressee(item=locked, user=user, reason=reason)
    elif locked.is_active:
        item_close(
            item=locked,
            outcome=Status.CLOSED_NO_LONGER_RELEVANT,
            note=f"Addressed to {organisation} instead: {reason.strip()}",
            user=user,
            channel=channel,
        )
    (created,) = finding_add_addressees(finding=finding, organisations=[organisation], user=user)
    log_action(
        action=ITEM_REPLACED,
        obj=finding,
        actor=user,
        data={"from": previous.slug, "to": organisation.slug, "reason": reason.strip()},
    )
    return created


CAUSE_UPDATABLE_FIELDS = frozenset({"reference", "text", "text_cy", "position"})


@transaction.atomic
def cause_of_concern_update(
    *, cause: CauseOfConcern, changes: dict, user=None, reason: str = ""
) -> dict:
    """Change what a cause of concern says, logged with the old and new values. Once its report
    is public, a change is a correction: it needs a reason, which is published with it."""
    unknown = set(changes) - CAUSE_UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"Not a field cause_of_concern_update changes: {', '.join(unknown)}")
    locked = CauseOfConcern.objects.select_for_update().select_related("inspection")
    locked = locked.get(pk=cause.pk)
    diffs = {
        name: (getattr(locked, name), new)
        for name, new in changes.items()
        if getattr(locked, name) != new
    }
    if not diffs:
        return {}
    published = locked.inspection.is_published
    if published and not reason.strip():
        raise DomainError(
            f"{locked.reference} is public: give the reason for the correction, which is published."
        )
    if "text" in diffs and not str(diffs["text"][1]).strip():
        raise DomainError(f"{locked.reference}: the text cannot be empty.")
    if "reference" in diffs:
        reference = str(diffs["reference"][1]).strip()
        if not reference:
            raise DomainError(f"{locked.reference}: the reference cannot be empty.")
        check_reference_free(locked.inspection, reference, exclude=locked)
    for name, (_, new) in diffs.items():
        setattr(locked, name, new)
    locked.save(update_fields=list(diffs))
    log_action(
        action=(
            "recommendations.cause_of_concern.corrected"
            if published
            else "recommendations.cause_of_concern.edited"
        ),
        obj=locked,
        actor=user,
        data={
            "fields": {name: {"from": old, "to": new} for name, (old, new) in diffs.items()},
            "reason": reason.strip(),
        },
    )
    return diffs


# Publication. A report's publication opens its section 55 responses in the same transaction,
# so it is written here rather than in inspections.services, which may not import this module.


@transaction.atomic
def inspection_set_publication(
    *, inspection: Inspection, published_at: datetime | None, user=None, reason: str = ""
) -> Inspection:
    """Schedule, reschedule, cancel or publish. Once the moment has passed the report is public
    for good. ``reason`` (why the schedule was set, changed or cancelled) is logged with it;
    ``recommendations.publication.inspection_schedule_publication`` asks for one and checks
    the report first."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.published_at == published_at:
        return inspection
    if inspection.is_published:
        published = timezone.localtime(inspection.published_at)
        raise DomainError(
            f"“{inspection}” was published on {published:%d %B %Y} and cannot be withdrawn"
            " or re-dated."
        )
    previous = inspection.published_at
    inspection.published_at = published_at
    inspection.save(update_fields=["published_at", "updated_at"])
    if inspection.is_published:
        action = "inspections.inspection.published"
    elif published_at is None:
        action = "inspections.inspection.publication_cancelled"
    else:
        action = "inspections.inspection.publication_scheduled"
    log_action(
        action=action,
        obj=inspection,
        actor=user,
        data={
            "from": previous.isoformat() if previous else None,
            "to": published_at.isoformat() if published_at else None,
        }
        | ({"reason": reason.strip()} if reason.strip() else {}),
    )
    if published_at is not None:
        section55_open_responses(inspection=inspection)
    return inspection


def inspection_publish(*, inspection: Inspection, user=None) -> Inspection:
    return inspection_set_publication(inspection=inspection, published_at=timezone.now(), user=user)


# Writing a report: findings and causes of concern added, removed, reordered and renumbered
# in the report editor, before publication. After publication a finding stays on the record.


def _check_draft(inspection: Inspection, what: str) -> None:
    if inspection.is_published:
        raise DomainError(f"“{inspection}” is published: {what} only before publication.")


def check_reference_free(inspection: Inspection, reference: str, *, exclude=None) -> None:
    """References are unique in a report whatever their case ("r2" beside "R2" is one): raise
    ``DomainError`` if another finding or cause of concern than ``exclude`` has it."""
    taken = Finding.objects.filter(inspection=inspection, reference__iexact=reference)
    causes = CauseOfConcern.objects.filter(inspection=inspection, reference__iexact=reference)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk) if isinstance(exclude, Finding) else taken
        causes = causes.exclude(pk=exclude.pk) if isinstance(exclude, CauseOfConcern) else causes
    if taken.exists() or causes.exists():
        raise DomainError(f"The report already has a finding or cause of concern {reference}.")


@transaction.atomic
def cause_of_concern_create(
    *, inspection: Inspection, reference: str, text: str, user=None
) -> CauseOfConcern:
    Inspection.objects.select_for_update().get(pk=inspection.pk)
    _check_draft(inspection, "causes of concern are added")
    reference, text = reference.strip(), text.strip()
    if not reference or not text:
        raise DomainError("A cause of concern needs a reference and a text.")
    check_reference_free(inspection, reference)
    top = inspection.causes_of_concern.aggregate(top=models.Max("position"))["top"]
    cause = CauseOfConcern.objects.create(
        inspection=inspection,
        reference=reference,
        text=text,
        position=0 if top is None else top + 1,
    )
    log_action(
        action="recommendations.cause_of_concern.created",
        obj=cause,
        actor=user,
        data={"reference": reference},
    )
    return cause


@transaction.atomic
def finding_create(
    *,
    inspection: Inspection,
    kind: str,
    reference: str,
    text: str,
    organisations,
    user=None,
    cause_of_concern: CauseOfConcern | None = None,
    due_date: date | None = None,
    no_deadline: bool = False,
    deadline_wording: str = "",
    text_cy: str = "",
) -> Finding:
    """A new finding of a draft report, addressed to ``organisations`` (at least one: an empty
    addressee list never means "every organisation inspected"), with its Welsh text if any."""
    Inspection.objects.select_for_update().get(pk=inspection.pk)
    _check_draft(inspection, "findings are added")
    kind = FindingKind(kind)
    reference, text = reference.strip(), text.strip()
    organisations = list(organisations)
    if not reference or not text:
        raise DomainError("A finding needs a reference and a text.")
    if not organisations:
        raise DomainError(f"{reference}: choose at least one organisation it is addressed to.")
    if cause_of_concern is not None and (
        kind != FindingKind.RECOMMENDATION or cause_of_concern.inspection_id != inspection.pk
    ):
        raise DomainError(f"{reference}: only a recommendation of this report answers a cause.")
    if no_deadline and due_date is not None:
        raise DomainError(f"{reference}: choose a due date or “no deadline”, not both.")
    check_reference_free(inspection, reference)
    top = inspection.findings.filter(kind=kind).aggregate(top=models.Max("position"))["top"]
    finding = Finding.objects.create(
        inspection=inspection,
        kind=kind,
        reference=reference,
        text=text,
        text_cy=text_cy.strip(),
        cause_of_concern=cause_of_concern,
        due_date=due_date,
        no_deadline=no_deadline,
        deadline_wording=deadline_wording.strip(),
        position=0 if top is None else top + 1,
    )
    log_action(
        action="recommendations.finding.created",
        obj=finding,
        actor=user,
        data={"reference": reference, "kind": kind}
        | ({"text_cy": finding.text_cy} if finding.text_cy else {}),
    )
    findings_add_addressees(additions=[(finding, organisations)], user=user)
    return finding


@transaction.atomic
def finding_delete(*, finding: Finding, user=None, reason: str) -> None:
    """Remove a finding from a draft report (pasted twice, or not a finding at all); logged on
    the report. A published finding stays: close its items instead."""
    if not reason.strip():
        raise DomainError("Give the reason for removing the finding.")
    locked = Finding.objects.select_for_update(of=("self",)).select_related("inspection")
    locked = locked.get(pk=finding.pk)
    _check_draft(locked.inspection, "findings are removed")
    for item in locked.items.all():
        if _has_history(item):
            raise DomainError(f"{item} already has a history, so {locked.reference} stays.")
    log_action(
        action="recommendations.finding.deleted",
        obj=locked.inspection,
        actor=user,
        data={"reference": locked.reference, "text": locked.text, "reason": reason.strip()},
    )
    locked.delete()


@transaction.atomic
def cause_of_concern_delete(*, cause: CauseOfConcern, user=None, reason: str) -> None:
    if not reason.strip():
        raise DomainError("Give the reason for removing the cause of concern.")
    locked = CauseOfConcern.objects.select_for_update().select_related("inspection")
    locked = locked.get(pk=cause.pk)
    _check_draft(locked.inspection, "causes of concern are removed")
    if locked.recommendations.exists():
        raise DomainError(
            f"{locked.reference} has recommendations: remove them or move them first."
        )
    log_action(
        action="recommendations.cause_of_concern.deleted",
        obj=locked.inspection,
        actor=user,
        data={"reference": locked.reference, "text": locked.text, "reason": reason.strip()},
    )
    locked.delete()


def report_order(inspection: Inspection) -> list[Finding]:
    """The report's findings in the order it sets them out: each cause's recommendations
    beneath it (causes in order), then the other recommendations, then the areas for
    improvement, each by position."""
    causes = list(inspection.causes_of_concern.order_by("position", "pk").values_list("pk"))
    cause_rank = {pk: n for n, (pk,) in enumerate(causes)}
    findings = list(inspection.findings.all())

    def key(finding):
        if finding.kind == FindingKind.AREA_FOR_IMPROVEMENT:
            group = (2, 0)
        elif finding.cause_of_concern_id:
            group = (0, cause_rank.get(finding.cause_of_concern_id, 0))
        else:
            group = (1, 0)
        return (*group, finding.position, finding.pk)

    return sorted(findings, key=key)


@transaction.atomic
def finding_move(*, finding: Finding, up: bool, user=None) -> None:
    """Swap the finding with the one before (``up``) or after it in its group of the report
    (the same cause of concern, the other recommendations, or the areas for improvement)."""
    inspection = Inspection.objects.select_for_update().get(pk=finding.inspection_id)
    _check_draft(inspection, "findings are reordered")
    ordered = report_order(inspection)
    group = [
        f
        for f in ordered
        if f.kind == finding.kind and f.cause_of_concern_id == finding.cause_of_concern_id
    ]
    index = next(i for i, f in enumerate(group) if f.pk == finding.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(group):
        return
    group[index], group[other] = group[other], group[index]
    for position, member in enumerate(group):
        member.position = position
    Finding.objects.bulk_update(group, ["position"])
    log_action(
        action="recommendations.finding.moved",
        obj=inspection,
        actor=user,
        data={"order": [f.reference for f in group]},
    )


@transaction.atomic
def findings_renumber(*, inspection: Inspection, user=None) -> dict[str, str]:
    """Number the draft's causes of concern CoC1…, recommendations R1… and areas for
    improvement AFI1… in report order; returns ``{old: new}`` for what changed, logged."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _check_draft(inspection, "findings are renumbered")
    causes = list(inspection.causes_of_concern.order_by("position", "pk"))
    findings = report_order(inspection)
    counters = {FindingKind.RECOMMENDATION: 0, FindingKind.AREA_FOR_IMPROVEMENT: 0}
    prefixes = {FindingKind.RECOMMENDATION: "R", FindingKind.AREA_FOR_IMPROVEMENT: "AFI"}
    new = {}
    for n, cause in enumerate(causes, start=1):
        new[cause] = f"CoC{n}"
    for finding in findings:
        counters[finding.kind] += 1
        new[finding] = f"{prefixes[finding.kind]}{counters[finding.kind]}"
    renamed = {obj: ref for obj, ref in new.items() if obj.reference != ref}
    if not renamed:
        return {}
    changes = {obj.reference: ref for obj, ref in renamed.items()}
    # Two steps, so that R2 can become R1 while R1 becomes R2 under the unique constraint.
    for step in ("temporary", "final"):
        for obj, ref in renamed.items():
            obj.reference = f"~{type(obj).__name__[0]}{obj.pk}" if step == "temporary" else ref
        for model in (CauseOfConcern, Finding):
            rows = [obj for obj in renamed if isinstance(obj, model)]
            if rows:
                model.objects.bulk_update(rows, ["reference"])
    log_action(
        action="recommendations.findings.renumbered",
        obj=inspection,
        actor=user,
        data={"changes": changes},
    )
    return changes


# The factual-accuracy check ------------------------------------------------------------------
#
# Who may act is the policy's (each function asks it, whatever door it is called from); what
# the check allows (open, closing day, finding of the report) is decided here.


class NotAllowed(DomainError):
    """The person may not do this (the views answer 403 or 404 before it gets here)."""


@transaction.atomic
def factual_accuracy_check_open(
    *, inspection: Inspection, user, closes_on: date
) -> FactualAccuracyCheck:
    """Share the draft with the leads of the inspected organisations until ``closes_on``."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not can_open_factual_accuracy_check(user, inspection):
        raise NotAllowed(
            "Only an inspector of the lead inspectorate may open a factual-accuracy check, "
            "and only before the report is published."
        )
    if closes_on < timezone.localdate():
        raise DomainError("The closing date must be today or later.")
    if inspection.factual_accuracy_checks.filter(closed_at__isnull=True).exists():
        raise DomainError("A factual-accuracy check of this report is already open.")
    check = FactualAccuracyCheck.objects.create(
        inspection=inspection, opened_by=user, closes_on=closes_on
    )
    log_action(
        action="recommendations.factual_accuracy_check.opened",
        obj=check,
        actor=user,
        data={"inspection": inspection.pk, "closes_on": closes_on.isoformat()},
    )
    return check


def _lock_check(check: FactualAccuracyCheck) -> FactualAccuracyCheck:
    return (
        FactualAccuracyCheck.objects.select_for_update(of=("self",))
        .select_related("inspection")
        .get(pk=check.pk)
    )


@transaction.atomic
def factual_accuracy_check_close(*, check: FactualAccuracyCheck, user) -> FactualAccuracyCheck:
    """End the check before (or after) its closing day: no more comments; answers go on."""
    check = _lock_check(check)
    if check.closed_at is not None:
        raise DomainError("This factual-accuracy check is already closed.")
    if not can_close_factual_accuracy_check(user, check):
        raise NotAllowed("Only an inspector of the lead inspectorate may close the check.")
    check.closed_at = timezone.now()
    check.closed_by = user
    check.save(update_fields=["closed_at", "closed_by"])
    log_action(
        action="recommendations.factual_accuracy_check.closed",
        obj=check,
        actor=user,
        data={"comments": check.comments.count()},
    )
    return check


@transaction.atomic
def factual_accuracy_comment_add(
    *, check: FactualAccuracyCheck, user, organisation: Organisation, text: str, finding=None
) -> FactualAccuracyComment:
    """An inspected organisation's comment on one finding of the draft, or (``finding`` None)
    on the report as a whole."""
    check = _lock_check(check)
    if not check.takes_comments():
        raise DomainError(
            f"The factual-accuracy check closed on {check.closes_on:%d %B %Y}: "
            "comments are no longer taken. Contact the inspection team directly."
        )
    if not can_comment_on_factual_accuracy_check(user, check, organisation):
        raise NotAllowed("Only a lead of an inspected organisation may comment on the draft.")
    if finding is not None and finding.inspection_id != check.inspection_id:
        raise DomainError("That finding is not part of this report.")
    text = text.strip()
    if not text:
        raise DomainError("Enter your comment.")
    check_text_length(text, "The comment")
    comment = FactualAccuracyComment.objects.create(
        accuracy_check=check, finding=finding, organisation=organisation, author=user, text=text
    )
    log_action(
        action="recommendations.factual_accuracy_comment.added",
        obj=comment,
        actor=user,
        data={"check": check.pk, "finding": finding.pk if finding else None},
    )
    return comment


@transaction.atomic
def factual_accuracy_comment_answer(
    *, comment: FactualAccuracyComment, user, response: str, reply: str = ""
) -> FactualAccuracyComment:
    """The inspector's answer: accepted or not, with a reply (needed when not accepted). An
    answer may be changed; the log keeps each one."""
    comment = FactualAccuracyComment.objects.select_for_update().get(pk=comment.pk)
    if not can_answer_factual_accuracy_comment(user, comment):
        raise NotAllowed(
            "Only an inspector of the report's lead or partner inspectorates may answer."
        )
    response = FactualAccuracyResponse(response)
    reply = reply.strip()
    if response == FactualAccuracyResponse.NOT_ACCEPTED and not reply:
        raise DomainError("Say why the comment is not accepted: the organisation reads your reply.")
    check_text_length(reply, "The reply")
    previous = comment.response
    comment.response = response
    comment.reply = reply
    comment.replied_by = user
    comment.replied_at = timezone.now()
    comment.save(update_fields=["response", "reply", "replied_by", "replied_at"])
    log_action(
        action="recommendations.factual_accuracy_comment.answered",
        obj=comment,
        actor=user,
        data={"from": previous, "to": str(response), "reply": reply},
    )
    return comment
