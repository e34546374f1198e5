from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class FindingKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    AREA_FOR_IMPROVEMENT = "area_for_improvement", _("Area for improvement")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for closure")
    CLOSED_COMPLETE = "closed_complete", _("Closed: complete")
    CLOSED_NOT_IMPLEMENTED = "closed_not_implemented", _("Closed: not implemented")
    CLOSED_SUPERSEDED = "closed_superseded", _("Closed: superseded")
    CLOSED_NO_LONGER_RELEVANT = "closed_no_longer_relevant", _("Closed: no longer relevant")


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

    ORGANISATION = "organisation", _("Self-reported by the organisation")
    INSPECTORATE = "inspectorate", _("Verified by the inspectorate")
    SYSTEM = "system", _("Recorded by the tracker")


def status_source_label(status, source) -> str:
    """How a status was reached, in words: only a closure as complete is verified; a return, a
    reopening or another closure is a decision of the inspectorate, not verified progress."""
    if source == Source.INSPECTORATE:
        if status == Status.CLOSED_COMPLETE:
            return gettext("Verified by the inspectorate")
        return gettext("Decided by the inspectorate")
    if source == Source.ORGANISATION:
        return gettext("Self-reported by the organisation")
    if source == Source.SYSTEM:
        return gettext("Recorded by the tracker")
    return gettext("Awaiting a response")


class DueDateSource(models.TextChoices):
    """How an item's due date came to change: every change is a public event."""

    AGREED_ON_REQUEST = (
        "agreed_on_request",
        _("Agreed by the inspectorate at the organisation's request"),
    )
    INSPECTOR = "inspector", _("Changed by the inspectorate")
    IMPORT = "import", _("Changed when the report's findings were imported again")
    SYSTEM = "system", _("Changed by the tracker")


class Channel(models.TextChoices):
    """The path a change came through, for the audit trail."""

    WEB = "web", _("Website")
    ADMIN = "admin", _("Admin form")
    ADMIN_BULK = "admin_bulk", _("Admin bulk action")
    COMMAND = "command", _("Management command")
    API = "api", _("API")


class SelfAssessment(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    COMPLETE = "complete", _("Complete")


class Section55Action(models.TextChoices):
    TAKEN = "taken", _("Action has been taken")
    WILL_BE_TAKEN = "will_be_taken", _("Action will be taken")
    NONE = "none", _("No action, with reasons")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    AGREED = "agreed", _("Agreed")
    REFUSED = "refused", _("Refused")


class FactualAccuracyResponse(models.TextChoices):
    """The inspector's answer to a comment of the factual-accuracy check."""

    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
