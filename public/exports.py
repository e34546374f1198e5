"""CSV and JSON exports of exactly the browse page's filtered items, streamed.

On PostgreSQL the database writes the rows itself through COPY (public/copy_export.py), in large
chunks. Elsewhere (the SQLite quick start) rows are read in chunks with ``values()`` and written
here as they come; both give the same bytes. 100,000 rows never sit in memory at once. One row
per finding and addressee, like the browse page.
"""

import csv
import json

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from core.csv import escape_formula
from public import copy_export
from recommendations.choices import (
    ACTIVE_STATUSES,
    VERIFIED_STATUSES,
    FindingKind,
    Status,
    status_source_label,
)
from recommendations.filters import FindingItemFilterSet, published_items
from recommendations.models import status_reached_by

CHUNK_SIZE = 2000
# The languages of the labels (kind, status, how the status was reached): ``?lang=cy`` gives them
# in Welsh; by default they are in the page's language (English, or Welsh under /cy/).
LABEL_LANGUAGES = {"en": "en-gb", "cy": "cy"}


def export_language(request) -> str:
    """The language of an export's labels: ``?lang=en|cy``, else the language of the address."""
    asked = request.GET.get("lang", "")
    if asked in LABEL_LANGUAGES:
        return LABEL_LANGUAGES[asked]
    return "cy" if translation.get_language() == "cy" else "en-gb"


class Labels:
    """The vocabularies' labels in one language, worked out once per export, not per row (the
    rows are written after the view has returned, outside the request's language)."""

    def __init__(self, language):
        self.language = language
        with translation.override(language):
            self.kinds = {value: str(label) for value, label in FindingKind.choices}
            self.statuses = {value: str(label) for value, label in Status.choices}
        self._sources = {}

    def source(self, status, source):
        key = (status, source)
        if key not in self._sources:
            with translation.override(self.language):
                self._sources[key] = str(status_source_label(status, source))
        return self._sources[key]


# (column header, value key); the same keys name the JSON fields.
COLUMNS = (
    ("Finding ID", "finding_id"),
    ("Reference", "reference"),
    ("Kind", "kind"),
    ("Text", "text"),
    ("Inspection", "inspection"),
    ("Inspection slug", "inspection_slug"),
    ("Programme", "programme"),
    ("Published on", "published_on"),
    ("Addressee", "organisation"),
    ("Addressee slug", "organisation_slug"),
    ("Status", "status"),
    ("Status code", "status_code"),
    ("Verified by the inspectorate", "verified"),
    ("Status reached by", "status_source"),
    ("Due date", "due_date"),
    ("First due date, if changed", "original_due_date"),
    ("Due date extended while overdue", "overdue_when_extended"),
    ("Overdue", "overdue"),
    ("Deadline wording", "deadline_wording"),
    ("Status changed at", "status_changed_at"),
    ("Page", "url"),
    # The Welsh versions, where the report has them (empty otherwise).
    ("Text (Welsh)", "text_cy"),
    ("Inspection (Welsh)", "inspection_cy"),
    ("Addressee (Welsh)", "organisation_cy"),
)

VALUES = (
    "finding_id",
    "finding__reference",
    "finding__kind",
    "finding__text",
    "finding__text_cy",
    "finding__inspection__title_cy",
    "organisation__name_cy",
    "finding__deadline_wording",
    "finding__inspection__title",
    "finding__inspection__slug",
    "finding__inspection__published_at",
    "finding__inspection__programme__name",
    "organisation__name",
    "organisation__slug",
    "status",
    "status_source",
    "due_date",
    "original_due_date",
    "overdue_when_extended",
    "status_changed_at",
)


def filtered_items(request):
    """The browse page's items for this query, in its order."""
    return FindingItemFilterSet(request.GET or None, queryset=published_items()).qs


def finding_base_url(request):
    return request.build_absolute_uri(reverse("public:finding-list"))


