from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJobStatus(models.TextChoices):
    """Where a large import applied in the background stands (``imports.models.ImportJob``)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


# A job in one of these is done with: it is never run again.
DONE_STATUSES = frozenset({ImportJobStatus.FINISHED, ImportJobStatus.FAILED})
