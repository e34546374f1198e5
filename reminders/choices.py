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
    FACTUAL_ACCURACY = "factual_accuracy", "Factual-accuracy checks of draft reports closing soon"


# The order the sections of a digest appear in: what is late first.
DIGEST_ORDER = (
    ReminderKind.OVERDUE,
    ReminderKind.DUE_SOON,
    ReminderKind.SECTION_55,
    ReminderKind.FACTUAL_ACCURACY,
    ReminderKind.AWAITING_REVIEW,
    ReminderKind.REVIEW_OUTCOME,
)

# Who each kind is for, as said on the preferences page.
ORGANISATION_KINDS = frozenset(
    {ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.REVIEW_OUTCOME}
)
INSPECTOR_KINDS = frozenset({ReminderKind.AWAITING_REVIEW})
POLICING_BODY_KINDS = frozenset({ReminderKind.SECTION_55})
# Only an organisation's leads comment on a draft shared for a factual-accuracy check.
ORGANISATION_LEAD_KINDS = frozenset({ReminderKind.FACTUAL_ACCURACY})

DUE_SOON_DAYS = 30
SECTION_55_WARNING_DAYS = 14
# A check still taking comments is mentioned from this many days before its last day.
FACTUAL_ACCURACY_WARNING_DAYS = 5