def export_rows(request):
    """The filtered items as plain dicts keyed like ``COLUMNS``, in the browse page's order."""
    queryset = filtered_items(request).values(*VALUES)
    today = timezone.localdate()
    base = finding_base_url(request)
    labels = Labels(export_language(request))
    for row in queryset.iterator(chunk_size=CHUNK_SIZE):
        status = row["status"]
        due = row["due_date"]
        active = status in ACTIVE_STATUSES
        changed = row["status_changed_at"]
        yield {
            "finding_id": row["finding_id"],
            "reference": row["finding__reference"],
            "kind": labels.kinds[row["finding__kind"]],
            "text": row["finding__text"],
            "inspection": row["finding__inspection__title"],
            "inspection_slug": row["finding__inspection__slug"],
            "programme": row["finding__inspection__programme__name"],
            "published_on": timezone.localdate(
                row["finding__inspection__published_at"]
            ).isoformat(),
            "organisation": row["organisation__name"],
            "organisation_slug": row["organisation__slug"],
            "status": labels.statuses[status],
            "status_code": status,
            "verified": status in VERIFIED_STATUSES,
            "status_source": labels.source(status, status_reached_by(status, row["status_source"])),
            "due_date": due.isoformat() if due else None,
            "original_due_date": (
                original.isoformat()
                if (original := row["original_due_date"]) and original != due
                else None
            ),
            "overdue_when_extended": row["overdue_when_extended"],
            "overdue": bool(active and due and due < today),
            "deadline_wording": row["finding__deadline_wording"],
            "status_changed_at": timezone.localtime(changed).isoformat() if changed else None,
            "url": f"{base}{row['finding_id']}/",
            "text_cy": row["finding__text_cy"],
            "inspection_cy": row["finding__inspection__title_cy"],
            "organisation_cy": row["organisation__name_cy"],
        }


class _Echo:
    """A file-like object that hands back what is written, for csv.writer in a stream."""

    def write(self, value):
        return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        # Spreadsheets would run a cell starting like a formula: keep it as text.
        return escape_formula(value)
    return value


def _csv_header():
    # A byte-order mark so that Excel opens the UTF-8 file with the right characters.
    return "\ufeff" + csv.writer(_Echo()).writerow([header for header, _ in COLUMNS])


def _stream_csv(rows):
    writer = csv.writer(_Echo())
    yield _csv_header()
    for row in rows:
        yield writer.writerow([_csv_cell(row[key]) for _, key in COLUMNS])


def _filename(extension):
    return f"inspection-findings-{timezone.localdate().isoformat()}.{extension}"


def csv_content(request):
    """The CSV file's chunks: from COPY on PostgreSQL, from Python elsewhere."""
    if copy_export.is_available():
        return copy_export.stream_csv(
            filtered_items(request),
            [key for _, key in COLUMNS],
            _csv_header(),
            finding_base_url(request),
            Labels(export_language(request)),
        )
    return _stream_csv(export_rows(request))


def json_content(request):
    """The JSON document's chunks: from COPY on PostgreSQL, from Python elsewhere."""
    if copy_export.is_available():
        return copy_export.stream_json(
            filtered_items(request),
            [key for _, key in COLUMNS],
            _json_opening(request),
            finding_base_url(request),
            Labels(export_language(request)),
        )
    return _stream_json(export_rows(request), request)


@require_safe
def export_csv(request):
    response = StreamingHttpResponse(csv_content(request), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def _json_opening(request):
    return (
        '{"licence": "Open Government Licence v3.0", '
        f'"generated_at": {json.dumps(timezone.localtime().isoformat())}, '
        f'"query": {json.dumps(request.GET.urlencode())}, "items": ['
    )


def _stream_json(rows, request):
    yield _json_opening(request)
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


@require_safe
def export_json(request):
    response = StreamingHttpResponse(json_content(request), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{_filename("json")}"'
    return response
