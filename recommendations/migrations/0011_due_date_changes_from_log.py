"""Due-date changes made before they were public events: one DueDateChange row per logged
``recommendations.assignment.due_date_changed`` action, and each item's first due date.

How each change was made is read from its logged reason: the import logged "import of <file
name>", an agreed proposal "Agreed on request: ...", anything else was an inspector's edit.
Entries logged since the due-date history began (they carry their ``source``) already have
their row, and so does an entry met again (migrating back and forward): neither gets a second.
"""

from datetime import date

from django.db import migrations
from django.utils import timezone

ACTIVE_STATUSES = ("open", "in_progress", "submitted")
AGREED_PREFIX = "Agreed on request: "
IMPORT_PREFIX = "import of "  # imports.services: source = f"import of {filename}"


def _day(value):
    return date.fromisoformat(value) if value else None


def _source(reason):
    if reason.startswith(AGREED_PREFIX):
        return "agreed_on_request"
    if reason.startswith(IMPORT_PREFIX):
        return "import"
    return "inspector"


def rows_from_log(apps, schema_editor):
    ActionLog = apps.get_model("audit", "ActionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Assignment = apps.get_model("recommendations", "Assignment")
    DueDateChange = apps.get_model("recommendations", "DueDateChange")
    try:
        content_type = ContentType.objects.get(app_label="recommendations", model="assignment")
    except ContentType.DoesNotExist:
        return
    logs = ActionLog.objects.filter(
        action="recommendations.assignment.due_date_changed", content_type=content_type
    ).order_by("at", "pk")
    assignments = Assignment.objects.in_bulk(
        {int(pk) for pk in logs.values_list("object_id", flat=True)}
    )
    # What is already recorded: a second run, or rows the services wrote with their entries.
    recorded = set(
        DueDateChange.objects.filter(assignment_id__in=list(assignments)).values_list(
            "assignment_id", "changed_at"
        )
    )
    changes, firsts, extended_late = [], {}, set()
    for log in logs.iterator():
        assignment = assignments.get(int(log.object_id))
        if assignment is None:
            continue
        data = log.data or {}
        if "source" in data or (assignment.pk, log.at) in recorded:
            continue
        from_date, to_date = _day(data.get("from")), _day(data.get("to"))
        if from_date == to_date:
            continue
        reason = (data.get("reason") or "").strip() or "No reason was recorded."
        # Whether the item was overdue then: its status at that time is unknown, so an item
        # is taken as active unless it is closed now and was closed before the change.
        changed_on = timezone.localdate(log.at)
        closed_before = (
            assignment.status not in ACTIVE_STATUSES
            and assignment.status_changed_at is not None
            and assignment.status_changed_at <= log.at
        )
        was_overdue = bool(from_date and from_date < changed_on and not closed_before)
        changes.append(
            DueDateChange(
                assignment_id=assignment.pk,
                from_date=from_date,
                to_date=to_date,
                changed_at=log.at,
                changed_by_id=log.actor_id,
                source=_source(reason),
                reason=reason,
                was_overdue=was_overdue,
            )
        )
        firsts.setdefault(assignment.pk, from_date)
        if was_overdue and to_date and to_date > from_date:
            extended_late.add(assignment.pk)
    DueDateChange.objects.bulk_create(changes, batch_size=1000)
    for pk, first in firsts.items():
        Assignment.objects.filter(pk=pk).update(original_due_date=first)
    Assignment.objects.filter(pk__in=extended_late).update(overdue_when_extended=True)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0010_published_updates_stay"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(rows_from_log, migrations.RunPython.noop)]
