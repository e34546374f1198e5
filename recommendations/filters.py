"""The public browse filters: one FilterSet shared by the browse page, the exports and the API.

The rows are *items*: one finding for one addressee (an ``Item``). A recommendation made
to a force and its police and crime commissioner is two items, because each body's progress is
tracked on its own.
"""

import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Count, Exists, F, Func, OuterRef, Q, TextField, Value, When
from django.db.models.functions import ExtractYear, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import OrganisationKind, Region
from inspections.models import Organisation, Programme
from recommendations.choices import FindingKind, Status
from recommendations.models import (
    Finding,
    FindingSearch,
    Item,
    ItemFacts,
    Theme,
    overdue_q,
)

# The words search: PostgreSQL full-text search against each finding's stored search document
# (``FindingSearch``, built by the triggers of migration 0013), unaccented like the document.
SEARCH_CONFIG = "english"


def unaccent(value):
    return Func(Value(value), function="unaccent", output_field=TextField())


def words_query(value):
    """The reader's words as a tsquery: websearch syntax ("a phrase", -not, or), unaccented."""
    return SearchQuery(unaccent(value), config=SEARCH_CONFIG, search_type="websearch")


def unaccented_words_query(unaccented):
    """``words_query`` of words already unaccented (``exact_match`` gives them): a constant.

    ``unaccent`` is only STABLE, so ``words_query``'s tsquery is an expression PostgreSQL
    evaluates again for every row it meets outside an index condition: ranking 18,500 matches
    parsed the words 18,500 times (70 ms of 200 at 100,000 findings). Of a literal, the
    (IMMUTABLE) ``websearch_to_tsquery`` is folded into one tsquery when the statement is
    planned."""
    return SearchQuery(unaccented, config=SEARCH_CONFIG, search_type="websearch")


def exact_match(value) -> tuple[bool, str]:
    """(Whether any published finding matches ``value`` as typed, by its words or its
    reference; ``value`` unaccented by the database), in one query. Two ``EXISTS``, each of
    which stops at its first published match, where ``IN (matching_findings)`` gathered every
    match first (25-40 ms for 13,500 matching findings, against a few)."""
    published = Finding.objects.published().order_by().values("pk")
    by_words = published.filter(search__document=words_query(value))[:1]
    by_reference = published.filter(reference__iexact=value)[:1]
    words_sql, words_params = by_words.query.sql_with_params()
    reference_sql, reference_params = by_reference.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS({words_sql}) OR EXISTS({reference_sql}), unaccent(%s)",
            [*words_params, *reference_params, value],
        )
        matched, unaccented = cursor.fetchone()
    return matched, unaccented


def matching_findings(value, query):
    """The ids of the findings whose stored document matches ``query``, or whose reference is
    ``value`` (any case): a union of two indexed lookups (GIN on the document, the upper-case
    reference index of migration 0005). Written as one ``OR`` over a join, the two could use
    neither index: PostgreSQL read every stored document (800 ms at 100,000 findings) for
    each count, where the union reads only the matching ones."""
    return (
        FindingSearch.objects.filter(document=query)
        .values("finding_id")
        .union(Finding.objects.filter(reference__iexact=value).values("id"))
    )


def search_words(value) -> list[str]:
    """The words of a query, for the misspelling fallback and the quick-start search."""
    return [word for word in re.findall(r"\w+", value) if word.lower() != "or"]


def published_programmes():
    """Programmes with a published report: a newer one must not show before its first report."""
    return Programme.objects.published()


def published_themes():
    """Themes of published findings: a theme only an embargoed report uses would tell of it."""
    return Theme.objects.published()


class SortChoice:
    """The orders the browse page offers; the key is what the URL holds."""

    OPTIONS = {
        "relevance": (_("Best match"), None),
        "newest": (_("Newest report first"), ("-finding__inspection__published_at", "pk")),
        "oldest": (_("Oldest report first"), ("finding__inspection__published_at", "pk")),
        "due": (_("Due date, soonest first"), (F("due_date").asc(nulls_last=True), "pk")),
        "organisation": (_("Organisation, A to Z"), ("organisation__name", "pk")),
        "reference": (
            _("Report and reference"),
            ("finding__inspection__title", "finding__position", "finding__reference", "pk"),
        ),
    }

    @classmethod
    def choices(cls):
        return [(key, label) for key, (label, _) in cls.OPTIONS.items()]


