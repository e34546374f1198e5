"""The exports written by PostgreSQL's COPY give the same bytes as the Python path, on data
chosen to trip any difference: formulas after apostrophes, quotes, newlines and control
characters in cells, empty texts, every status with every source, summer and winter times with
and without microseconds, changed and unchanged due dates."""

import csv
import io
import itertools
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from public import copy_export, exports
from recommendations.choices import Source, Status
from recommendations.models import Finding, Item
from tests.public.test_pages import add_findings

# COPY is PostgreSQL's: on SQLite (the quick start) the exports take the Python path alone.
POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's"
)

TEXTS = [
    '=HYPERLINK("http://example.org") – Gwasanaeth Heddlu’r Met',
    "+44 20 7946 0000",
    "-1",
    "@SUM(A1)",
    "\tTabbed",
    "\rCarriage",
    "'=already escaped",
    "''+two apostrophes",
    "'plain apostrophe",
    'Line one\nline two, with "quotes"',
    "Control \x01 and \x1f and \x7f and back\\slash",
    "",
    "Plain text",
]


def python_csv(request):
    return b"".join(
        chunk.encode() if isinstance(chunk, str) else chunk
        for chunk in exports._stream_csv(exports.export_rows(request))
    )


def copy_csv(request):
    return b"".join(
        copy_export.stream_csv(
            exports.filtered_items(request),
            [key for _, key in exports.COLUMNS],
            exports._csv_header(),
            exports.finding_base_url(request),
            exports.Labels(exports.export_language(request)),
        )
    )


@pytest.fixture
def awkward_world(public_world, met, mopac):
    inspection = public_world["inspection"]
    add_findings(inspection, len(TEXTS), [met, mopac])
    findings = list(Finding.objects.filter(reference__startswith="X").order_by("position"))
    for finding, text in zip(findings, TEXTS, strict=True):
        finding.text = text
        finding.deadline_wording = TEXTS[-1 - TEXTS.index(text)]
        finding.reference = text[:20] or "R-empty"
        # The Welsh text (a column of its own) is as awkward, in another order.
        finding.text_cy = TEXTS[(TEXTS.index(text) + 1) % len(TEXTS)]
        finding.save()
    # Every status with every recorded source, and awkward dates and times (fixture data set
    # directly: the services would not produce every pair, which is the point).
    pairs = itertools.cycle(itertools.product(Status.values, ["", *Source.values]))
    times = itertools.cycle(
        [
            datetime(2025, 7, 1, 11, 30, tzinfo=UTC),  # summer time: +01:00
            datetime(2025, 1, 15, 9, 0, 0, 120, tzinfo=UTC),  # winter, microseconds
            None,
        ]
    )
    for index, item in enumerate(Item.objects.filter(finding__in=findings).order_by("pk")):
        status, source = next(pairs)
        due = [None, date(2025, 3, 1), timezone.localdate() - timedelta(days=1)][index % 3]
        Item.objects.filter(pk=item.pk).update(
            status=status,
            status_source=source,
            status_changed_at=next(times),
            due_date=due,
            original_due_date=[None, date(2025, 3, 1), date(2024, 1, 1)][index % 3],
            overdue_when_extended=bool(index % 2),
            superseded_by=public_world["afi"] if status == Status.CLOSED_SUPERSEDED else None,
        )
    return public_world


@POSTGRESQL_ONLY
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "kind=area_for_improvement&sort=due",
        "organisation=metropolitan-police-service",
        "q=x",
        # The labels (kind, status, how it was reached) in Welsh.
        "lang=cy",
    ],
)
def test_copy_csv_is_byte_for_byte_the_python_csv(awkward_world, query):
    request = RequestFactory().get(f"/recommendations/export.csv?{query}")
    expected = python_csv(request)
    assert len(expected.splitlines()) > 2 or query == "q=x"
    assert copy_csv(request) == expected


@POSTGRESQL_ONLY
@pytest.mark.django_db
def test_copy_csv_defuses_every_formula_start(awkward_world):
    request = RequestFactory().get("/recommendations/export.csv?sort=reference")
    rows = list(csv.reader(io.StringIO(copy_csv(request).decode("utf-8-sig"), newline="")))
    texts = {row[3] for row in rows[1:]}
    for text in TEXTS:
        if text.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert "'" + text in texts, text
        else:
            assert (text in texts) if text else ("" in texts)
    assert "\r\n" in copy_csv(request).decode()


@POSTGRESQL_ONLY
@pytest.mark.django_db
def test_copy_json_is_byte_for_byte_the_python_json(awkward_world, monkeypatch):
    monkeypatch.setattr(exports, "_json_opening", lambda request: '{"items": [')
    request = RequestFactory().get("/recommendations/export.json?sort=organisation")
    expected = "".join(exports._stream_json(exports.export_rows(request), request)).encode()
    got = b"".join(
        copy_export.stream_json(
            exports.filtered_items(request),
            [key for _, key in exports.COLUMNS],
            '{"items": [',
            exports.finding_base_url(request),
            exports.Labels(exports.export_language(request)),
        )
    )
    assert got == expected
    assert len(json.loads(got)["items"]) == Item.objects.published().count()


@POSTGRESQL_ONLY
@pytest.mark.django_db
def test_copy_export_sends_large_chunks(awkward_world, monkeypatch):
    """Rows leave in chunks of about CHUNK_BYTES, not one chunk per row."""
    monkeypatch.setattr(copy_export, "CHUNK_BYTES", 1024)
    request = RequestFactory().get("/recommendations/export.csv")
    chunks = list(
        copy_export.stream_csv(
            exports.filtered_items(request),
            [key for _, key in exports.COLUMNS],
            exports._csv_header(),
            exports.finding_base_url(request),
            exports.Labels(exports.export_language(request)),
        )
    )
    rows = Item.objects.published().count()
    assert 1 < len(chunks) < rows
    assert all(len(chunk) >= 1024 for chunk in chunks[:-1])


@POSTGRESQL_ONLY
@pytest.mark.django_db
def test_the_export_view_uses_copy_on_postgresql(client, awkward_world, monkeypatch):
    calls = []
    real = copy_export.stream_csv
    monkeypatch.setattr(copy_export, "stream_csv", lambda *args: calls.append(1) or real(*args))
    response = client.get("/recommendations/export.csv")
    body = b"".join(response.streaming_content)
    assert calls == [1]
    assert body == python_csv(RequestFactory().get("/recommendations/export.csv"))


@pytest.mark.django_db
def test_the_awkward_data_is_awkward(awkward_world):
    """The comparison above covers what it means to: both offsets, microseconds, every source
    label, a changed due date, a multi-line cell."""
    text = python_csv(RequestFactory().get("/recommendations/export.csv")).decode()
    for expected in ("+01:00", "+00:00", ".000120", "Recorded by the tracker", '"Line one\nline'):
        assert expected in text, expected
    assert "Self-reported by the organisation" in text and "Decided by the inspectorate" in text
