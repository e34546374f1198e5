"""Shared machinery of the doors (portal, workspace): one-time form submissions.

core imports nothing else of the project, so that every app may use it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class FormSubmission(models.Model):
    """One form as one person was shown it, which may be sent once.

    A form that writes carries the token of its row. Sending it marks the row used and notes
    what the submission did (``outcome``, such as "accepted this"), so that the same form sent
    again (Back then send, a double click, a replay) is refused with what already happened.
    """

    token = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=60, help_text="Which form, e.g. workspace.decide.")
    object_type = models.CharField(
        max_length=100, blank=True, help_text="The model label of the object it was shown for."
    )
    object_id = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=200, blank=True, help_text="What sending it did, as in “You accepted this”."
    )
    result_type = models.CharField(max_length=100, blank=True)
    result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token"], name="formsubmission_token_unique"),
            models.CheckConstraint(
                condition=Q(used_at__isnull=False) | Q(outcome="", result_id=""),
                name="formsubmission_outcome_after_use",
            ),
        ]
        indexes = [
            # The clean-up on issue: FormSubmission.objects.filter(user=u, issued_at__lt=t).
            models.Index(fields=["user", "issued_at"], name="formsubmission_user_idx"),
            # The clear_form_submissions command: filter(issued_at__lt=t) for everyone.
            models.Index(fields=["issued_at"], name="formsubmission_issued_idx"),
        ]

    def __str__(self):
        state = f"used {self.used_at:%Y-%m-%d %H:%M}" if self.used_at else "unused"
        return f"{self.purpose} for {self.object_type} {self.object_id} ({state})"
