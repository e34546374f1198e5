"""Counts for the public dashboards: grouped queries over published items, never one per row."""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext

from inspections.models import EngagePeriod, Organisation
from public.counts_cache import (
    cached_counts,
    counts_versions,
    current_generation,
    data_stamp,
    organisation_parts,
)
from recommendations.choices import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    VERIFIED_STATUSES,
    FindingKind,
    Status,
)
from recommendations.models import Item, ItemFacts, StatusChange, overdue_q


def counted_items():
    """(The published items to count, the name of their finding's kind): on PostgreSQL their
    facts (``ItemFacts``, one narrow row per item, no join), elsewhere the items themselves.
    Both have ``status``, ``due_date``, ``overdue_when_extended`` and ``organisation_id``."""
    if connection.vendor == "postgresql":
        return ItemFacts.objects.published(), "kind"
    return Item.objects.published(), "finding__kind"


@dataclass
class StatusBreakdown:
    """Items by kind and status, with overdue counts; what the overview and a body's page show."""

    counts: dict = field(default_factory=dict)  # {(kind, status): n}
    overdue: dict = field(default_factory=dict)  # {kind: n}
    # Items whose due date was moved later while they were overdue: {kind: n}
    extended_overdue: dict = field(default_factory=dict)

    @classmethod
    def of(cls, items, *, kind_field="finding__kind") -> "StatusBreakdown":
        today = timezone.localdate()
        rows = (
            items.order_by()
            .values("status", finding_kind=F(kind_field))
            .annotate(
                n=Count("pk"),
                overdue=Count("pk", filter=overdue_q(today)),
                extended_overdue=Count("pk", filter=Q(overdue_when_extended=True)),
            )
        )
        breakdown = cls()
        for row in rows:
            kind = row["finding_kind"]
            breakdown.counts[kind, row["status"]] = row["n"]
            breakdown.overdue[kind] = breakdown.overdue.get(kind, 0) + row["overdue"]
            breakdown.extended_overdue[kind] = (
                breakdown.extended_overdue.get(kind, 0) + row["extended_overdue"]
            )
        return breakdown

    @classmethod
    def of_published(cls, *, organisation_ids=None) -> "StatusBreakdown":
        """Every published item, or those of ``organisation_ids``, from the item facts."""
        items, kind_field = counted_items()
        if organisation_ids is not None:
            items = items.filter(organisation_id__in=organisation_ids)
        return cls.of(items, kind_field=kind_field)

    def total(self, kind=None):
        return sum(n for (k, _), n in self.counts.items() if kind in (None, k))

    def count(self, status, kind=None):
        return sum(n for (k, s), n in self.counts.items() if s == status and kind in (None, k))

    def rows(self):
        """One row per status: label, recommendations, areas for improvement, all."""
        return [
            {
                "status": status,
                "label": status.label,
                "recommendations": self.count(status, FindingKind.RECOMMENDATION),
                "areas": self.count(status, FindingKind.AREA_FOR_IMPROVEMENT),
                "total": self.count(status),
            }
            for status in Status
        ]

    @property
    def total_overdue(self):
        return sum(self.overdue.values())

    @property
    def total_extended_overdue(self):
        """Items given a later due date while overdue, whatever their status now."""
        return sum(self.extended_overdue.values())

    @property
    def active(self):
        return sum(self.count(status) for status in ACTIVE_STATUSES)

    @property
    def closed(self):
        return sum(self.count(status) for status in CLOSED_STATUSES)

    @property
    def percent_complete(self):
        """Share of all items closed as complete (verified), or None when there are none."""
        total = self.total()
        return round(100 * self.count(Status.CLOSED_COMPLETE) / total) if total else None


def quarter_label(day: date) -> str:
    """E.g. "2025 Q3", in the page's language ("Ch3 2025" in Welsh)."""
    return gettext("%(year)s Q%(quarter)s") % {
        "year": day.year,
        "quarter": (day.month - 1) // 3 + 1,
    }


