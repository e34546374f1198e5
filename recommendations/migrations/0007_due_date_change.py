"""Due-date changes become public events: a typed, append-only row per change, and the
item keeps its first due date and whether it was ever extended while overdue."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
        ("recommendations", "0006_finding_published_join_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DueDateChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_date", models.DateField(blank=True, null=True)),
                ("to_date", models.DateField(blank=True, null=True)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            (
                                "agreed_on_request",
                                "Agreed by the inspectorate at the organisation's request",
                            ),
                            ("inspector", "Changed by the inspectorate"),
                            ("import", "Changed when the report's findings were imported again"),
                            ("system", "Changed by the tracker"),
                        ],
                        max_length=20,
                    ),
                ),
                ("reason", models.TextField()),
                (
                    "was_overdue",
                    models.BooleanField(
                        help_text="The item was active and past its old due date when the date changed."
                    ),
                ),
            ],
            options={
                "ordering": ["assignment", "changed_at", "pk"],
            },
        ),
        migrations.AddField(
            model_name="assignment",
            name="original_due_date",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="assignment",
            name="overdue_when_extended",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="duedatechange",
            name="assignment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="due_date_changes",
                to="recommendations.assignment",
            ),
        ),
        migrations.AddField(
            model_name="duedatechange",
            name="changed_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when a command or the system made the change.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="duedatechange",
            name="proposal",
            field=models.ForeignKey(
                blank=True,
                help_text="The addressee's request, when the new date was agreed on request.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="recommendations.duedateproposal",
            ),
        ),
        migrations.AddIndex(
            model_name="duedatechange",
            index=models.Index(fields=["-changed_at"], name="duedatechange_recent_idx"),
        ),
        migrations.AddConstraint(
            model_name="duedatechange",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_date", models.F("to_date")), _negated=True),
                name="duedatechange_is_a_change",
            ),
        ),
        migrations.AddConstraint(
            model_name="duedatechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("source__in", ["agreed_on_request", "inspector", "import", "system"])
                ),
                name="duedatechange_source_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="duedatechange",
            constraint=models.CheckConstraint(
                condition=models.Q(("reason", ""), _negated=True),
                name="duedatechange_reason_not_blank",
            ),
        ),
    ]
