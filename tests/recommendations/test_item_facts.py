"""The item facts (migration 0017): one row per item copying every field the public counts use,
kept current by PostgreSQL's triggers whatever makes the change, and counts made from them equal
to counts made by joining the items to their findings, inspections and organisations."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from inspections.choices import OrganisationKind
from inspections.models import Inspection
from recommendations.choices import FindingKind, Status
from recommendations.filters import FACETS, FindingItemFilterSet, published_items
from recommendations.models import Item, ItemFacts
from recommendations.services import (
    inspection_set_publication,
    item_close,
    item_set_due_date,
    item_start,
    item_submit_for_closure,
)
from tests.public.test_pages import add_findings

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the facts are kept by PostgreSQL triggers"
    ),
]


def copied(item):
    finding, inspection, organisation = item.finding, item.finding.inspection, item.organisation
    return {
        "finding_id": item.finding_id,
        "inspection_id": finding.inspection_id,
        "organisation_id": item.organisation_id,
        "programme_id": inspection.programme_id,
        "kind": finding.kind,
        "status": item.status,
        "organisation_kind": organisation.kind,
        "region": organisation.region,
        "published_at": inspection.published_at,
        "due_date": item.due_date,
        "original_due_date": item.original_due_date,
        "overdue_when_extended": item.overdue_when_extended,
    }


def assert_facts_match_items():
    items = Item.objects.select_related("finding__inspection", "organisation")
    facts = {row["item_id"]: row for row in ItemFacts.objects.values()}
    assert set(facts) == {item.pk for item in items}
    for item in items:
        row = facts[item.pk]
        assert {key: row[key] for key in copied(item)} == copied(item), item.pk


def test_every_door_keeps_the_facts_current(public_world, met, mopac, kent, inspector):
    add_findings(public_world["inspection"], 6, [met, mopac])
    assert_facts_match_items()
    item = Item.objects.filter(status=Status.OPEN).first()
    item_start(item=item, user=inspector, note="Begun.")
    item_set_due_date(
        item=Item.objects.get(pk=item.pk),
        due_date=date(2031, 1, 1),
        user=inspector,
        reason="Agreed.",
    )
    finding = public_world["afi"]
    finding.kind = FindingKind.RECOMMENDATION  # a save, as the admin makes
    finding.save()
    met.region = "South East"
    met.save()
    mopac.kind = OrganisationKind.NATIONAL_BODY
    mopac.save()
    inspection_set_publication(
        inspection=Inspection.objects.get(slug="embargoed-report"),
        published_at=timezone.now() + timedelta(days=3),
        user=inspector,
        reason="Corrected.",
    )
    extra = Item.objects.create(finding=public_world["afi"], organisation=kent)
    assert_facts_match_items()
    extra.delete()
    assert_facts_match_items()
    assert not ItemFacts.objects.filter(item_id=extra.pk).exists()


QUERIES = [
    {},
    {"status": ["open", "in_progress"]},
    {"kind": "area_for_improvement", "overdue": "yes"},
    {"organisation": "metropolitan-police-service", "sort": "due"},
    {"q": "custody", "region": "London"},
    {"theme": "custody", "programme": "police-custody"},
    {"year": str(timezone.localdate().year), "extended": "yes"},
    {"inspection": "met-custody-2025", "organisation_kind": "police_force"},
    {"due_after": "2000-01-01", "due_before": "2100-01-01"},
    # A words search counts every facet in one statement (FactsCounts): with facets chosen,
    # each facet's counts leave out its own choice only.
    {
        "q": "custody",
        "status": ["open", "in_progress"],
        "organisation": "metropolitan-police-service",
        "theme": "custody",
        "overdue": "yes",
    },
    {
        "q": "custody records",
        "year": str(timezone.localdate().year),
        "programme": "police-custody",
        "kind": "recommendation",
        "overdue": "no",
        "organisation_kind": "police_force",
    },
    {"q": "custdy", "region": "London", "extended": "yes"},  # the misspelling fallback
    {"q": "X101"},  # a reference
]


@pytest.mark.parametrize("query", QUERIES)
def test_counts_from_the_facts_equal_counts_from_the_joins(public_world, met, mopac, query):
    add_findings(public_world["inspection"], 12, [met, mopac])
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in query.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    filterset = FindingItemFilterSet(data or None, queryset=published_items())
    filterset.cleaned_data()
    joined = {facet.name: facet.count(filterset) for facet in FACETS}
    assert filterset.facet_counts() == joined
    assert filterset.total() == filterset.without().count()
    assert sum(joined["status"].values()) == filterset.total()


def test_an_embargoed_report_is_never_counted(public_world):
    filterset = FindingItemFilterSet(None, queryset=published_items())
    assert filterset.total() == Item.objects.published().count()
    assert ItemFacts.objects.count() > Item.objects.published().count()


def test_the_overview_counts_from_the_facts_equal_those_from_the_items(
    public_world, met, mopac, inspector
):
    from public.stats import StatusBreakdown, organisation_table

    add_findings(public_world["inspection"], 9, [met, mopac])
    item_start(item=Item.objects.get(finding=public_world["afi"]), user=inspector, note="Begun.")
    assert StatusBreakdown.of_published() == StatusBreakdown.of(Item.objects.published())
    lineage = [met.pk]
    assert StatusBreakdown.of_published(organisation_ids=lineage) == StatusBreakdown.of(
        Item.objects.published().filter(organisation_id__in=lineage)
    )
    assert StatusBreakdown.of_published().total() == Item.objects.published().count()
    rows = {row["organisation"].slug: row["total"] for row in organisation_table()}
    assert (
        rows["metropolitan-police-service"]
        == Item.objects.published().filter(organisation=met).count()
    )


def versions(column="version"):
    from recommendations.models import CountsVersion

    return dict(CountsVersion.objects.values_list("organisation_id", column))


def test_a_write_moves_the_counts_version_of_the_organisation_it_touched_only(
    public_world, met, mopac, kent, inspector
):
    add_findings(public_world["inspection"], 3, [met, mopac])
    add_findings(public_world["inspection"], 2, [kent], start=300)
    before = versions()
    assert {met.pk, mopac.pk, kent.pk} <= set(before)
    item = Item.objects.filter(organisation=met, status=Status.IN_PROGRESS).first()
    item_submit_for_closure(item=item, user=inspector, note="Done.")
    after = versions()
    assert after[met.pk] > before[met.pk]
    assert {pk: v for pk, v in after.items() if pk != met.pk} == {
        pk: v for pk, v in before.items() if pk != met.pk
    }
    # A publication moves the facts of every addressee of the report's items.
    inspection_set_publication(inspection=public_world["embargoed"], published_at=timezone.now())
    moved = versions()
    embargoed = set(
        Item.objects.filter(finding__inspection=public_world["embargoed"]).values_list(
            "organisation_id", flat=True
        )
    )
    assert embargoed and all(moved[pk] > after[pk] for pk in embargoed)


def test_only_a_closure_or_a_moved_item_moves_the_closures_version(
    public_world, met, mopac, kent, inspector
):
    add_findings(public_world["inspection"], 3, [met, mopac])
    add_findings(public_world["inspection"], 2, [kent], start=300)
    before, closures_before = versions(), versions("closures_version")
    assert set(closures_before) == set(before)
    assert 0 not in closures_before.values()  # a fresh number, never the column's default
    item = Item.objects.filter(
        organisation=met, status=Status.IN_PROGRESS, finding__reference="X100"
    ).get()
    item = item_submit_for_closure(item=item, user=inspector, note="Done.")
    assert versions()[met.pk] > before[met.pk]
    assert versions("closures_version") == closures_before
    item_close(item=item, outcome=Status.CLOSED_COMPLETE, user=inspector, note="Verified.")
    closed = versions("closures_version")
    assert closed[met.pk] > closures_before[met.pk]
    assert {pk: v for pk, v in closed.items() if pk != met.pk} == {
        pk: v for pk, v in closures_before.items() if pk != met.pk
    }
    # An item moved to another body (as no service does; the database's own rule holds for
    # every door) moves both bodies' closures.
    Item.objects.filter(pk=item.pk).update(organisation=kent)
    moved = versions("closures_version")
    assert moved[met.pk] > closed[met.pk]
    assert moved[kent.pk] > closed[kent.pk]
    assert moved[mopac.pk] == closed[mopac.pk]
    # A publication: which closures count changes for every addressee of the report.
    inspection_set_publication(inspection=public_world["embargoed"], published_at=timezone.now())
    published = versions("closures_version")
    embargoed = set(
        Item.objects.filter(finding__inspection=public_world["embargoed"]).values_list(
            "organisation_id", flat=True
        )
    )
    assert embargoed and all(published[pk] > moved[pk] for pk in embargoed)
    assert all(published[pk] == moved[pk] for pk in moved.keys() - embargoed)


def test_after_a_write_the_overview_counts_the_touched_organisation_again_only(
    client, public_world, met, mopac, kent, inspector, django_assert_num_queries
):
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from public.counts_cache import PARTS_KEPT
    from public.stats import (
        StatusBreakdown,
        closures_per_quarter,
        organisation_table,
        overview_counts,
    )

    add_findings(public_world["inspection"], 4, [met, mopac])
    add_findings(public_world["inspection"], 2, [kent], start=300)
    cache.clear()
    PARTS_KEPT.clear()  # and this process's own copies
    overview_counts(kind="", region="", sort="name", descending=False)  # every part cached
    item = Item.objects.published().filter(organisation=met, status=Status.IN_PROGRESS).first()
    item_submit_for_closure(item=item, user=inspector, note="Done.")
    item_close(
        item=Item.objects.get(pk=item.pk),
        outcome=Status.CLOSED_COMPLETE,
        user=inspector,
        note="Verified.",
    )
    with CaptureQueriesContext(connection) as captured:
        breakdown, quarters, rows = overview_counts(
            kind="", region="", sort="name", descending=False
        )
    counted = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert len(counted) == 2  # the items and the closures of the organisation written to
    assert all(f"IN ({met.pk})" in sql for sql in counted)
    assert "recommendations_statuschange" in counted[1]
    # The same figures as counting everything again.
    assert breakdown == StatusBreakdown.of_published()
    assert quarters == closures_per_quarter()
    assert quarters[-1]["total"] >= 1
    assert [
        (row["organisation"].pk, row["total"], row["active"], row["overdue"], row["complete"])
        for row in rows
    ] == [
        (row["organisation"].pk, row["total"], row["active"], row["overdue"], row["complete"])
        for row in organisation_table()
    ]
    # A change that closes nothing: the organisation's items only, not its closures.
    other = Item.objects.published().filter(organisation=met, status=Status.IN_PROGRESS).first()
    item_submit_for_closure(item=other, user=inspector, note="Done.")
    with CaptureQueriesContext(connection) as captured:
        breakdown, again, _rows = overview_counts(kind="", region="", sort="name", descending=False)
    counted = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert len(counted) == 1
    assert f"IN ({met.pk})" in counted[0]
    assert "recommendations_statuschange" not in counted[0]
    assert breakdown == StatusBreakdown.of_published()
    assert again == quarters == closures_per_quarter()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=custody",
        "status=in_progress&theme=custody",
        "q=custody+records&status=in_progress",
        "q=X101",
        "q=custdy",
    ],
)
def test_after_a_write_the_browse_counts_count_the_touched_organisation_again_only(
    public_world, met, mopac, kent, inspector, query
):
    from django.core.cache import cache
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from public.counts_cache import PARTS_KEPT
    from public.stats import browse_counts

    add_findings(public_world["inspection"], 4, [met, mopac])
    add_findings(public_world["inspection"], 2, [kent], start=300)

    def counted():
        filterset = FindingItemFilterSet(QueryDict(query) or None, queryset=published_items())
        question = sorted((key, str(value)) for key, value in filterset.cleaned_data().items())
        with CaptureQueriesContext(connection) as captured:
            counts = browse_counts(filterset, question)
        fresh = FindingItemFilterSet(QueryDict(query) or None, queryset=published_items())
        fresh.cleaned_data()
        joined = {facet.name: facet.count(fresh) for facet in FACETS}
        return counts, (fresh.without().count(), joined), captured

    cache.clear()

    PARTS_KEPT.clear()  # and this process's own copies
    counts, recounted, _captured = counted()  # every part counted and cached
    assert counts == recounted
    item = Item.objects.published().filter(organisation=met, status=Status.IN_PROGRESS).first()
    item_submit_for_closure(item=item, user=inspector, note="Done.")
    counts, recounted, captured = counted()
    assert counts == recounted
    statements = [q["sql"] for q in captured.captured_queries if "GROUPING SETS" in q["sql"]]
    assert len(statements) == 1
    assert f"IN ({met.pk})" in statements[0]
    # The words as typed are checked on the organisation's own rows (FactsCounts.sql).
    words = query.startswith("q=") and query != "q=custdy"
    assert ("EXISTS(" in statements[0]) == words


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=oldest",
        "sort=due&status=in_progress",
        "sort=organisation",
        "sort=reference&theme=custody",
        "q=custody",
        "q=custody+records&sort=newest",
        "q=custdy",
        "q=custody&organisation=kent-police",
        "q=custody+records&status=in_progress&sort=relevance",
        "q=X105",
    ],
)
def test_a_page_read_through_the_facts_holds_the_same_items_in_the_same_order(
    public_world, met, mopac, kent, query
):
    from django.http import QueryDict

    from recommendations.filters import PagedItems

    add_findings(public_world["inspection"], 12, [met, mopac])
    add_findings(public_world["inspection"], 5, [kent], start=300)
    filterset = FindingItemFilterSet(QueryDict(query) or None, queryset=published_items())
    pages = filterset.pages()
    assert isinstance(pages, PagedItems)
    expected = list(FindingItemFilterSet(QueryDict(query) or None, queryset=published_items()).qs)
    assert expected
    assert len(pages) == len(expected)
    for start in range(0, len(expected), 7):
        assert pages[start : start + 7] == expected[start : start + 7]


def test_a_finding_found_by_its_reference_alone_is_ranked_with_the_words_matches(
    public_world, met, mopac
):
    """The ranked page (``RankedIds``) holds a finding whose reference is the words typed but
    whose document does not match them, where the items' own query puts it: every match once,
    in the same order."""
    from django.http import QueryDict

    from recommendations.filters import PagedItems, RankedIds
    from recommendations.models import FindingSearch

    add_findings(public_world["inspection"], 6, [met, mopac])
    # A document that no longer holds the reference (as a reference the search syntax reads
    # otherwise would): found by the reference only.
    FindingSearch.objects.filter(finding__reference="X103").update(document="other words")
    FindingSearch.objects.filter(finding__reference="X104").update(document="x103 custody")
    query = QueryDict("q=X103")
    pages = FindingItemFilterSet(query, queryset=published_items()).pages()
    assert isinstance(pages, PagedItems) and isinstance(pages.ids, RankedIds)
    expected = list(FindingItemFilterSet(query, queryset=published_items()).qs)
    assert {item.finding.reference for item in expected} == {"X103", "X104"}
    assert len(pages) == len(expected) == 4
    assert pages[0:4] == expected


@pytest.mark.parametrize(
    "query, ranked_by_finding",
    [
        ("q=custody", True),
        ("q=custody&sort=relevance", True),
        ("q=custody&sort=newest", False),
        ("q=custody&status=in_progress", False),
        ("q=custdy", False),
    ],
)
def test_only_a_best_match_search_with_no_other_filter_ranks_its_findings_first(
    public_world, met, query, ranked_by_finding
):
    """``RankedIds`` reads the items of the best findings first: with another filter those
    items may mostly fail it, and the one sort of every result is the quicker."""
    from django.http import QueryDict

    from recommendations.filters import RankedIds

    add_findings(public_world["inspection"], 3, [met])
    pages = FindingItemFilterSet(QueryDict(query), queryset=published_items()).pages()
    assert isinstance(pages.ids, RankedIds) == ranked_by_finding
    expected = list(FindingItemFilterSet(QueryDict(query), queryset=published_items()).qs)
    assert expected and pages[0 : len(expected)] == expected


def test_the_closures_trigger_knows_every_closed_status():
    """Migration 0020's trigger names the closed statuses as they were: a status added since
    must move the closures version too (a new migration replacing the trigger function)."""
    import importlib
    import re

    from recommendations.choices import CLOSED_STATUSES

    migration = importlib.import_module("recommendations.migrations.0020_closures_version")
    assert set(re.findall(r"'(\w+)'", migration.CLOSED)) == set(CLOSED_STATUSES)


def test_after_a_write_the_overview_reads_only_the_replaced_parts_from_the_cache(
    public_world, met, mopac, kent, inspector, monkeypatch
):
    """The parts a process read or counted stay in its memory under their versions (which no
    later change reuses): after a write it asks the shared cache only for the parts the write
    replaced, and a process that kept none reads them all from the cache, counting nothing."""
    from django.core.cache import cache

    from public.counts_cache import PARTS_KEPT, counts_versions, organisation_parts
    from public.stats import overview_count_parts, overview_counts

    add_findings(public_world["inspection"], 3, [met, mopac])
    add_findings(public_world["inspection"], 2, [kent], start=300)
    question = {"kind": "", "region": "", "sort": "name", "descending": False}
    before = overview_counts(**question)
    asked = []
    real_get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys: asked.append(list(keys)) or real_get_many(keys)
    )
    item = Item.objects.published().filter(organisation=met, status=Status.IN_PROGRESS).first()
    item_submit_for_closure(item=item, user=inspector, note="Done.")

    after = overview_counts(**question)

    assert after[0] != before[0]
    assert [len(keys) for keys in asked] == [1]  # the Met's count part; its closures kept
    assert f"overview-counts:{met.pk}:" in asked[0][0]
    PARTS_KEPT.clear()  # as another process, which kept none
    asked.clear()
    base, versions, _closures = counts_versions()

    def count(ids):
        raise AssertionError(f"counted again: {ids}")

    parts = organisation_parts("overview-counts", count, base=base, versions=versions, empty={})
    assert [len(keys) for keys in asked] == [len(versions)]
    assert parts[met.pk] == overview_count_parts([met.pk])[met.pk]


def test_the_parts_kept_in_memory_are_bounded():
    from public.counts_cache import _KeptParts

    kept = _KeptParts(limit=3)
    kept.put_many({"a": 1, "b": 2, "c": 3})
    assert kept.get_many(["a"]) == {"a": 1}  # now the newest
    kept.put_many({"d": 4})
    assert kept.get_many(["a", "b", "c", "d"]) == {"a": 1, "c": 3, "d": 4}
