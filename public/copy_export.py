"""The exports at COPY speed on PostgreSQL: the database writes the CSV (or the JSON) itself.

``public/exports.py`` builds each row in Python: at 130,000 rows that is seconds of dicts and
csv.writer calls. Here the browse page's filtered queryset (the same FilterSet, so the same
filters and order) is compiled to SQL, wrapped in a SELECT that turns each column into the text
the Python path writes, and run as ``COPY (...) TO STDOUT``. PostgreSQL sends one CopyData
message per row (documented in the protocol), psycopg hands each over as bytes, and they leave in
chunks of about ``CHUNK_BYTES``: the worker's memory stays flat whatever the size of the export.

Every value is written as the Python path writes it (tests/public/test_copy_export.py compares
the two byte for byte on the same data): the labels come from the same choices, the status
source's words from ``status_source_label`` for every status and source, dates and times in the
site's time zone in ISO form, and the formula defusing of ``core.csv.escape_formula`` as a regular
expression.
"""

from django.db import connection
from django.db.models import F
from django.utils import timezone

from core.csv import FORMULA_STARTS
from recommendations.choices import (
    ACTIVE_STATUSES,
    VERIFIED_STATUSES,
    Source,
    Status,
)
from recommendations.models import status_reached_by

# About 256 KiB per chunk of the response: few enough writes, small enough to stay flat.
CHUNK_BYTES = 256 * 1024

# The filtered queryset's columns, by the names the wrapping SELECT uses.
INNER = {
    "finding_id": "finding_id",
    "reference": "finding__reference",
    "kind": "finding__kind",
    "text": "finding__text",
    "deadline_wording": "finding__deadline_wording",
    "inspection": "finding__inspection__title",
    "inspection_slug": "finding__inspection__slug",
    "published_at": "finding__inspection__published_at",
    "programme": "finding__inspection__programme__name",
    "organisation": "organisation__name",
    "organisation_slug": "organisation__slug",
    "status": "status",
    "status_source": "status_source",
    "due_date": "due_date",
    "original_due_date": "original_due_date",
    "overdue_when_extended": "overdue_when_extended",
    "status_changed_at": "status_changed_at",
    "text_cy": "finding__text_cy",
    "inspection_cy": "finding__inspection__title_cy",
    "organisation_cy": "organisation__name_cy",
}

# A text cell a spreadsheet would run, after any apostrophes (core.csv.looks_like_formula).
# In a bracket expression: the control characters as escapes, a hyphen last.
_ESCAPES = {"\t": r"\t", "\r": r"\r", "\\": r"\\", "]": r"\]", "^": r"\^", "-": ""}
FORMULA_PATTERN = (
    "^'*["
    + "".join(_ESCAPES.get(c, c) for c in FORMULA_STARTS)
    + ("-" if "-" in FORMULA_STARTS else "")
    + "]"
)


def is_available() -> bool:
    return connection.vendor == "postgresql"


def _choice_case(column, labels, params):
    whens = []
    for value, label in labels.items():
        whens.append("WHEN %s THEN %s")
        params += [value, label]
    return f"CASE t.e_{column} {' '.join(whens)} END"


def _source_case(labels, params):
    """``status_source_label(status, status_reached_by(status, source))`` for every pair, in
    the export's language (``labels.source``)."""
    whens = []
    for status in Status:
        for source in ["", *Source.values]:
            whens.append("WHEN t.e_status = %s AND t.e_status_source = %s THEN %s")
            params += [
                status.value,
                source,
                labels.source(status, status_reached_by(status, source)),
            ]
    return f"CASE {' '.join(whens)} END"


def _iso_datetime(column, params):
    """``timezone.localtime(value).isoformat()``: microseconds only when there are any, and the
    offset as +HH:MM."""
    local = f"(t.e_{column} AT TIME ZONE %s)"
    offset = f"({local} - (t.e_{column} AT TIME ZONE 'UTC'))"
    tz = timezone.get_current_timezone_name()
    params += [tz, tz, tz, tz, tz, tz]
    return (
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({local}, 'US') = '000000' THEN ''"
        f" ELSE '.' || to_char({local}, 'US') END"
        f" || CASE WHEN {offset} < interval '0' THEN '-' || to_char(-{offset}, 'HH24:MI')"
        f" ELSE '+' || to_char({offset}, 'HH24:MI') END"
    )


