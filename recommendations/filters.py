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
from django.db import connection
from django.db.models import Count, F, Func, Q, TextField, Value
from django.db.models.functions import ExtractYear, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import OrganisationKind, Region
from inspections.models import Organisation, Programme
from recommendations.choices import FindingKind, Status
from recommendations.models import Finding, Item, ItemFacts, Theme, overdue_q

# The words search: PostgreSQL full-text search against each finding's stored search document
# (``FindingSearch``, built by the triggers of migration 0013), unaccented like the document.
SEARCH_CONFIG = "english"


def unaccent(value):
    return Func(Value(value), function="unaccent", output_field=TextField())


def words_query(value):
    """The reader's words as a tsquery: websearch syntax ("a phrase", -not, or), unaccented."""
    return SearchQuery(unaccent(value), config=SEARCH_CONFIG, search_type="websearch")


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
        query = words_query(value)
        exact = Q(finding__search__document=query) | Q(finding__reference__iexact=value)
        if self._has_exact_match(value, query):
            self._search_query = query
            return queryset.filter(exact)
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

    def _has_exact_match(self, value, query) -> bool:
        """Whether any published finding matches the words as typed. Asked once per request
        (the facets reapply the filter), of published findings only: an embargoed report's
        words must not change what a search shows."""
        if value not in self._exact_matches:
            published = Finding.objects.published()
            self._exact_matches[value] = published.filter(
                Q(search__document=query) | Q(reference__iexact=value)
            ).exists()
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
        queryset = super().qs
        sort = self.cleaned_data().get("sort")
        if not sort or sort not in SortChoice.OPTIONS:
            # A search by words, as typed or nearly (the misspelling fallback): best match first.
            sort = "relevance" if self._search_query or self._fuzzy_words else "newest"
        if sort == "relevance":
            rank = self._search_rank()
            if rank is not None:
                return queryset.annotate(search_rank=rank).order_by(
                    "-search_rank", "-finding__inspection__published_at", "pk"
                )
            sort = "newest"
        return queryset.order_by(*SortChoice.OPTIONS[sort][1])

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

        One grouped query per facet; the facet's own choice is left out so that the counts say
        what choosing another option would give. On PostgreSQL they group the item facts
        (``ItemFacts``, one narrow row per item) rather than joining four tables.
        """
        if connection.vendor == "postgresql":
            facts = ItemFactsFilterSet(self)
            return {facet.name: facet.count(facts) for facet in FACTS_FACETS}
        return {facet.name: facet.count(self) for facet in FACETS}

    def total(self) -> int:
        """How many results the filters give, counted from the item facts on PostgreSQL."""
        if connection.vendor == "postgresql":
            return ItemFactsFilterSet(self).without().count()
        return self.without().count()

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


class OrganisationFacet(Facet):
    def count(self, filterset):
        """Counts by addressee, with a predecessor's items counted for its successor too, as
        choosing the successor gives them (``filter_organisation``)."""
        counts = super().count(filterset)
        folded = dict(counts)
        for slug, lineage in Organisation.objects.lineages(key="slug").items():
            total = sum(counts.get(body, 0) for body in lineage)
            if total:
                folded[slug] = total
        return folded


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

    def filter_year(self, queryset, name, value):
        return queryset.filter(published_at__year=int(value))


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


def published_items():
    """Every published item with what a list row shows, in one query per page."""
    return Item.objects.published().select_related("finding__inspection__programme", "organisation")