def quarter_start(index: int) -> date:
    """The first day of quarter number ``index`` (year * 4 + quarter - 1)."""
    return date(index // 4, 3 * (index % 4) + 1, 1)


def closures_per_quarter(*, quarters=12, organisation_ids=None, today=None):
    """Items closed by the inspectorate in each of the last ``quarters`` quarters, oldest first.

    Every closure counts, including one of an item later reopened: it is what happened then.
    """
    today = today or timezone.localdate()
    current = today.year * 4 + (today.month - 1) // 3
    indexes = range(current - quarters + 1, current + 1)
    first = quarter_start(indexes[0])
    changes = StatusChange.objects.published().filter(
        to_status__in=CLOSED_STATUSES, changed_at__date__gte=first
    )
    if organisation_ids is not None:
        changes = changes.filter(item__organisation_id__in=organisation_ids)
    rows = (
        changes.annotate(quarter=TruncQuarter("changed_at"))
        .values("quarter")
        .annotate(
            n=Count("pk"),
            complete=Count("pk", filter=Q(to_status=Status.CLOSED_COMPLETE)),
        )
        .order_by("quarter")
    )
    found = {}
    for row in rows:
        quarter = row["quarter"]
        quarter_day = quarter.date() if hasattr(quarter, "date") else quarter
        found[quarter_label(quarter_day)] = (row["n"], row["complete"])
    result = []
    for index in indexes:
        label = quarter_label(quarter_start(index))
        total, complete = found.get(label, (0, 0))
        result.append({"label": label, "total": total, "complete": complete})
    return result


def overview_count_parts(organisation_ids=None, *, today=None) -> dict:
    """PostgreSQL: each organisation's items by kind and status in one query (for
    ``counts_cache.organisation_parts``): {organisation id: {(kind, status): (items, overdue,
    extended while overdue)}}, for the organisations ``organisation_ids`` (``None``: all)."""
    today = today or timezone.localdate()
    facts = ItemFacts.objects.published()
    if organisation_ids is not None:
        facts = facts.filter(organisation_id__in=organisation_ids)
    parts: dict = {}
    rows = (
        facts.order_by()
        .values("organisation_id", "kind", "status")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=overdue_q(today)),
            extended_overdue=Count("pk", filter=Q(overdue_when_extended=True)),
        )
    )
    for row in rows:
        part = parts.setdefault(row["organisation_id"], {})
        part[row["kind"], row["status"]] = (row["n"], row["overdue"], row["extended_overdue"])
    return parts


