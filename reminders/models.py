from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reminders.choices import ReminderKind


class ReminderPreference(models.Model):
    """Which kinds of reminder a person wants. No row means every kind is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    due_soon = models.BooleanField(ReminderKind.DUE_SOON.label, default=True)
    overdue = models.BooleanField(ReminderKind.OVERDUE.label, default=True)
    awaiting_review = models.BooleanField(ReminderKind.AWAITING_REVIEW.label, default=True)
    review_outcome = models.BooleanField(ReminderKind.REVIEW_OUTCOME.label, default=True)
    section55 = models.BooleanField(ReminderKind.SECTION_55.label, default=True)
    factual_accuracy = models.BooleanField(ReminderKind.FACTUAL_ACCURACY.label, default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = "reminder preference"
        constraints = [
            models.UniqueConstraint(name="reminderpreference_one_per_user", fields=["user"]),
        ]

    def __str__(self):
        return f"Reminder choices of {self.user}"

    def enabled_kinds(self) -> frozenset[str]:
        return frozenset(kind for kind in ReminderKind.values if getattr(self, kind))


class Digest(models.Model):
    """One daily email sent to one person: the record that stops a second one that day.

    It is written in the same transaction as the send, so a send that fails leaves no row and
    the next run tries again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    day = models.DateField(help_text="The day the digest is for.")
    sent_at = models.DateTimeField()
    covered_until = models.DateTimeField(
        help_text="Review outcomes up to this moment were reported; the next digest starts here."
    )
    email = models.EmailField("sent to", max_length=254)
    subject = models.CharField(max_length=300)
    summary = models.JSONField(
        default=dict, help_text="Items by kind: {kind: [references]}, as sent."
    )

    class Meta:
        ordering = ["-day", "user__username"]
        get_latest_by = "day"
        constraints = [
            models.UniqueConstraint(name="digest_one_per_user_and_day", fields=["user", "day"]),
            models.CheckConstraint(
                name="digest_covers_no_later_than_sent",
                condition=Q(covered_until__lte=F("sent_at")),
            ),
        ]
        indexes = [
            # send_reminders: who already had the day's digest (filter on day alone).
            models.Index(fields=["day"], name="digest_day_idx"),
        ]

    def __str__(self):
        return f"Digest of {self.day.isoformat()} for {self.user}"

    def counts(self) -> dict[str, int]:
        return {kind: len(self.summary.get(kind, [])) for kind in ReminderKind.values}

    @property
    def item_count(self) -> int:
        return sum(self.counts().values())