def year_choices():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, 2009, -1)]


class FindingItemFilterSet(django_filters.FilterSet):
    """Filters over published items. Every option can also show how many results it would give."""

    q = django_filters.CharFilter(
        label=_("Words"), method="filter_words", help_text=_("For example: custody mental health")
    )
    kind = django_filters.ChoiceFilter(
        field_name="finding__kind",
        choices=FindingKind.choices,
        label=_("Kind"),
        empty_label=_("Any"),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Organisation"),
        method="filter_organisation",
        empty_label=_("Any organisation"),
    )
    organisation_kind = django_filters.ChoiceFilter(
        field_name="organisation__kind",
        choices=OrganisationKind.choices,
        label=_("Type of organisation"),
        empty_label=_("Any"),
    )
    region = django_filters.ChoiceFilter(
        field_name="organisation__region",
        choices=Region.choices,
        label=_("Region"),
        empty_label=_("Any"),
    )
    programme = django_filters.ModelChoiceFilter(
        field_name="finding__inspection__programme",
        queryset=lambda request: published_programmes(),
        to_field_name="slug",
        label=_("Inspection programme"),
        empty_label=_("Any"),
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="finding__themes",
        queryset=lambda request: published_themes(),
        distinct=False,  # one theme joins at most one row per finding
        to_field_name="slug",
        label=_("Theme"),
        empty_label=_("Any"),
    )
    year = django_filters.ChoiceFilter(
        method="filter_year",
        choices=[],  # set per request: the years up to this one
        label=_("Year published"),
        empty_label=_("Any"),
    )
    overdue = django_filters.ChoiceFilter(
        method="filter_overdue",
        choices=[("yes", _("Overdue only")), ("no", _("Not overdue"))],
        label=_("Overdue"),
        empty_label=_("Any"),
    )
    extended = django_filters.ChoiceFilter(
        method="filter_extended",
        choices=[
            ("overdue", _("Due date extended while overdue")),
            ("yes", _("Due date changed")),
        ],
        label=_("Due date changed"),
        empty_label=_("Any"),
    )
    due_after = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="gte",
        label=_("Due on or after"),
        help_text=_("For example, 31/3/2026"),
        # Django's own Welsh for "Enter a valid date." reads badly ("Rhif ddyddiad dilys").
        error_messages={"invalid": _("Enter a real date, for example 31/3/2026")},
    )
    due_before = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label=_("Due on or before"),
        help_text=_("For example, 31/12/2026"),
        # Django's own Welsh for "Enter a valid date." reads badly ("Rhif ddyddiad dilys").
        error_messages={"invalid": _("Enter a real date, for example 31/12/2026")},
    )
    inspection = django_filters.CharFilter(
        field_name="finding__inspection__slug", label=_("Inspection"), widget=forms.HiddenInput
    )
    sort = django_filters.ChoiceFilter(
        method="filter_sort", choices=SortChoice.choices(), label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Item
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices()
        self._search_query = None
        self._fuzzy_words = None
        self._exact_matches = {}
        self._lineages = {}

    # Filters ---------------------------------------------------------------------------

    def filter_words(self, queryset, name, value):
        # Never empty: the form field strips the words and an empty filter is not applied.
        value = value.strip()
        if connection.vendor != "postgresql":
            return self._filter_words_simply(queryset, value)
        matched, unaccented = self._exact_match(value)
        if matched:
            query = unaccented_words_query(unaccented)
            self._search_query = query
            return queryset.filter(finding_id__in=matching_findings(value, query))
        # Nothing published matches the words as typed: look for words that are spelt nearly
        # the same ("custdy" finds "custody"), every word having to match, by pg_trgm's word
        # similarity against the stored, unaccented text.
        words = search_words(value)
        if not words:
            return queryset.none()
        self._search_query = None
        self._fuzzy_words = " ".join(words)
        for word in words:
            queryset = queryset.filter(
                TrigramWordSimilar(F("finding__search__text"), Lower(unaccent(word)))
            )
        return queryset

    def _exact_match(self, value) -> tuple[bool, str]:
        """Whether any published finding matches the words as typed, and the words unaccented
        (``exact_match``). Asked once per request (the facets reapply the filter), of published
        findings only: an embargoed report's words must not change what a search shows."""
        if value not in self._exact_matches:
            self._exact_matches[value] = exact_match(value)
        return self._exact_matches[value]

    def _filter_words_simply(self, queryset, value):
        # SQLite, the quick start: every word must appear in something that names the item.
        self._search_query = value
        for word in search_words(value) or [value]:
            queryset = queryset.filter(
                Q(finding__text__icontains=word)
                | Q(finding__text_cy__icontains=word)
                | Q(finding__reference__iexact=word)
                | Q(finding__inspection__title__icontains=word)
                | Q(finding__inspection__title_cy__icontains=word)
                | Q(finding__inspection__programme__name__icontains=word)
                | Q(organisation__name__icontains=word)
                | Q(organisation__name_cy__icontains=word)
            )
        return queryset

    def filter_organisation(self, queryset, name, value):
        # A body's items include what was addressed to the bodies it succeeded.
        if value.pk not in self._lineages:
            self._lineages[value.pk] = value.lineage_ids()
        return queryset.filter(organisation_id__in=self._lineages[value.pk])

    def filter_year(self, queryset, name, value):
        return queryset.filter(finding__inspection__published_at__year=int(value))

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_q()
        return queryset.filter(overdue) if value == "yes" else queryset.exclude(overdue)

    def filter_extended(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(overdue_when_extended=True)
        return queryset.filter(original_due_date__isnull=False).exclude(
            original_due_date=F("due_date")
        )

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in ``qs``, once the search is known

    @property
    def qs(self):
        return self.ordered(super().qs)

    # The orders of SortChoice, by the fields of this filterset's model; a best match first
    # is followed by the newest report first.
    ORDERS = {key: fields for key, (_label, fields) in SortChoice.OPTIONS.items()}
    AFTER_RANK = ("-finding__inspection__published_at", "pk")

    def chosen_sort(self) -> str:
        """The order chosen, once the filters ran (a words search, as typed or nearly, the
        misspelling fallback, lists the best match first unless told otherwise)."""
        sort = self.cleaned_data().get("sort")
        if not sort or sort not in SortChoice.OPTIONS:
            sort = "relevance" if self._search_query or self._fuzzy_words else "newest"
        return sort

    def ordered(self, queryset):
        """``queryset`` in the order chosen (once the filters ran: a words search ranks)."""
        sort = self.chosen_sort()
        if sort == "relevance":
            rank = self._search_rank()
            if rank is not None:
                ranked = queryset.annotate(search_rank=rank)
                return ranked.order_by("-search_rank", *self.AFTER_RANK)
            sort = "newest"
        return queryset.order_by(*self.ORDERS[sort])

    def pages(self):
        """The results for a paginator, in order. On PostgreSQL a page's item ids are found
        and ordered in the item facts (one narrow row per item: a deep page or a ranked search
        of 20,000 results sorts ids, not every result's texts), then its items are read in
        one query (``PagedItems``). Elsewhere, ``qs``."""
        results = self.qs  # the filters run: what the page says of the search is known
        if connection.vendor != "postgresql":
            return results
        facts = ItemFactsFilterSet(self)
        rows = facts.without()  # the words filter runs: whether it ranks is known
        if RankedIds.suits(facts):
            return PagedItems(RankedIds(facts), self.queryset)
        ids = facts.ordered(rows).values_list("item_id", flat=True)
        return PagedItems(ids, self.queryset)

    def _search_rank(self):
        """The best match first: ranked against the stored document (never by parsing text),
        or by how nearly the words match when the misspelling fallback found them."""
        if connection.vendor != "postgresql":
            return None
        if self._search_query is not None:
            return SearchRank(F("finding__search__document"), self._search_query)
        if self._fuzzy_words:
            return TrigramWordSimilarity(
                Lower(unaccent(self._fuzzy_words)), F("finding__search__text")
            )
        return None

    @property
    def is_approximate(self) -> bool:
        """True when no published finding matched the words as typed and the results are
        those of nearly the same spelling."""
        return bool(self._fuzzy_words)

    # Facet counts ----------------------------------------------------------------------

    def facet_counts(self) -> dict[str, dict]:
        """For every facet, how many results each option would give with the other filters.

        The facet's own choice is left out so that the counts say what choosing another option
        would give. On PostgreSQL they count the item facts (``ItemFacts``, one narrow row per
        item) rather than joining four tables (see ``counts``).
        """
        return self.counts()[1]

    def total(self) -> int:
        """How many results the filters give, counted from the item facts on PostgreSQL."""
        if connection.vendor == "postgresql":
            return ItemFactsFilterSet(self).without().count()
        return self.without().count()

    def counts(self) -> tuple[int, dict[str, dict]]:
        """(How many results the filters give, ``facet_counts()``), uncached. On PostgreSQL
        from the item facts: a words search in one statement (``FactsCounts``), which matches
        the words once rather than ten times; otherwise one query per facet and one for the
        total, each of which can use the indexes of the facets chosen. Elsewhere (SQLite) the
        same queries over the items. The browse page counts by organisation instead, each
        part cached under its organisation's version (public/stats.py: ``browse_counts``)."""
        if connection.vendor != "postgresql":
            return self.without().count(), {facet.name: facet.count(self) for facet in FACETS}
        facts = ItemFactsFilterSet(self)
        if self.cleaned_data().get("q"):
            return FactsCounts(facts).counts()
        return facts.without().count(), {facet.name: facet.count(facts) for facet in FACTS_FACETS}

    def facts_counter(self) -> "FactsCounts":
        """PostgreSQL: the counts of these filters by organisation (``FactsCounts``)."""
        return FactsCounts(ItemFactsFilterSet(self))

    def without(self, *names):
        """The filtered queryset as if ``names`` were not chosen (unordered, for counting).

        It reuses the validated values, so it costs no further validation queries.
        """
        queryset = self.queryset.all()
        for name, value in self.cleaned_data().items():
            if name not in names and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    def cleaned_data(self) -> dict:
        """The values that passed validation; an invalid one is left out (and reported)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data


@dataclass(frozen=True)
class Facet:
    name: str
    group_by: str

    def count(self, filterset):
        rows = (
            filterset.without(self.name)
            .values(key=F(self.group_by))
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {row["key"]: row["n"] for row in rows if row["key"] is not None}


def fold_lineages(counts: dict) -> dict:
    """Counts by addressee's slug, with a predecessor's items counted for its successor too, as
    choosing the successor gives them (``filter_organisation``). One query."""
    folded = dict(counts)
    for slug, lineage in Organisation.objects.lineages(key="slug").items():
        total = sum(counts.get(body, 0) for body in lineage)
        if total:
            folded[slug] = total
    return folded


class OrganisationFacet(Facet):
    def count(self, filterset):
        """Counts by addressee, with a predecessor's items counted for its successor too."""
        return fold_lineages(super().count(filterset))


class YearFacet(Facet):
    def count(self, filterset):
        rows = (
            filterset.without(self.name)
            .annotate(key=ExtractYear(self.group_by))
            .values("key")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {row["key"]: row["n"] for row in rows if row["key"] is not None}


class OverdueFacet(Facet):
    def count(self, filterset):
        overdue = overdue_q()
        totals = filterset.without(self.name).aggregate(
            total=Count("pk"), overdue=Count("pk", filter=overdue)
        )
        return {"yes": totals["overdue"], "no": totals["total"] - totals["overdue"]}


FACETS = (
    Facet("kind", "finding__kind"),
    Facet("status", "status"),
    OrganisationFacet("organisation", "organisation__slug"),
    Facet("organisation_kind", "organisation__kind"),
    Facet("region", "organisation__region"),
    Facet("programme", "finding__inspection__programme__slug"),
    Facet("theme", "finding__themes__slug"),
    YearFacet("year", "finding__inspection__published_at"),
    OverdueFacet("overdue", ""),
)


class ItemFactsFilterSet(FindingItemFilterSet):
    """The same filters over ``ItemFacts``, for the counts: each names the facts' own column
    where the items' filter follows a join. It applies the values the browse page's filterset
    validated (no second validation, no further query) and shares what that one looked up."""

    kind = django_filters.ChoiceFilter(field_name="kind", choices=FindingKind.choices)
    organisation_kind = django_filters.ChoiceFilter(
        field_name="organisation_kind", choices=OrganisationKind.choices
    )
    region = django_filters.ChoiceFilter(field_name="region", choices=Region.choices)
    programme = django_filters.ModelChoiceFilter(
        field_name="programme", queryset=Programme.objects.none(), to_field_name="slug"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="finding__themes",
        queryset=Theme.objects.none(),
        distinct=False,
        to_field_name="slug",
    )
    inspection = django_filters.CharFilter(field_name="inspection__slug")

    class Meta:
        model = ItemFacts
        fields = []

    def __init__(self, source):
        super().__init__(None, queryset=ItemFacts.objects.published())
        self._source = source
        self._exact_matches = source._exact_matches
        self._lineages = source._lineages

    def cleaned_data(self) -> dict:
        return self._source.cleaned_data()

    def lineage(self, organisation) -> list:
        """The ids of ``organisation`` and the bodies it succeeded, looked up once."""
        if organisation.pk not in self._lineages:
            self._lineages[organisation.pk] = organisation.lineage_ids()
        return self._lineages[organisation.pk]

    def filter_year(self, queryset, name, value):
        return queryset.filter(published_at__year=int(value))

    def words_of_each_row(self) -> Q | None:
        """The words search as typed (once ``without`` ran it) as a condition on each row:
        its finding's document matches or its reference is the words, the same findings as
        ``matching_findings``. For the rows of one organisation (a part counted again after a
        write: 2,000 rows of a large force) each row's finding is looked up (18 ms), where the
        union found all 13,500 findings that match "custody mental health" first (27 ms).
        ``None`` for no words or the misspelling fallback."""
        value = (self.cleaned_data().get("q") or "").strip()
        if not value or self._search_query is None:
            return None
        # A subquery on the row's finding: written as joins, PostgreSQL hashed every finding.
        matching = Finding.objects.filter(pk=OuterRef("finding_id")).filter(
            Q(search__document=self._search_query) | Q(reference__iexact=value)
        )
        return Q(Exists(matching))

    # The facts' own columns where the items' orders follow a join: the same order.
    ORDERS = FindingItemFilterSet.ORDERS | {
        "newest": ("-published_at", "pk"),
        "oldest": ("published_at", "pk"),
    }
    AFTER_RANK = ("-published_at", "pk")


class PagedItems:
    """What a paginator slices: ``ids``, the results' item ids in order, and for each page
    its items from ``items`` (with what a row shows), in one query."""

    ordered = True  # the paginator's check: the ids are

    def __init__(self, ids, items):
        self.ids = ids
        self.items = items

    def count(self):
        return self.ids.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        ids = list(self.ids[key])
        by_pk = {item.pk: item for item in self.items.filter(pk__in=ids)}
        return [by_pk[pk] for pk in ids]


class RankedIds:
    """PostgreSQL: the item ids of a words search in the best match first, as
    ``ItemFactsFilterSet.ordered`` gives them (rank, then the newest report, then the item), for
    ``PagedItems``; sliced, one query.

    Ranked there, through the item's finding, every matching *item* joined its finding's
    document and was ranked, and the matches were found a second time for the filter (110 ms
    for 18,500 items). Here each matching *finding* is ranked once, in the scan that finds it
    (``ranked_findings``), and joined to the items the other filters give: PostgreSQL sorts the
    findings by rank and reads the items of the first few only (45 ms)."""

    @staticmethod
    def suits(facts: "ItemFactsFilterSet") -> bool:
        """Whether the page is best matches of the words as typed (once the filters ran) with
        no other filter. With others (a status, a type of organisation) the best findings'
        items may mostly fail them, and PostgreSQL, reading findings in rank order, read
        thousands (1.7 s for "custody", open, police forces, against 60 ms in one sort)."""
        chosen = {
            name
            for name, value in facts.cleaned_data().items()
            if name not in ("q", "sort") and value not in (None, "", [], ())
        }
        return facts.chosen_sort() == "relevance" and facts._search_query is not None and not chosen

    def __init__(self, facts: "ItemFactsFilterSet"):
        self.rows = facts.without("q").values("item_id", "published_at", "finding_id")
        self.ranked = ranked_findings(facts.cleaned_data()["q"].strip(), facts._search_query)

    def sql(self, tail=""):
        """The statement and its parameters; ``EmptyResultSet`` when the filters can give
        nothing."""
        rows, rows_params = self.rows.query.sql_with_params()
        ranked, ranked_params = self.ranked.query.sql_with_params()
        # Only the compiled queries' SQL goes in; the values are their parameters.
        sql = (
            f"SELECT facts.item_id FROM ({rows}) facts JOIN ({ranked}) ranked"  # noqa: S608
            " ON ranked.finding_id = facts.finding_id"
            f" ORDER BY ranked.rank DESC, facts.published_at DESC, facts.item_id{tail}"
        )
        return sql, [*rows_params, *ranked_params]

    def count(self):
        try:
            sql, params = self.sql()
        except EmptyResultSet:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608
            return cursor.fetchone()[0]

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("RankedIds is sliced, with no step")
        start = key.start or 0
        tail = f" OFFSET {int(start)}"
        if key.stop is not None:
            tail = f" LIMIT {max(int(key.stop) - start, 0)}{tail}"
        try:
            sql, params = self.sql(tail)
        except EmptyResultSet:
            return []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]


def ranked_findings(value, query):
    """(finding_id, rank) of every finding that ``matching_findings`` gives, each once: those
    whose document matches ``query``, ranked in the same scan, and those whose reference is
    ``value`` but whose document does not match (so that the two parts are disjoint and need
    no deduplicating, which would keep PostgreSQL from sorting the findings alone by rank)."""
    by_words = (
        FindingSearch.objects.filter(document=query)
        .annotate(rank=SearchRank(F("document"), query))
        .order_by()
        .values("finding_id", "rank")
    )
    by_reference = (
        Finding.objects.filter(reference__iexact=value)
        .exclude(search__document=query)
        .annotate(found=F("id"), rank=SearchRank(F("search__document"), query))
        .order_by()
        .values("found", "rank")
    )
    return by_words.union(by_reference, all=True)


FACTS_FACETS = (
    Facet("kind", "kind"),
    Facet("status", "status"),
    OrganisationFacet("organisation", "organisation__slug"),
    Facet("organisation_kind", "organisation_kind"),
    Facet("region", "region"),
    Facet("programme", "programme__slug"),
    Facet("theme", "finding__themes__slug"),
    YearFacet("year", "published_at"),
    OverdueFacet("overdue", ""),
)


class FactsCounts:
    """The total and every facet's counts from one statement over the item facts, by
    organisation: each organisation's *part*, which add up to the whole.

    One grouped query per facet ran the filters again for each: a words search matched the
    words ten times (4 s at 100,000 findings). Here the rows that pass the filters that are
    not facets (the words, the due dates, the inspection, an extended due date) are read once
    (a materialised CTE), each with a flag per chosen facet saying whether it passes that
    facet's filter; each facet's options are counted over the rows that pass every *other*
    chosen facet, as ``Facet.count`` does over ``without(facet)``: by ``GROUPING SETS``, one
    set per facet, and for the themes (many to a finding) by a join to the findings' themes.

    Every set is also grouped by organisation, so the counts come as one part per
    organisation (``parts``; the browse page caches each under its organisation's version,
    public/stats.py) and ``merge`` adds them up: after a write, only the parts of the
    organisations it touched are counted again.
    """

    # facet: the column of the facts it groups by, beside the organisation. Programmes and
    # themes are counted by id, years by publication time (at most a row per report), and
    # named when the parts are added up: the names are not part of what a write changes, and
    # converting every row's time to a local year cost as much as the rest of the query.
    GROUPED = {
        "kind": "kind",
        "status": "status",
        "programme": "programme_id",
        "year": "published_at",
        # the organisation's own facets: one row per organisation
        "organisation": "organisation_kind, region",
    }
    EMPTY = {"total": 0, "overdue": 0, "not_overdue": 0, "counts": {}}
    # Up to this many organisations' parts (after a write: the one it touched), a words search
    # is checked on each of their rows (``words_of_each_row``) rather than by matching the
    # words across the country first.
    FEW_ORGANISATIONS = 3

    def __init__(self, facts: "ItemFactsFilterSet"):
        self.facts = facts
        self.cleaned = facts.cleaned_data()
        self.chosen = [
            facet.name
            for facet in FACTS_FACETS
            if self.cleaned.get(facet.name) not in (None, "", [], ())
        ]

    def lineage(self) -> list:
        """The ids the organisation filter chooses (part of what the counts depend on)."""
        if "organisation" not in self.chosen:
            return []
        return sorted(self.facts.lineage(self.cleaned["organisation"]))

    def passes(self, name) -> Q:
        """The condition of facet ``name``'s filter on a row of the facts, as its filter
        (``ItemFactsFilterSet``) applies it."""
        value = self.cleaned[name]
        if name == "status":
            return Q(status__in=value)
        if name == "organisation":
            return Q(organisation_id__in=self.facts.lineage(value))
        if name == "programme":
            return Q(programme=value)
        if name == "theme":
            # The findings of the theme, once (a hashed subplan), not a lookup per row.
            themed = Finding.themes.through.objects.filter(theme_id=value.pk)
            return Q(finding_id__in=themed.values("finding_id"))
        if name == "year":
            return Q(published_at__year=int(value))
        if name == "overdue":
            return Q(counts_overdue=(value == "yes"))
        return Q(**{name: value})  # kind, organisation_kind, region: the facts' own column

    def passing(self, *left_out) -> str:
        """SQL: the row passes every chosen facet but ``left_out``."""
        names = [name for name in self.chosen if name not in left_out]
        return " AND ".join(f"passes_{name} = 1" for name in names) or "TRUE"

    def conditions(self) -> tuple[list, dict]:
        """([each distinct condition counted], {facet, or "" for the total: the number of the
        condition whose count it reads}): every facet not chosen shares the total's."""
        names = ["", *(facet.name for facet in FACTS_FACETS)]
        of = {name: self.passing(name) if name else self.passing() for name in names}
        distinct = sorted(set(of.values()))
        return distinct, {name: distinct.index(condition) for name, condition in of.items()}

    def sql(self, organisation_ids=None):
        """(The statement, its parameters, {facet: the number of the count it reads})."""
        today = timezone.localdate()
        facets = [facet.name for facet in FACTS_FACETS]
        few = organisation_ids is not None and len(organisation_ids) <= self.FEW_ORGANISATIONS
        rows = self.facts.without(*facets)  # the words filter runs: how it matches is known
        words = self.facts.words_of_each_row() if few else None
        if words is not None:
            rows = self.facts.without(*facets, "q").filter(words)
        rows = rows.annotate(counts_overdue=Case(When(overdue_q(today), then=True), default=False))
        if organisation_ids is not None:
            rows = rows.filter(organisation_id__in=organisation_ids)
        # A flag per chosen facet: 1 when the row passes its filter (never null).
        rows = rows.annotate(
            **{
                f"passes_{name}": Case(When(self.passes(name), then=1), default=0)
                for name in self.chosen
            }
        )
        columns = ["finding_id", "organisation_id", "kind", "status", "programme_id"]
        columns += ["published_at", "organisation_kind", "region", "counts_overdue"]
        columns += [f"passes_{name}" for name in self.chosen]
        inner, params = rows.values(*columns).query.sql_with_params()
        conditions, reads = self.conditions()
        counted = ", ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition in conditions)
        keys = "kind, status, programme_id, published_at, organisation_kind, region"
        groupings = "GROUPING(kind), GROUPING(status), GROUPING(programme_id), " + (
            "GROUPING(published_at), GROUPING(organisation_kind)"
        )
        sets = ", ".join(f"(organisation_id, {column})" for column in self.GROUPED.values())
        overdue = f"COUNT(*) FILTER (WHERE {self.passing('overdue')} AND counts_overdue)"
        # Only this class's own names and conditions go in; the values are parameters of the
        # compiled inner query.
        # A words search is matched once (materialised: a few thousand rows); other filters
        # are cheaper to apply again for the themes than to write every row aside.
        materialised = "MATERIALIZED" if self.cleaned.get("q") else "NOT MATERIALIZED"
        sql = (
            f"WITH facts AS {materialised} ({inner}) "  # noqa: S608
            f"SELECT organisation_id, {keys}, NULL::bigint AS theme, {groupings}, {counted}, "
            f"{overdue} AS overdue FROM facts GROUP BY GROUPING SETS ({sets}) "
            "UNION ALL SELECT organisation_id, NULL, NULL, NULL, NULL, NULL, NULL, "
            f"themes.theme_id, 1, 1, 1, 1, 1, {counted}, 0 "
            f"FROM facts JOIN {Finding.themes.through._meta.db_table} themes "
            "ON themes.finding_id = facts.finding_id GROUP BY organisation_id, themes.theme_id"
        )
        return sql, params, reads

    def parts(self, organisation_ids=None) -> dict:
        """{organisation id: its part}, for ``organisation_ids`` (``None``: all), in one
        statement. A part: its total, overdue and not overdue (as the overdue facet counts
        them), and {facet: {key: count}} with programmes and themes by id and years by
        publication time."""
        try:
            sql, params, reads = self.sql(organisation_ids)
        except EmptyResultSet:  # words that can match nothing (punctuation only)
            return {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            result = cursor.fetchall()
        # The columns: the organisation, six keys, the theme, five GROUPING()s, the counts.
        position = {name: 13 + number for name, number in reads.items()}
        parts: dict = {}
        for row in result:
            pk, kind, status, programme, published_at, organisation_kind, region, theme = row[:8]
            part = parts.setdefault(pk, {"total": 0, "overdue": 0, "not_overdue": 0, "counts": {}})
            counts = part["counts"]

            def add(name, key, counts=counts, row=row):
                n = row[position[name]]
                if key is not None and n:
                    facet = counts.setdefault(name, {})
                    facet[key] = facet.get(key, 0) + n

            grouping = row[8:13]
            if theme is not None:
                add("theme", theme)
            elif grouping[0] == 0:
                add("kind", kind)
            elif grouping[1] == 0:
                add("status", status)
            elif grouping[2] == 0:
                add("programme", programme)
            elif grouping[3] == 0:
                add("year", published_at)
            else:  # the organisation's own row
                part["total"] = row[position[""]]
                part["overdue"] = row[-1]
                part["not_overdue"] = row[position["overdue"]] - row[-1]
                add("organisation", pk)
                add("organisation_kind", organisation_kind)
                add("region", region)
        return parts

    @staticmethod
    def merge(parts) -> tuple[int, dict[str, dict]]:
        """(The total, every facet's counts as ``facet_counts`` gives them) from the parts:
        sums, then ids and times named (two queries)."""
        total = overdue = not_overdue = 0
        summed: dict = {facet.name: {} for facet in FACTS_FACETS}
        for part in parts:
            total += part["total"]
            overdue += part["overdue"]
            not_overdue += part["not_overdue"]
            for name, counts in part["counts"].items():
                into = summed[name]
                for key, n in counts.items():
                    into[key] = into.get(key, 0) + n
        slugs = {"organisation": {}, "programme": {}, "theme": {}}
        if summed["organisation"] or summed["programme"] or summed["theme"]:
            for name, pk, slug in named_rows():
                slugs[name][pk] = slug
        for name, by_id in slugs.items():
            summed[name] = {by_id[pk]: n for pk, n in summed[name].items()}
        years: dict = {}
        for published_at, n in summed["year"].items():
            year = timezone.localtime(published_at).year  # as ExtractYear gives it
            years[year] = years.get(year, 0) + n
        summed["year"] = years
        summed["organisation"] = fold_lineages(summed["organisation"])
        summed["overdue"] = {"yes": overdue, "no": not_overdue}
        return total, summed

    def counts(self) -> tuple[int, dict[str, dict]]:
        return self.merge(self.parts().values())


NAMED_SQL = " UNION ALL ".join(
    f"SELECT '{name}', id, slug FROM {model._meta.db_table}"  # noqa: S608 (our own names)
    for name, model in (("organisation", Organisation), ("programme", Programme), ("theme", Theme))
)


def named_rows():
    """(facet, id, slug) of every organisation, programme and theme: one query."""
    with connection.cursor() as cursor:
        cursor.execute(NAMED_SQL)
        return cursor.fetchall()


def published_items():
    """Every published item with what a list row shows, in one query per page."""
    return Item.objects.published().select_related("finding__inspection__programme", "organisation")
