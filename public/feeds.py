"""Atom feeds of published status changes and published progress updates, in the language of
the feed's address (``/cy/...`` for Welsh): the titles, descriptions and dates in words, and the
Welsh names and titles of organisations and reports where they have them."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from inspections.models import Inspection, Organisation
from recommendations.choices import DueDateSource, Source
from recommendations.filters import FindingItemFilterSet, published_items
from recommendations.models import DueDateChange, Item, ProgressUpdate, StatusChange
from recommendations.templatetags.tracker import source_label

FEED_SIZE = 50


def tracker_name() -> str:
    return gettext("Inspection Recommendations Tracker")


def in_language(obj, field: str) -> str:
    """A title or summary in the active language: the Welsh version (``field_cy``) on a Welsh
    feed when there is one, otherwise the English."""
    if translation.get_language() == "cy":
        welsh = getattr(obj, f"{field}_cy", "")
        if welsh:
            return welsh
    return getattr(obj, field)


def feed_entries(*, organisation_ids=None, items=None, reports=None, size=FEED_SIZE):
    """The newest public events (status changes, progress updates and due date changes, and
    with ``reports`` the publication of those reports) merged, newest first: three queries, or
    four. ``organisation_ids`` keeps those of some addressees, ``items`` (a queryset of items)
    those of some items: an inspection's, a search's."""
    finding = "item__finding__inspection__lead_inspectorate"
    changes = StatusChange.objects.published().select_related(
        "item__organisation", finding, "changed_by__inspectorate"
    )
    updates = ProgressUpdate.objects.published().select_related("organisation", finding)
    due_dates = DueDateChange.objects.published().select_related(
        "item__organisation", finding, "changed_by__inspectorate"
    )
    if organisation_ids is not None:
        changes = changes.filter(item__organisation_id__in=organisation_ids)
        updates = updates.filter(item__organisation_id__in=organisation_ids)
        due_dates = due_dates.filter(item__organisation_id__in=organisation_ids)
    if items is not None:
        ids = items.order_by().values("pk")
        changes = changes.filter(item__in=ids)
        updates = updates.filter(item__in=ids)
        due_dates = due_dates.filter(item__in=ids)
    entries = (
        [
            {
                "id": f"change-{change.pk}",
                "at": change.changed_at,
                "finding": change.item.finding,
                "organisation": change.item.organisation,
                "author": change_author(
                    change,
                    by_organisation=change.source == Source.ORGANISATION,
                    by_tracker=change.source == Source.SYSTEM,
                ),
                "title": gettext("%(subject)s: %(status)s")
                % {
                    "subject": entry_subject(change.item.finding, change.item.organisation),
                    "status": change.get_to_status_display(),
                },
                "text": (
                    gettext("%(from)s to %(to)s (%(source)s).")
                    % {
                        "from": change.get_from_status_display(),
                        "to": change.get_to_status_display(),
                        "source": source_label(change).lower(),
                    }
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
                # An organisation's own update, whoever typed it.
                "author": update.organisation.display_name,
                "title": gettext("%(subject)s: %(what)s")
                % {
                    "subject": entry_subject(update.item.finding, update.organisation),
                    "what": update_title(update),
                },
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
                "author": change_author(change, by_tracker=change.source == DueDateSource.SYSTEM),
                "title": gettext("%(subject)s: %(what)s")
                % {
                    "subject": entry_subject(change.item.finding, change.item.organisation),
                    "what": f"{change.description[0].lower()}{change.description[1:]}",
                },
                "text": (
                    gettext("%(what)s, %(who)s.") % {"what": change.description, "who": change.who}
                    + (
                        " " + gettext("The item was overdue when its due date changed.")
                        if change.was_overdue
                        else ""
                    )
                    + f" {change.reason}"
                ),
            }
            for change in due_dates.order_by("-changed_at", "-pk")[:size]
        ]
    )
    if reports is not None:
        entries += report_entries(reports, size=size)
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:size]


def report_entries(reports, *, size=FEED_SIZE):
    """Each report announced at the moment it went public: a scheduled report appears when its
    embargo lifts, as its findings do. ``reports`` is a queryset of published inspections."""
    reports = (
        reports.select_related("lead_inspectorate")
        .annotate(finding_count=Count("findings"))
        .order_by("-published_at", "-pk")[:size]
    )
    return [
        {
            "id": f"report-{report.pk}",
            "at": report.published_at,
            "link": reverse("public:inspection-detail", args=[report.slug]),
            "author": report.lead_inspectorate.name,
            "title": gettext("%(title)s: report published")
            % {"title": in_language(report, "title")},
            "text": (
                ngettext(
                    "%(inspectorate)s published “%(title)s” with %(count)s finding.",
                    "%(inspectorate)s published “%(title)s” with %(count)s findings.",
                    report.finding_count,
                )
                % {
                    "inspectorate": report.lead_inspectorate.name,
                    "title": in_language(report, "title"),
                    "count": report.finding_count,
                }
                + (f" {in_language(report, 'summary')}" if report.summary else "")
            ),
        }
        for report in reports
    ]


def entry_subject(finding, organisation) -> str:
    """Which finding an entry is about: several reports have an AFI3, so the report too."""
    return gettext("%(inspection)s, %(reference)s for %(organisation)s") % {
        "inspection": in_language(finding.inspection, "title"),
        "reference": finding.reference,
        "organisation": organisation.display_name,
    }


def change_author(change, *, by_organisation=False, by_tracker=False) -> str:
    """Whoever made the change: the inspectorate for its decisions (the inspector's own
    inspectorate, else the report's lead), the organisation for what it says of itself, the
    tracker for what it records itself. Never a person's name."""
    if by_organisation:
        return change.item.organisation.display_name
    if by_tracker:
        return tracker_name()
    inspectorate = getattr(change.changed_by, "inspectorate", None)
    return (inspectorate or change.item.finding.inspection.lead_inspectorate).name


def update_title(update) -> str:
    if update.is_withdrawn:
        return gettext("progress update withdrawn")
    assessment = {"assessment": update.get_self_assessment_display().lower()}
    if update.corrects_id:
        return gettext("correction of a progress update (%(assessment)s, self-reported)") % (
            assessment
        )
    return gettext("progress update (%(assessment)s, self-reported)") % assessment


def update_text(update) -> str:
    """A withdrawn update's text never reaches the feed: only the dated note of withdrawal."""
    if update.is_withdrawn:
        withdrawn_on = date_format(timezone.localdate(update.withdrawn_at), "j F Y")
        return gettext("Withdrawn on %(date)s: %(reason)s") % {
            "date": withdrawn_on,
            "reason": update.withdrawal_reason,
        }
    if update.corrects_id:
        return gettext("Correction (%(reason)s): %(text)s") % {
            "reason": update.correction_reason,
            "text": update.narrative,
        }
    return update.narrative


class SiteFeed(Feed):
    feed_type = Atom1Feed

    def title(self, obj=None):
        return gettext("Inspection Recommendations Tracker: reports, status changes and updates")

    def subtitle(self, obj=None):
        return gettext(
            "Reports as they are published, and the status changes, progress updates and due "
            "date changes of their findings, by police and fire inspectorates, newest first."
        )

    def link(self):
        return reverse("public:finding-list")

    def items(self):
        return feed_entries(reports=Inspection.objects.published())

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        # Atom readers take the summary as HTML: what people wrote is escaped, never markup.
        return linebreaksbr(escape(item["text"]))

    def item_link(self, item):
        if "link" in item:  # a report's publication
            return item["link"]
        return reverse("public:finding-detail", args=[item["finding"].pk]) + f"#{item['id']}"

    def item_pubdate(self, item):
        return item["at"]

    def item_updateddate(self, item):
        return item["at"]

    def item_author_name(self, item):
        return item["author"]


class OrganisationFeed(SiteFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Organisation, slug=slug)

    def title(self, organisation):
        return gettext("%(name)s: status changes and updates") % {"name": organisation.display_name}

    def subtitle(self, organisation):
        return gettext(
            "Published status changes and progress updates of findings for %(name)s."
        ) % {"name": organisation.display_name}

    def link(self, organisation):
        return reverse("public:organisation-detail", args=[organisation.slug])

    def items(self, organisation):
        lineage = organisation.lineage_ids()
        return feed_entries(
            organisation_ids=lineage,
            reports=Inspection.objects.published().filter(
                pk__in=Inspection.objects.filter(organisations__in=lineage).values("pk")
            ),
        )


class InspectionFeed(SiteFeed):
    """What changes in one report's findings."""

    def get_object(self, request, slug):
        return get_object_or_404(Inspection.objects.published(), slug=slug)

    def title(self, inspection):
        return gettext("%(name)s: status changes and updates") % {
            "name": in_language(inspection, "title")
        }

    def subtitle(self, inspection):
        return gettext(
            "Published status changes and progress updates of the findings of %(title)s."
        ) % {"title": in_language(inspection, "title")}

    def link(self, inspection):
        return reverse("public:inspection-detail", args=[inspection.slug])

    def items(self, inspection):
        return feed_entries(
            items=Item.objects.published().filter(finding__inspection=inspection),
            reports=Inspection.objects.published().filter(pk=inspection.pk),
        )


class SearchFeed(SiteFeed):
    """What changes in the results of any browse page: the same query string, the same
    filters (an invalid one is left out, as the page leaves it out)."""

    def get_object(self, request):
        filterset = FindingItemFilterSet(request.GET or None, queryset=published_items())
        filterset.cleaned_data()
        return filterset

    def title(self, filterset):
        words = filterset.cleaned_data().get("q")
        if words:
            return gettext(
                "Inspection Recommendations Tracker: changes to findings matching “%(words)s”"
            ) % {"words": words}
        return gettext("Inspection Recommendations Tracker: changes to findings you chose")

    def subtitle(self, filterset):
        return gettext(
            "Published status changes, progress updates and due date changes of the results."
        )

    def link(self, filterset):
        query = filterset.data.urlencode() if filterset.is_bound else ""
        return reverse("public:finding-list") + (f"?{query}" if query else "")

    def items(self, filterset):
        return feed_entries(items=filterset.qs)
