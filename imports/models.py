"""A large import confirmed in the admin, applied by a background job (``imports.tasks``).

The row is written when the inspector confirms the preview, with the stored upload and the
digest of the plan they saw, and it is what the status page shows. Its ``key`` is the preview's
token, unique: confirming the same preview twice (a double click, two tabs) queues one job.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from imports.choices import ImportJobStatus
from inspections.models import Inspection


class ImportJob(models.Model):
    key = models.CharField(
        max_length=64, help_text="The preview's token: one job per confirmed preview."
    )
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="import_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        help_text="Who confirmed the import: the history of what it writes names them.",
    )
    filename = models.CharField(max_length=200)
    stored_file = models.CharField(
        max_length=300,
        help_text="The upload in the default storage; deleted once the import has finished, "
        "kept for 30 days when it failed, for the inspector to download, correct and upload "
        "again.",
    )
    sha256 = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, help_text="The plan the inspector confirmed.")
    rows = models.PositiveIntegerField(help_text="Rows of the file, as previewed.")
    status = models.CharField(
        max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    created = models.PositiveIntegerField(null=True, blank=True)
    updated = models.PositiveIntegerField(null=True, blank=True)
    unchanged = models.PositiveIntegerField(null=True, blank=True)
    problems = models.JSONField(
        default=list, blank=True, help_text="Why it failed: messages for the status page."
    )
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(name="importjob_one_per_preview", fields=["key"]),
            models.CheckConstraint(
                name="importjob_status_allowed",
                condition=Q(status__in=ImportJobStatus.values),
            ),
            models.CheckConstraint(
                name="importjob_counts_once_finished",
                condition=~Q(status=ImportJobStatus.FINISHED) | Q(created__isnull=False),
            ),
        ]
        indexes = [
            # The stale-upload sweep: the stored files of jobs not finished are kept.
            models.Index(fields=["stored_file"], name="importjob_stored_file_idx"),
        ]

    def __str__(self):
        return f"Import of {self.filename} into {self.inspection}"

    @property
    def is_done(self) -> bool:
        return self.status in (ImportJobStatus.FINISHED, ImportJobStatus.FAILED)