def _columns(base_url, labels):
    """Each export column as a typed SQL expression over ``t`` (the filtered rows), with its
    parameters: text, boolean or integer, NULL where the Python path has None. ``labels`` are
    the vocabularies' labels in the export's language (``public.exports.Labels``)."""
    params = {}

    def column(key, sql, *values):
        params[key] = list(values)
        return key, sql

    kind_params, status_params, source_params, changed_params = [], [], [], []
    tz = timezone.get_current_timezone_name()
    today = timezone.localdate()
    expressions = dict(
        [
            column("finding_id", "t.e_finding_id"),
            column("reference", "t.e_reference"),
            column("kind", _choice_case("kind", labels.kinds, kind_params), *kind_params),
            column("text", "t.e_text"),
            column("inspection", "t.e_inspection"),
            column("inspection_slug", "t.e_inspection_slug"),
            column("programme", "t.e_programme"),
            column(
                "published_on",
                "to_char((t.e_published_at AT TIME ZONE %s)::date, 'YYYY-MM-DD')",
                tz,
            ),
            column("organisation", "t.e_organisation"),
            column("organisation_slug", "t.e_organisation_slug"),
            column(
                "status", _choice_case("status", labels.statuses, status_params), *status_params
            ),
            column("status_code", "t.e_status"),
            column("verified", "t.e_status = ANY(%s)", sorted(VERIFIED_STATUSES)),
            column("status_source", _source_case(labels, source_params), *source_params),
            column("due_date", "to_char(t.e_due_date, 'YYYY-MM-DD')"),
            column(
                "original_due_date",
                "CASE WHEN t.e_original_due_date IS DISTINCT FROM t.e_due_date"
                " THEN to_char(t.e_original_due_date, 'YYYY-MM-DD') END",
            ),
            column("overdue_when_extended", "t.e_overdue_when_extended"),
            column(
                "overdue",
                "COALESCE(t.e_status = ANY(%s) AND t.e_due_date < %s, FALSE)",
                sorted(ACTIVE_STATUSES),
                today,
            ),
            column("deadline_wording", "t.e_deadline_wording"),
            column("status_changed_at", _iso_datetime("status_changed_at", changed_params)),
            column("url", "%s || t.e_finding_id || '/'", base_url),
            column("text_cy", "t.e_text_cy"),
            column("inspection_cy", "t.e_inspection_cy"),
            column("organisation_cy", "t.e_organisation_cy"),
        ]
    )
    params["status_changed_at"] = changed_params
    return expressions, params


# The columns whose text comes from the data, and so may start like a formula.
DATA_TEXT = {
    "reference",
    "text",
    "inspection",
    "inspection_slug",
    "programme",
    "organisation",
    "organisation_slug",
    "deadline_wording",
    "text_cy",
    "inspection_cy",
    "organisation_cy",
}
BOOLEANS = {"verified", "overdue_when_extended", "overdue"}


def _inner(queryset):
    """The filtered rows, in the browse page's order, with the columns named as in INNER."""
    named = queryset.values(**{f"e_{name}": F(path) for name, path in INNER.items()})
    sql, params = named.query.sql_with_params()
    return sql, list(params)


def _csv_select(queryset, keys, base_url, labels):
    expressions, column_params = _columns(base_url, labels)
    selects, params = [], []
    for key in keys:
        sql = expressions[key]
        values = column_params[key]
        if key in DATA_TEXT:
            # core.csv.escape_formula; an empty text is written as NULL is (an empty cell).
            sql = f"CASE WHEN {sql} ~ %s THEN '''' || {sql} ELSE NULLIF({sql}, '') END"
            values = [*values, FORMULA_PATTERN, *values, *values]
        elif key in BOOLEANS:
            sql = f"CASE WHEN {sql} THEN 'Yes' WHEN NOT {sql} THEN 'No' END"
            values = [*values, *values]
        selects.append(sql)
        params += values
    inner_sql, inner_params = _inner(queryset)
    # The subquery keeps its ORDER BY: PostgreSQL does not flatten a sorted subquery, and a
    # plain projection over it reads it in order (checked against the browse pages in tests).
    return (
        # Only our own expressions and Django's compiled SQL; every value is a parameter.
        f"SELECT {', '.join(selects)} FROM ({inner_sql}) AS t",  # noqa: S608
        [*params, *inner_params],
    )


def _json_select(queryset, keys, base_url, labels):
    """Each row as the text ``json.dumps(row, ensure_ascii=False)`` gives: ``to_json`` escapes
    strings as Python does (short escapes for \\b \\f \\n \\r \\t, \\u00xx for the other control
    characters, nothing else)."""
    expressions, column_params = _columns(base_url, labels)
    parts, params = [], []
    for index, key in enumerate(keys):
        prefix = ("{" if index == 0 else ", ") + f'"{key}": '
        parts.append(f"%s || COALESCE(to_json({expressions[key]})::text, 'null')")
        params += [prefix, *column_params[key]]
    inner_sql, inner_params = _inner(queryset)
    return (
        f"SELECT {' || '.join(parts)} || '}}' FROM ({inner_sql}) AS t",  # noqa: S608
        [*params, *inner_params],
    )


def _copy_rows(sql, params):
    """Each row COPY sends, as bytes ending in a newline."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        yield from copy


def _copy_text_rows(sql, params):
    """COPY's text format, one column: every backslash of the value doubled, nothing else
    escaped (the JSON built in SQL has no raw control characters)."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
    ):
        yield from copy


def stream_csv(queryset, keys, header: str, base_url: str, labels):
    """The CSV file: ``header`` (the byte-order mark and the headings) then the rows, each ended
    with CRLF as csv.writer ends them (a newline inside a quoted cell stays as it is)."""
    sql, params = _csv_select(queryset, keys, base_url, labels)
    buffer = bytearray(header.encode())
    for row in _copy_rows(sql, params):
        buffer += row[:-1]
        buffer += b"\r\n"
        if len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def stream_json(queryset, keys, opening: str, base_url: str, labels):
    """The JSON document: ``opening``, the rows joined as the Python path joins them, the end."""
    sql, params = _json_select(queryset, keys, base_url, labels)
    buffer = bytearray(opening.encode())
    separator = b"\n"
    for row in _copy_text_rows(sql, params):
        buffer += separator
        buffer += bytes(row[:-1]).replace(b"\\\\", b"\\")
        separator = b",\n"
        if len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer)
            buffer.clear()
    buffer += b"\n]}\n"
    yield bytes(buffer)
