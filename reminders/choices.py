from django.db import models


class ReminderKind(models.TextChoices):
    """What a daily digest can tell a person. Each kind can be turned off on its own.

    The values double as the field names of ``ReminderPreference``.
    """

    DUE_SOON = "due_soon", "Items due within 30 days"
    OVERDUE = "overdue", "Overdue items"
    AWAITING_REVIEW = "awaiting_review", "Submissions awaiting review"
    REVIEW_OUTCOME = "review_outcome", "Outcomes of the inspectorate's reviews"
    SECTION_55 = "section55", "Section 55 responses due within 14 days or overdue"


# The order the sections of a digest appear in: what is late first.
DIGEST_ORDER = (
    ReminderKind.OVERDUE,
    ReminderKind.DUE_SOON,
    ReminderKind.SECTION_55,
    ReminderKind.AWAITING_REVIEW,
    ReminderKind.REVIEW_OUTCOME,
)

# Who each kind is for, as said on the preferences page.
ORGANISATION_KINDS = frozenset(
    {ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.REVIEW_OUTCOME}
)
INSPECTOR_KINDS = frozenset({ReminderKind.AWAITING_REVIEW})
POLICING_BODY_KINDS = frozenset({ReminderKind.SECTION_55})

DUE_SOON_DAYS = 30
SECTION_55_WARNING_DAYS = 14
