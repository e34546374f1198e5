"""The factual-accuracy check of a draft report: the check and the organisations' comments."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_section55_applicability_data"),
        ("recommendations", "0014_finding_no_deadline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FactualAccuracyCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("opened_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "closes_on",
                    models.DateField(help_text="The last day the organisations may comment."),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "inspection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="factual_accuracy_checks",
                        to="inspections.inspection",
                    ),
                ),
                (
                    "opened_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-opened_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="FactualAccuracyComment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "response",
                    models.CharField(
                        blank=True,
                        choices=[("accepted", "Accepted"), ("not_accepted", "Not accepted")],
                        default="",
                        max_length=20,
                    ),
                ),
                ("reply", models.TextField(blank=True)),
                ("replied_at", models.DateTimeField(blank=True, null=True)),
                (
                    "accuracy_check",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="recommendations.factualaccuracycheck",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: a comment on the report as a whole.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="factual_accuracy_comments",
                        to="recommendations.finding",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="factual_accuracy_comments",
                        to="inspections.organisation",
                    ),
                ),
                (
                    "replied_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["accuracy_check", "created_at", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="factualaccuracycheck",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed_at__isnull", True)),
                fields=("inspection",),
                name="factualaccuracycheck_one_open_per_inspection",
            ),
        ),
        migrations.AddConstraint(
            model_name="factualaccuracycheck",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("closed_at__isnull", True),
                    ("closed_at__gte", models.F("opened_at")),
                    _connector="OR",
                ),
                name="factualaccuracycheck_closed_after_opened",
            ),
        ),
        migrations.AddIndex(
            model_name="factualaccuracycomment",
            index=models.Index(
                fields=["accuracy_check", "finding"], name="facomment_check_finding_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="factualaccuracycomment",
            constraint=models.CheckConstraint(
                condition=models.Q(("text", ""), _negated=True),
                name="factualaccuracycomment_text_not_blank",
            ),
        ),
        migrations.AddConstraint(
            model_name="factualaccuracycomment",
            constraint=models.CheckConstraint(
                condition=models.Q(("response__in", ["accepted", "not_accepted", ""])),
                name="factualaccuracycomment_response_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="factualaccuracycomment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("response", ""), ("replied_at__isnull", True), ("reply", "")),
                    models.Q(
                        models.Q(("response", ""), _negated=True), ("replied_at__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="factualaccuracycomment_replied_when_answered",
            ),
        ),
        migrations.AddConstraint(
            model_name="factualaccuracycomment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("response", "not_accepted"), _negated=True),
                    models.Q(("reply", ""), _negated=True),
                    _connector="OR",
                ),
                name="factualaccuracycomment_not_accepted_has_reply",
            ),
        ),
    ]
