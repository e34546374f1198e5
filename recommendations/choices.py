from django.db import models


class FindingKind(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted for closure"
    CLOSED_COMPLETE = "closed_complete", "Closed: complete"
    CLOSED_NOT_IMPLEMENTED = "closed_not_implemented", "Closed: not implemented"
    CLOSED_SUPERSEDED = "closed_superseded", "Closed: superseded"
    CLOSED_NO_LONGER_RELEVANT = "closed_no_longer_relevant", "Closed: no longer relevant"


ACTIVE_STATUSES = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED})
CLOSED_STATUSES = frozenset(
    {
        Status.CLOSED_COMPLETE,
        Status.CLOSED_NOT_IMPLEMENTED,
        Status.CLOSED_SUPERSEDED,
        Status.CLOSED_NO_LONGER_RELEVANT,
    }
)
# What the organisation says of itself, as opposed to what the inspectorate decided.
SELF_REPORTED_STATUSES = frozenset({Status.IN_PROGRESS, Status.SUBMITTED})
# What the inspectorate verified as done: only a closure as complete. Its other closures (not
# implemented, superseded, no longer relevant) are decisions, not verified progress. The status
# tag, the API's ``verified``, the exports, /about/ and the reminders all mean this.
VERIFIED_STATUSES = frozenset({Status.CLOSED_COMPLETE})

# The lifecycle: every allowed move. Anything else is refused by the services.
# Closing as complete needs something to verify, so not straight from open; a closed item is
# reopened to "in progress" before it can be closed another way.
TRANSITIONS = {
    Status.OPEN: frozenset(
        {
            Status.IN_PROGRESS,
            Status.SUBMITTED,
            Status.CLOSED_NOT_IMPLEMENTED,
            Status.CLOSED_SUPERSEDED,
            Status.CLOSED_NO_LONGER_RELEVANT,
        }
    ),
    Status.IN_PROGRESS: frozenset({Status.SUBMITTED, *CLOSED_STATUSES}),
    Status.SUBMITTED: frozenset({Status.IN_PROGRESS, *CLOSED_STATUSES}),
    **{closed: frozenset({Status.IN_PROGRESS}) for closed in CLOSED_STATUSES},
}


class Source(models.TextChoices):
    """Who stands behind a status: the organisation itself or the inspectorate."""

    ORGANISATION = "organisation", "Self-reported by the organisation"
    INSPECTORATE = "inspectorate", "Verified by the inspectorate"
    SYSTEM = "system", "Recorded by the tracker"


def status_source_label(status, source) -> str:
    """How a status was reached, in words: only a closure as complete is verified; a return, a
    reopening or another closure is a decision of the inspectorate, not verified progress."""
    if source == Source.INSPECTORATE:
        if status == Status.CLOSED_COMPLETE:
            return "Verified by the inspectorate"
        return "Decided by the inspectorate"
    if source == Source.ORGANISATION:
        return "Self-reported by the organisation"
    if source == Source.SYSTEM:
        return "Recorded by the tracker"
    return "Awaiting a response"


class DueDateSource(models.TextChoices):
    """How an item's due date came to change: every change is a public event."""

    AGREED_ON_REQUEST = (
        "agreed_on_request",
        "Agreed by the inspectorate at the organisation's request",
    )
    INSPECTOR = "inspector", "Changed by the inspectorate"
    IMPORT = "import", "Changed when the report's findings were imported again"
    SYSTEM = "system", "Changed by the tracker"


class Channel(models.TextChoices):
    """The path a change came through, for the audit trail."""

    WEB = "web", "Website"
    ADMIN = "admin", "Admin form"
    ADMIN_BULK = "admin_bulk", "Admin bulk action"
    COMMAND = "command", "Management command"
    API = "api", "API"


class SelfAssessment(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


class Section55Action(models.TextChoices):
    TAKEN = "taken", "Action has been taken"
    WILL_BE_TAKEN = "will_be_taken", "Action will be taken"
    NONE = "none", "No action, with reasons"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"


class FactualAccuracyResponse(models.TextChoices):
    """The inspector's answer to a comment of the factual-accuracy check."""

    ACCEPTED = "accepted", "Accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"
