"""A report series on one page: a report and its follow-ups as a timeline, with how each
finding's status moved from one report to the next, read from the status history."""

from dataclasses import dataclass, field

from django.utils import timezone

from recommendations.choices import CLOSED_STATUSES, Status
from recommendations.models import Item, StatusChange


@dataclass
class Move:
    to_status: str
    on: object  # the day, UK time
    reopened: bool

    @property
    def label(self):
        return Status(self.to_status).label


@dataclass
class Cell:
    """One item in the time after one report of the series, up to the next report."""

    status: str | None  # at the end of the period; None before the finding was made
    moves: list = field(default_factory=list)

    @property
    def label(self):
        return Status(self.status).label if self.status else ""


def series_timeline(series) -> list[dict]:
    """Rows, one per item of any finding of the series' reports (their report's order), each
    with a cell per report: the status when the next report came out (for the last, now) and
    the moves in between. Two queries whatever the size of the series.

    ``series`` holds the published reports of the series in publication order.
    """
    reports = {member.pk: number for number, member in enumerate(series)}
    items = list(
        Item.objects.published()
        .filter(finding__inspection_id__in=reports)
        .select_related("finding", "organisation")
        .order_by(
            "finding__inspection__published_at",
            "finding__position",
            "finding__reference",
            "organisation__name",
        )
    )
    history: dict = {}
    changes = (
        StatusChange.objects.published()
        .filter(item__in=[item.pk for item in items])
        .order_by("changed_at", "pk")
        .values_list("item_id", "from_status", "to_status", "changed_at")
    )
    for item_id, from_status, to_status, changed_at in changes:
        history.setdefault(item_id, []).append((from_status, to_status, changed_at))
    ends = [member.published_at for member in series[1:]] + [None]
    several = {}
    for item in items:
        several[item.finding_id] = several.get(item.finding_id, 0) + 1
    rows = []
    for item in items:
        made_in = reports[item.finding.inspection_id]
        rows.append(
            {
                "item": item,
                "finding": item.finding,
                "organisation": item.organisation if several[item.finding_id] > 1 else None,
                "report_number": made_in,
                "cells": cells_of(item, history.get(item.pk, []), made_in, ends),
            }
        )
    return rows


def cells_of(item, moves, made_in, ends) -> list[Cell]:
    """The item's cell for each report's period (``ends``: when each period ends, None for
    the last): its status at the end and the moves in it. ``moves`` is its history in order."""
    moves = list(moves)
    status = moves[0][0] if moves else item.status
    cells = []
    for number, end in enumerate(ends):
        if number < made_in:
            cells.append(Cell(status=None))  # the finding was not yet made
            continue
        cell = Cell(status=status)
        while moves and (end is None or moves[0][2] < end):
            from_status, to_status, changed_at = moves.pop(0)
            reopened = from_status in CLOSED_STATUSES and to_status not in CLOSED_STATUSES
            cell.moves.append(
                Move(to_status=to_status, on=timezone.localdate(changed_at), reopened=reopened)
            )
            status = to_status
        cell.status = status
        cells.append(cell)
    return cells
