"""How each item's present status was reached (the source of the change that reached it)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_status_source(apps, schema_editor):
    Assignment = apps.get_model("recommendations", "Assignment")
    StatusChange = apps.get_model("recommendations", "StatusChange")
    latest = (
        StatusChange.objects.filter(assignment=OuterRef("pk"))
        .order_by("-changed_at", "-pk")
        .values("source")[:1]
    )
    Assignment.objects.update(status_source=Coalesce(Subquery(latest), Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0007_due_date_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="status_source",
            field=models.CharField(
                blank=True,
                choices=[
                    ("organisation", "Self-reported by the organisation"),
                    ("inspectorate", "Verified by the inspectorate"),
                    ("system", "Recorded by the tracker"),
                ],
                default="",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.RunPython(fill_status_source, migrations.RunPython.noop),
    ]
