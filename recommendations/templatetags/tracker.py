"""Template helpers for the public pages: status tags that never pass self-report as verified."""

from django import template

from recommendations.choices import CLOSED_STATUSES, SELF_REPORTED_STATUSES, Source, Status

register = template.Library()

TAG_COLOURS = {
    Status.OPEN: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--light-blue",
    Status.SUBMITTED: "govuk-tag--yellow",
    Status.CLOSED_COMPLETE: "govuk-tag--green",
    Status.CLOSED_NOT_IMPLEMENTED: "govuk-tag--red",
    Status.CLOSED_SUPERSEDED: "govuk-tag--purple",
    Status.CLOSED_NO_LONGER_RELEVANT: "govuk-tag--grey",
}


def status_source(status):
    if status in CLOSED_STATUSES:
        return "Verified by the inspectorate"
    if status in SELF_REPORTED_STATUSES:
        return "Self-reported by the organisation"
    return "Awaiting a response"


@register.inclusion_tag("includes/status_tag.html")
def status_tag(status, *, overdue=False, source=True):
    status = Status(status)
    return {
        "label": status.label,
        "colour": TAG_COLOURS[status],
        "source": status_source(status) if source else "",
        "overdue": overdue,
    }


@register.filter
def is_overdue(assignment):
    return assignment.is_overdue()


@register.filter
def percent(value):
    return "\N{EN DASH}" if value is None else f"{value}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def source_label(change):
    """Who stands behind a change: only a closure is a verification; a return or a reopening
    is a decision of the inspectorate, not verified progress."""
    if change.source == Source.INSPECTORATE:
        if change.to_status in CLOSED_STATUSES:
            return "Verified by the inspectorate"
        return "Decided by the inspectorate"
    return change.get_source_display()
