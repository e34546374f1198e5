"""One name for one concept: the model ``Assignment`` is now ``Item``, the name the pages, the
API and the README use for one finding's tracking for one addressee.

The rename keeps every row: the table, the foreign-key columns, the named constraints and
indexes are renamed, the content type follows the model (Django's contenttypes does that for
``RenameModel``), and the permissions keep the people and groups that hold them. The
progress-update trigger of 0010 names its columns, so it is written again with ``item_id``.

The audit log keeps its actions' names (``recommendations.assignment.created`` and so on): it is
append-only, and an entry must be found by one name for ever.
"""

from django.db import migrations, models
from django.db.models import Q

PERMISSION_ACTIONS = ("add", "change", "delete", "view")
# The statuses as they are today, written out: a migration must not change when the code does.
STATUSES = [
    "open",
    "in_progress",
    "submitted",
    "closed_complete",
    "closed_not_implemented",
    "closed_superseded",
    "closed_no_longer_relevant",
]

PUBLISHED_STAYS = """
CREATE OR REPLACE FUNCTION recommendations_progressupdate_published_stays() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.is_published THEN
            RAISE EXCEPTION 'A published progress update cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.is_published AND NOT (
        OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
        AND ROW(NEW_COLUMNS) IS NOT DISTINCT FROM ROW(OLD_COLUMNS)
    ) THEN
        RAISE EXCEPTION 'A published progress update cannot be changed, only withdrawn';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
KEPT_COLUMNS = (
    "ITEM_COLUMN",
    "organisation_id",
    "author_id",
    "written_on",
    "narrative",
    "self_assessment",
    "is_published",
    "created_at",
    "corrects_id",
    "correction_reason",
)


def published_stays(item_column: str) -> str:
    columns = [item_column if c == "ITEM_COLUMN" else c for c in KEPT_COLUMNS]
    return PUBLISHED_STAYS.replace("NEW_COLUMNS", ", ".join(f"NEW.{c}" for c in columns)).replace(
        "OLD_COLUMNS", ", ".join(f"OLD.{c}" for c in columns)
    )


def trigger_names_item(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(published_stays("item_id"))


def trigger_names_assignment(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(published_stays("assignment_id"))


def rename_permissions(old: str, new: str):
    def rename(apps, schema_editor):
        Permission = apps.get_model("auth", "Permission")
        for action in PERMISSION_ACTIONS:
            Permission.objects.filter(
                content_type__app_label="recommendations", codename=f"{action}_{old}"
            ).update(codename=f"{action}_{new}", name=f"Can {action} {new}")

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inspections", "0001_initial"),
        ("recommendations", "0011_due_date_changes_from_log"),
    ]

    operations = [
        # The old names go first, while the fields they name still have their old names.
        migrations.RemoveConstraint(
            model_name="assignment", name="assignment_one_per_finding_and_organisation"
        ),
        migrations.RemoveConstraint(model_name="assignment", name="assignment_status_valid"),
        migrations.RemoveConstraint(
            model_name="assignment", name="assignment_superseded_has_successor"
        ),
        migrations.RemoveConstraint(
            model_name="assignment", name="assignment_not_superseded_by_itself"
        ),
        migrations.RemoveConstraint(
            model_name="duedateproposal", name="duedateproposal_one_pending_per_assignment"
        ),
        migrations.RenameModel("Assignment", "Item"),
        migrations.AlterField(
            model_name="item",
            name="finding",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="items",
                to="recommendations.finding",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="organisation",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="items",
                to="inspections.organisation",
            ),
        ),
        migrations.RenameField("duedateproposal", "assignment", "item"),
        migrations.RenameField("duedatechange", "assignment", "item"),
        migrations.RenameField("statuschange", "assignment", "item"),
        migrations.RenameField("progressupdate", "assignment", "item"),
        migrations.AlterModelOptions(
            name="duedatechange",
            options={"ordering": ["item", "changed_at", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="statuschange",
            options={"get_latest_by": "changed_at", "ordering": ["item", "changed_at", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="progressupdate",
            options={"ordering": ["item", "-written_on", "-pk"]},
        ),
        migrations.RenameIndex(
            model_name="item", new_name="item_status_due_idx", old_name="assignment_status_due_idx"
        ),
        migrations.RenameIndex(
            model_name="item", new_name="item_org_status_idx", old_name="assignment_org_status_idx"
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(
                fields=("finding", "organisation"), name="item_one_per_finding_and_organisation"
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=Q(status__in=STATUSES), name="item_status_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=(Q(status="closed_superseded") & Q(superseded_by__isnull=False))
                | (~Q(status="closed_superseded") & Q(superseded_by__isnull=True)),
                name="item_superseded_has_successor",
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=~Q(superseded_by=models.F("finding")),
                name="item_not_superseded_by_itself",
            ),
        ),
        migrations.AddConstraint(
            model_name="duedateproposal",
            constraint=models.UniqueConstraint(
                condition=Q(status="pending"),
                fields=("item",),
                name="duedateproposal_one_pending_per_item",
            ),
        ),
        migrations.RunPython(
            rename_permissions("assignment", "item"), rename_permissions("item", "assignment")
        ),
        migrations.RunPython(trigger_names_item, trigger_names_assignment),
    ]
