from django.contrib.auth.models import AbstractUser
from django.db import models

from core.choices import Language


class User(AbstractUser):
    """A person who signs in: an inspector, someone of an organisation, or an administrator.

    An inspector belongs to an inspectorate; an organisation user belongs to one or more
    organisations through memberships.
    """

    inspectorate = models.ForeignKey(
        "inspections.Inspectorate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspectors",
        help_text="Set for inspectors only.",
    )
    organisations = models.ManyToManyField(
        "inspections.Organisation",
        through="Membership",
        related_name="members",
        blank=True,
    )
    # The language of the reminders: set from the page's language when the person saves their
    # reminder choices (in Welsh under /cy/).
    language = models.CharField(
        max_length=10,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_default=Language.ENGLISH,
        help_text="The language of the emails the tracker sends this person.",
    )

    @property
    def is_inspector(self):
        """Inspectors review and decide; administrators may do whatever inspectors do."""
        return self.is_active and (self.inspectorate_id is not None or self.is_superuser)

    def organisation_ids(self) -> frozenset[int]:
        """The organisations this person reports for (one query, then remembered)."""
        if not hasattr(self, "_organisation_ids"):
            rows = self.memberships.values_list("organisation_id", "is_lead")
            self._organisation_ids = frozenset(org for org, _ in rows)
            self._lead_organisation_ids = frozenset(org for org, lead in rows if lead)
        return self._organisation_ids

    def lead_organisation_ids(self) -> frozenset[int]:
        """The organisations this person leads for: submits for closure, publishes section 55."""
        self.organisation_ids()
        return self._lead_organisation_ids

    @property
    def is_organisation_user(self):
        return self.is_active and bool(self.organisation_ids())

    def display_name(self):
        return self.get_full_name() or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "inspections.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    is_lead = models.BooleanField(
        "organisation lead",
        default=False,
        help_text="Leads may submit for closure and publish the section 55 response.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name="membership_unique_user_organisation", fields=["user", "organisation"]
            ),
        ]

    def __str__(self):
        role = "lead" if self.is_lead else "user"
        return f"{self.user} ({role}, {self.organisation})"
