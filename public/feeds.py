"""Atom feeds of published status changes and published progress updates."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from inspections.models import Organisation
from recommendations.models import DueDateChange, ProgressUpdate, StatusChange
from recommendations.templatetags.tracker import source_label

FEED_SIZE = 50


def feed_entries(*, organisation_ids=None, size=FEED_SIZE):
    """The newest public events (status changes, progress updates and due date changes)
    merged, newest first: three queries."""
    changes = StatusChange.objects.published().select_related("item__organisation", "item__finding")
    updates = ProgressUpdate.objects.published().select_related("organisation", "item__finding")
    due_dates = DueDateChange.objects.published().select_related(
        "item__organisation", "item__finding", "changed_by__inspectorate"
    )
    if organisation_ids is not None:
        changes = changes.filter(item__organisation_id__in=organisation_ids)
        updates = updates.filter(item__organisation_id__in=organisation_ids)
        due_dates = due_dates.filter(item__organisation_id__in=organisation_ids)
    entries = (
        [
            {
                "id": f"change-{change.pk}",
                "at": change.changed_at,
                "finding": change.item.finding,
                "organisation": change.item.organisation,
                "title": (
                    f"{change.item.finding.reference} for {change.item.organisation}: "
                    f"{change.get_to_status_display()}"
                ),
                "text": (
                    f"{change.get_from_status_display()} to {change.get_to_status_display()} "
                    f"({source_label(change).lower()})."
                    + (f" {change.note}" if change.note else "")
                ),
            }
            for change in changes.order_by("-changed_at", "-pk")[:size]
        ]
        + [
            {
                "id": f"update-{update.pk}",
                "at": timezone.make_aware(datetime.combine(update.written_on, time(12))),
                "finding": update.item.finding,
                "organisation": update.organisation,
                "title": (
                    f"{update.item.finding.reference} for {update.organisation}: "
                    + (
                        "progress update withdrawn"
                        if update.is_withdrawn
                        else f"{'correction of a ' if update.corrects_id else ''}progress update "
                        f"({update.get_self_assessment_display().lower()}, self-reported)"
                    )
                ),
                "text": update_text(update),
            }
            for update in updates.order_by("-written_on", "-pk")[:size]
        ]
        + [
            {
                "id": f"due-date-{change.pk}",
                "at": change.changed_at,
                "finding": change.item.finding,
                "organisation": change.item.organisation,
                "title": (
                    f"{change.item.finding.reference} for {change.item.organisation}: "
                    f"{change.description[0].lower()}{change.description[1:]}"
                ),
                "text": (
                    f"{change.description}, {change.who}."
                    + (
                        " The item was overdue when its due date changed."
                        if change.was_overdue
                        else ""
                    )
                    + f" {change.reason}"
                ),
            }
            for change in due_dates.order_by("-changed_at", "-pk")[:size]
        ]
    )
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:size]


def update_text(update) -> str:
    """A withdrawn update's text never reaches the feed: only the dated note of withdrawal."""
    if update.is_withdrawn:
        withdrawn_on = timezone.localdate(update.withdrawn_at)
        return f"Withdrawn on {withdrawn_on:%-d %B %Y}: {update.withdrawal_reason}"
    if update.corrects_id:
        return f"Correction ({update.correction_reason}): {update.narrative}"
    return update.narrative


class SiteFeed(Feed):
    feed_type = Atom1Feed
    title = "Inspection Recommendations Tracker: status changes and updates"
    subtitle = (
        "Published status changes, progress updates and due date changes of findings by "
        "police and fire inspectorates, newest first."
    )

    def link(self):
        return reverse("public:finding-list")

    def items(self):
        return feed_entries()

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        # Atom readers take the summary as HTML: what people wrote is escaped, never markup.
        return linebreaksbr(escape(item["text"]))

    def item_link(self, item):
        return reverse("public:finding-detail", args=[item["finding"].pk]) + f"#{item['id']}"

    def item_pubdate(self, item):
        return item["at"]

    def item_updateddate(self, item):
        return item["at"]

    def item_author_name(self, item):
        return str(item["organisation"])


class OrganisationFeed(SiteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Organisation, slug=slug)

    def title(self, organisation):
        return f"{organisation}: status changes and updates"

    def subtitle(self, organisation):
        return f"Published status changes and progress updates of findings for {organisation}."

    def link(self, organisation):
        return reverse("public:organisation-detail", args=[organisation.slug])

    def items(self, organisation):
        return feed_entries(organisation_ids=organisation.lineage_ids())
