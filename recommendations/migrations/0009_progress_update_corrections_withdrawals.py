"""Published progress updates stay: corrections say what they correct; a withdrawal for a
legal reason keeps a dated public note and the original for inspectors."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0008_assignment_status_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="progressupdate",
            name="correction_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="corrects",
            field=models.ForeignKey(
                blank=True,
                help_text="The earlier published update this one corrects.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corrections",
                to="recommendations.progressupdate",
            ),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="withdrawal_reason",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="progressupdate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("corrects__isnull", True), ("correction_reason", "")),
                    models.Q(
                        ("corrects__isnull", False),
                        models.Q(("correction_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="progressupdate_correction_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="progressupdate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("withdrawn_at__isnull", True), ("withdrawal_reason", "")),
                    models.Q(
                        ("withdrawn_at__isnull", False),
                        models.Q(("withdrawal_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="progressupdate_withdrawal_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="progressupdate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("withdrawn_at__isnull", True), ("is_published", True), _connector="OR"
                ),
                name="progressupdate_only_published_withdrawn",
            ),
        ),
    ]
