"""The national-scale benchmark's data generator (``benchmarks/fixture.py``), on a small scale.

It loads its large tables with COPY, the search-document and item-facts triggers disabled, and
then fills both tables with the functions those triggers call. These tests compare that with a
load through the live triggers, check that the same seed and moment give the same rows, that
the tables come back with their triggers, foreign keys and indexes, and that the history passes
the benchmark's own checks.
"""

from contextlib import contextmanager
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from benchmarks import fixture
from benchmarks.national_scale import check_history
from inspections.models import (
    EngagePeriod,
    Inspection,
    Judgement,
    KeyFigure,
)
from recommendations.models import (
    CauseOfConcern,
    DueDateChange,
    Finding,
    FindingSearch,
    Item,
    ItemFacts,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the generator writes with PostgreSQL's COPY"
    ),
]

SCALE = 0.005  # about 600 findings
NOW = datetime(2026, 11, 30, 9, 15, 30, 250000, tzinfo=UTC)
# Every table the generator writes, whose ids come from their sequences.
GENERATED = [
    Inspection,
    Inspection.organisations.through,
    Inspection.partner_inspectorates.through,
    Judgement,
    KeyFigure,
    CauseOfConcern,
    Finding,
    Finding.themes.through,
    Item,
    StatusChange,
    DueDateChange,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    EngagePeriod,
]


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", stdout=StringIO())


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def generate():
    """Generate from the first ids of each table (the sequences do not roll back)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), GENERATED):
            cursor.execute(sql)
    with transaction.atomic():
        return fixture.Generator(seed=11, scale=SCALE, now=NOW, write=lambda _: None).build()


def rows(model, key="pk"):
    return list(model.objects.order_by(key).values_list())


def snapshot():
    """Every generated row, and the derived tables' rows (a search document as its text)."""
    tables = {model._meta.db_table: rows(model) for model in GENERATED}
    tables["facts"] = rows(ItemFacts, "item_id")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT finding_id, document::text, text FROM recommendations_findingsearch"
            " ORDER BY finding_id"
        )
        tables["search"] = cursor.fetchall()
    return tables


def schema():
    """The triggers (enabled or not), foreign keys and indexes of the generator's tables."""
    tables = fixture.LOADED_TABLES + fixture.INDEXED_AFTER
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        triggers = cursor.fetchall()
    return triggers, fixture.foreign_keys(tables), fixture.secondary_indexes(tables)


def test_the_load_writes_what_the_live_triggers_would(reference_data, monkeypatch):
    before = schema()
    with rolled_back():
        counts = generate()
        loaded = snapshot()
        assert schema() == before
    # The same load through the triggers: none disabled, nothing filled afterwards.
    monkeypatch.setattr(fixture, "DEFERRED_TRIGGERS", [])
    monkeypatch.setattr(fixture.Generator, "fill_derived", lambda self: None)
    with rolled_back():
        generate()
        by_triggers = snapshot()

    assert counts["findings"] == len(loaded["recommendations_finding"]) > 300
    assert counts["items"] == len(loaded["recommendations_item"]) == len(loaded["facts"])
    assert len(loaded["search"]) == counts["findings"]
    for table in [model._meta.db_table for model in GENERATED] + ["facts", "search"]:
        assert loaded[table] == by_triggers[table], table
    assert sum(row[2] != "" for row in loaded["search"]) == counts["findings"]


def test_the_derived_tables_are_those_the_triggers_write_in_an_analysed_database(
    reference_data,
):
    with rolled_back():
        generate()
        loaded = snapshot()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            # Statements the update triggers answer by rebuilding every row.
            cursor.execute("UPDATE recommendations_finding SET text = text")
            cursor.execute("UPDATE recommendations_item SET status = status")
        rebuilt = snapshot()
        check_history(connection)  # leaves the process if the history is inconsistent
    assert rebuilt["search"] == loaded["search"]
    assert rebuilt["facts"] == loaded["facts"]
    assert len({row[0] for row in loaded["facts"]}) == len(loaded["recommendations_item"])


def test_another_seed_gives_other_rows(reference_data):
    with rolled_back():
        generate()
        first = rows(Finding)
    with rolled_back():
        fixture.Generator(seed=12, scale=SCALE, now=NOW, write=lambda _: None).build()
        assert rows(Finding) != first
        assert FindingSearch.objects.count() == Finding.objects.count()
        assert ItemFacts.objects.count() == Item.objects.count()


@pytest.mark.django_db(transaction=True)
def test_the_load_refuses_to_run_outside_a_transaction():
    before = schema()
    with pytest.raises(RuntimeError, match="transaction"), fixture.bulk_load():
        pass
    assert schema() == before
