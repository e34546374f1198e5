from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from alerts.choices import MAX_QUERY_LENGTH, Frequency, Scope
from core.choices import Language
from inspections.models import Inspection, Organisation


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)


class Subscription(models.Model):
    """A member of the public's request for emails about an organisation, an inspection or a
    search. The address is kept only while the subscription lasts: unsubscribing deletes the
    row, and one never confirmed is deleted after ``UNCONFIRMED_KEEP`` (``alerts_cleanup``).

    Not written to the audit log on purpose: the log is append-only, and an address in it could
    never be deleted.
    """

    email = models.EmailField(max_length=254)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_subscriptions",
    )
    query = models.CharField(
        max_length=MAX_QUERY_LENGTH,
        blank=True,
        help_text="The browse page's query string, checked by its filters and put in order.",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    # The language of the emails: the page's language when the person asked (Welsh under /cy/).
    language = models.CharField(
        max_length=10,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_default=Language.ENGLISH,
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    covered_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Changes up to this moment were sent (or predate the confirmation).",
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="subscription_scope_valid", condition=Q(scope__in=Scope.values)
            ),
            models.CheckConstraint(
                name="subscription_frequency_valid", condition=Q(frequency__in=Frequency.values)
            ),
            models.CheckConstraint(
                name="subscription_target_matches_scope",
                condition=(
                    Q(
                        scope=Scope.ORGANISATION,
                        organisation__isnull=False,
                        inspection__isnull=True,
                        query="",
                    )
                    | Q(
                        scope=Scope.INSPECTION,
                        organisation__isnull=True,
                        inspection__isnull=False,
                        query="",
                    )
                    | Q(scope=Scope.SEARCH, organisation__isnull=True, inspection__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="subscription_confirmed_after_created",
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_at__gte=F("created_at")),
            ),
            # One subscription per address and thing followed: asking again resends the
            # confirmation rather than doubling the emails.
            models.UniqueConstraint(
                name="subscription_one_per_address_and_organisation",
                fields=["email", "organisation"],
                condition=Q(scope=Scope.ORGANISATION),
            ),
            models.UniqueConstraint(
                name="subscription_one_per_address_and_inspection",
                fields=["email", "inspection"],
                condition=Q(scope=Scope.INSPECTION),
            ),
            models.UniqueConstraint(
                name="subscription_one_per_address_and_search",
                fields=["email", "query"],
                condition=Q(scope=Scope.SEARCH),
            ),
        ]
        indexes = [
            # alerts_cleanup: unconfirmed subscriptions older than the limit.
            models.Index(
                fields=["created_at"],
                name="subscription_unconfirmed_idx",
                condition=Q(confirmed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} ({self.get_frequency_display().split(':')[0]})"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class AlertDigest(models.Model):
    """One digest sent for one subscription for one period (a day, or a week starting on a
    Monday): the record that stops a second one. Written in the same transaction as the send,
    so a send that fails leaves no row and the next run tries again. It holds no address."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    period_start = models.DateField(help_text="The day, or the Monday of the week, sent for.")
    sent_at = models.DateTimeField()
    covered_from = models.DateTimeField()
    covered_until = models.DateTimeField()
    change_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-period_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                name="alertdigest_one_per_subscription_and_period",
                fields=["subscription", "period_start"],
            ),
            models.CheckConstraint(
                name="alertdigest_covers_forwards",
                condition=Q(covered_from__lt=F("covered_until")),
            ),
        ]
        indexes = [
            # alerts_send: which subscriptions already had this period's digest.
            models.Index(fields=["period_start"], name="alertdigest_period_idx"),
        ]

    def __str__(self):
        return f"Alert digest for {self.period_start.isoformat()}"
