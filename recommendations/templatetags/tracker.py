"""Template helpers for the public pages: status tags that never pass self-report as verified."""

from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, gettext

from recommendations import policy
from recommendations.choices import Status, status_source_label
from recommendations.models import Item

register = template.Library()

TAG_COLOURS = {
    Status.OPEN: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--blue",
    Status.SUBMITTED: "govuk-tag--yellow",
    Status.CLOSED_COMPLETE: "govuk-tag--green",
    Status.CLOSED_NOT_IMPLEMENTED: "govuk-tag--red",
    Status.CLOSED_SUPERSEDED: "govuk-tag--purple",
    Status.CLOSED_NO_LONGER_RELEVANT: "govuk-tag--grey",
}


@register.inclusion_tag("includes/status_tag.html")
def status_tag(item, *, overdue=False, source=True):
    """An item's status, with who stands behind it: how the status was reached (the item's
    ``status_source``), so that a status the inspectorate gave back after a reopening is never
    called self-reported. Given a bare status (no item), only the status is known."""
    if isinstance(item, str):
        item = Item(status=item)
    status, label = Status(item.status), item.status_source_label
    return {
        "label": status.label,
        "colour": TAG_COLOURS[status],
        "source": label if source else "",
        "overdue": overdue,
    }


@lru_cache(maxsize=512)
def _rendered_status_tag(compiled, label, colour, source, overdue):
    return compiled.render(
        template.Context({"label": label, "colour": colour, "source": source, "overdue": overdue})
    )


def status_tag_html(item, *, overdue=False, source=True):
    """What ``{% status_tag item overdue=... %}`` writes, for a view to compute once per row of
    a long table: the same template, rendered once per status, source and overdue flag."""
    compiled = get_template("includes/status_tag.html").template
    return _rendered_status_tag(compiled, **status_tag(item, overdue=overdue, source=source))


@register.simple_tag
def due_date(item, empty=None):
    """ "31 March 2027 (extended from 25 May 2017)": the first due date stays in sight. The
    month names are in the page's language."""
    if item.due_date is None:
        return gettext("No date") if empty is None else empty
    if item.due_date_was_changed:
        return format_html(
            '{} <span class="app-due-date-original">({})</span>',
            date_format(item.due_date, "j F Y"),
            item.due_date_moved_from(date_format(item.original_due_date, "j F Y")),
        )
    return date_format(item.due_date, "j F Y")


@register.filter
def is_overdue(item):
    return item.is_overdue()


@register.filter
def percent(value):
    return "\N{EN DASH}" if value is None else f"{value}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def source_label(change):
    """Who stands behind a change: only a closure as complete is a verification; a return, a
    reopening or another closure is a decision of the inspectorate, not verified progress."""
    return status_source_label(change.to_status, change.source)


@register.filter
def can_see_withdrawn(user):
    """Whether the person may read a withdrawn update's original text and evidence."""
    return policy.can_see_withdrawn(user)


def _welsh(obj, field):
    """The Welsh text of ``field`` when the page is Welsh and the object has it, and whether the
    English had to stand in for it."""
    english = getattr(obj, field, "") or ""
    if get_language() != "cy":
        return english, False
    welsh = getattr(obj, f"{field}_cy", "") or ""
    if welsh:
        return welsh, False
    return english, bool(english)


@register.filter
def in_language(obj, field):
    """A short text (a title, a finding) in the page's language: the Welsh version on a Welsh
    page when there is one, otherwise the English marked as English for screen readers."""
    text, english_only = _welsh(obj, field)
    if english_only:
        return format_html('<span lang="en">{}</span>', text)
    return conditional_escape(text)


@register.filter
def in_language_block(obj, field):
    """A longer text (a summary, a finding's text) with its line breaks, in the page's language;
    on a Welsh page without a Welsh version, the English with a note that it is English only."""
    text, english_only = _welsh(obj, field)
    body = linebreaksbr(text, autoescape=True)
    if english_only:
        return format_html(
            '<span class="app-english-only govuk-body-s">{}</span><br><span lang="en">{}</span>',
            gettext("Available in English only"),
            body,
        )
    return body