def overview_closure_parts(organisation_ids=None, *, today=None, quarters=12) -> dict:
    """PostgreSQL: each organisation's closures per quarter in one query (for
    ``counts_cache.organisation_parts``): {organisation id: {quarter number: (closed,
    complete)}}, for the organisations ``organisation_ids`` (``None``: all). The closures are
    those of the last ``quarters`` quarters, of items the organisation is addressed now (as
    ``closures_per_quarter`` counts them for a set of organisations)."""
    today = today or timezone.localdate()
    current = today.year * 4 + (today.month - 1) // 3
    # From the first moment of the first quarter, in the current time zone: the same changes
    # as "its local date on or after the first day", but an indexable comparison.
    since = timezone.make_aware(datetime.combine(quarter_start(current - quarters + 1), time.min))
    changes = StatusChange.objects.published().filter(
        to_status__in=CLOSED_STATUSES, changed_at__gte=since
    )
    if organisation_ids is not None:
        changes = changes.filter(item__organisation_id__in=organisation_ids)
    parts: dict = {}
    rows = (
        changes.annotate(quarter=TruncQuarter("changed_at"))
        .values("item__organisation_id", "quarter")
        .annotate(
            # Counted by item (never null), read from the closures' index with the rest.
            n=Count("item"),
            complete=Count("item", filter=Q(to_status=Status.CLOSED_COMPLETE)),
        )
        .order_by()
    )
    for row in rows:
        quarter = row["quarter"]
        day = quarter.date() if hasattr(quarter, "date") else quarter
        part = parts.setdefault(row["item__organisation_id"], {})
        part[day.year * 4 + (day.month - 1) // 3] = (row["n"], row["complete"])
    return parts


def overview_from_parts(counts: dict, closures: dict, *, today=None, quarters=12):
    """(The national ``StatusBreakdown``, the closures per quarter as ``closures_per_quarter``
    gives them, {organisation id: its numbers for ``organisation_table``}) from the
    organisations' parts (``overview_count_parts``, ``overview_closure_parts``): sums, no
    query."""
    today = today or timezone.localdate()
    breakdown = StatusBreakdown()
    numbers = {}
    for pk, part in counts.items():
        if not part:
            continue
        mine = dict.fromkeys(("total", "active", "overdue", "complete"), 0)
        for (kind, status), (n, overdue, extended) in part.items():
            breakdown.counts[kind, status] = breakdown.counts.get((kind, status), 0) + n
            breakdown.overdue[kind] = breakdown.overdue.get(kind, 0) + overdue
            breakdown.extended_overdue[kind] = breakdown.extended_overdue.get(kind, 0) + extended
            mine["total"] += n
            mine["active"] += n if status in ACTIVE_STATUSES else 0
            mine["overdue"] += overdue
            mine["complete"] += n if status == Status.CLOSED_COMPLETE else 0
        numbers[pk] = mine
    summed: dict = {}
    for part in closures.values():
        for index, (n, complete) in part.items():
            total_so_far, complete_so_far = summed.get(index, (0, 0))
            summed[index] = (total_so_far + n, complete_so_far + complete)
    current = today.year * 4 + (today.month - 1) // 3
    series = []
    for index in range(current - quarters + 1, current + 1):
        total, complete = summed.get(index, (0, 0))
        series.append(
            {"label": quarter_label(quarter_start(index)), "total": total, "complete": complete}
        )
    return breakdown, series, numbers


def overview_counts(*, kind, region, sort, descending):
    """(The national breakdown, the closures per quarter, the organisations' table), cached.

    On PostgreSQL from each organisation's parts (``overview_count_parts``, cached under its
    version, and ``overview_closure_parts``, under its closures version): after a write, only
    the parts of the organisations it touched are counted again (a few milliseconds for one
    body's items, where the whole country took 0.5-3 s), their closures only if it added one
    or moved an item, and the sums are cached under every organisation's versions and the
    generation.
    On SQLite (no versions) everything is cached under the data stamp.
    """
    question = [kind, region, sort, descending]

    def table(numbers=None):
        return organisation_table(
            kind=kind, region=region, sort=sort, descending=descending, numbers=numbers
        )

    if connection.vendor != "postgresql":
        return cached_counts(
            "overview",
            question,
            lambda: (StatusBreakdown.of_published(), closures_per_quarter(), table()),
            stamp=data_stamp(),
        )
    base, versions, closures_versions = counts_versions()

    def compute():
        counts = organisation_parts(
            "overview-counts", overview_count_parts, base=base, versions=versions, empty={}
        )
        closures = organisation_parts(
            "overview-closures",
            overview_closure_parts,
            base=base,
            versions=closures_versions,
            empty={},
        )
        breakdown, quarters, numbers = overview_from_parts(counts, closures)
        return breakdown, quarters, table(numbers)

    stamp = json.dumps(
        [base, sorted(versions.items()), sorted(closures_versions.items()), current_generation()]
    )
    return cached_counts("overview", question, compute, stamp=stamp)


def browse_counts(filterset, question) -> tuple[int, dict]:
    """(How many results, every facet's counts) of the browse page's filters, cached.

    On PostgreSQL from each organisation's part (``FactsCounts.parts``), cached under its
    version and the question: after a write, only the parts of the organisations it touched
    are counted again; the sums are cached under every version and the generation. On SQLite
    (no versions) the counts are cached under the data stamp.
    """
    if connection.vendor != "postgresql":
        return cached_counts("browse", question, filterset.counts, stamp=data_stamp())
    base, versions, _closures_versions = counts_versions()
    counter = filterset.facts_counter()

    def compute():
        parts = organisation_parts(
            "browse-part",
            counter.parts,
            base=json.dumps([question, base, counter.lineage()]),
            versions=versions,
            empty=counter.EMPTY,
        )
        return counter.merge(parts.values())

    stamp = json.dumps([base, sorted(versions.items()), current_generation()])
    return cached_counts("browse", question, compute, stamp=stamp)


ORGANISATION_SORTS = {
    "name": lambda row: row["organisation"].name.lower(),
    "kind": lambda row: (row["organisation"].get_kind_display(), row["organisation"].name),
    "region": lambda row: (row["organisation"].get_region_display(), row["organisation"].name),
    "open": lambda row: row["active"],
    "overdue": lambda row: row["overdue"],
    "complete": lambda row: -1 if row["percent_complete"] is None else row["percent_complete"],
    "engage": lambda row: (row["in_engage"], row["organisation"].name),
}


NUMBERS = ("total", "active", "overdue", "complete")


def organisation_numbers() -> dict:
    """{organisation id: its published items' total, active, overdue and complete}: one query."""
    today = timezone.localdate()
    counts = (
        counted_items()[0]
        .order_by()
        .values("organisation_id")
        .annotate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
            overdue=Count("pk", filter=overdue_q(today)),
            complete=Count("pk", filter=Q(status=Status.CLOSED_COMPLETE)),
        )
    )
    return {
        row["organisation_id"]: {
            key: row[key] for key in ("total", "active", "overdue", "complete")
        }
        for row in counts
    }


def organisation_table(*, kind="", region="", sort="name", descending=False, numbers=None):
    """Every current organisation with its published items' counts, in two queries (one when
    ``numbers``, ``organisation_numbers()``'s answer, is given).

    Items addressed to a body that has since merged or been renamed are counted with its
    successor, so that history follows the new body.
    """
    if numbers is None:
        numbers = organisation_numbers()
    organisations = list(
        Organisation.objects.annotate(
            in_engage=Exists(
                EngagePeriod.objects.filter(organisation=OuterRef("pk"), left_on__isnull=True)
            )
        ).order_by("name")
    )
    by_id = {o.pk: o for o in organisations}
    totals = {}
    for organisation_id, row in numbers.items():
        body = by_id[organisation_id]
        seen = {body.pk}
        while body.successor_id and body.successor_id not in seen:
            body = by_id[body.successor_id]
            seen.add(body.pk)
        into = totals.setdefault(
            body.pk, dict.fromkeys(("total", "active", "overdue", "complete"), 0)
        )
        for key in into:
            into[key] += row[key]
    rows = []
    for organisation in organisations:
        if organisation.ceased_on is not None:
            continue
        if kind and organisation.kind != kind:
            continue
        if region and organisation.region != region:
            continue
        mine = totals.get(
            organisation.pk, dict.fromkeys(("total", "active", "overdue", "complete"), 0)
        )
        rows.append(
            {
                "organisation": organisation,
                "in_engage": organisation.in_engage,
                **mine,
                "percent_complete": (
                    round(100 * mine["complete"] / mine["total"]) if mine["total"] else None
                ),
            }
        )
    rows.sort(key=ORGANISATION_SORTS.get(sort, ORGANISATION_SORTS["name"]), reverse=descending)
    return rows


@dataclass
class ProgressSummary:
    """How a report's (or a body's) items are getting on: by status, overdue, closed."""

    by_status: Counter = field(default_factory=Counter)
    overdue: int = 0

    @property
    def total(self):
        return sum(self.by_status.values())

    @property
    def closed(self):
        return sum(n for status, n in self.by_status.items() if status in CLOSED_STATUSES)

    @property
    def verified(self):
        """Closed as complete: what the inspectorate verified as done."""
        return sum(n for status, n in self.by_status.items() if status in VERIFIED_STATUSES)

    @property
    def active(self):
        return self.total - self.closed

    def add(self, item, today):
        """Count one item already in hand (a page that lists them needs no further query)."""
        self.by_status[item.status] += 1
        self.overdue += item.is_overdue(today)

    def parts(self):
        """(label, count) for each status some item has, in the lifecycle's order."""
        counts = self.by_status
        return [(status.label, counts[status]) for status in Status if counts[status]]


def progress_summaries(items, key: str) -> dict:
    """One grouped query: a ``ProgressSummary`` per value of ``key`` (for example
    ``"finding__inspection_id"``) over ``items``, so that a list needs no query per row."""
    today = timezone.localdate()
    rows = (
        items.order_by()
        .values(key, "status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    )
    summaries: dict = {}
    for row in rows:
        summary = summaries.setdefault(row[key], ProgressSummary())
        summary.by_status[row["status"]] += row["n"]
        summary.overdue += row["overdue"]
    return summaries
