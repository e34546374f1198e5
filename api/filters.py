"""The API's filters. Items use the browse page's own FilterSet, so that a question asked of the
API and of /recommendations/ gets the same answer; findings are filtered through their items
with it. The other resources have small FilterSets of their own."""

import django_filters
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from inspections.choices import OrganisationKind, Region
from inspections.models import EngagePeriod, Inspection, Organisation, Programme
from recommendations.filters import FindingItemFilterSet, published_items
from recommendations.models import DueDateChange, ProgressUpdate, Section55Response, StatusChange


class ItemFilterSet(FindingItemFilterSet):
    """The browse page's filters, without its ``sort``: the API pages in a fixed order."""

    sort = None


class ItemFilterBackend(DjangoFilterBackend):
    """The items' filters. Their parameters are described for the schema by hand
    (``api.schema.ITEM_FILTER_PARAMETERS``); a test checks that every filter is there."""


class ItemFilterParameters(OpenApiFilterExtension):
    target_class = ItemFilterBackend
    match_subclasses = True
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        return []  # they come from the views' extend_schema(parameters=...)


class FindingsByItemFilterBackend(ItemFilterBackend):
    """Filters findings with the items' FilterSet: a finding is listed when at least one of its
    published items matches (for ``organisation``: when it was made to that body)."""

    def get_filterset_class(self, view, queryset=None):
        return view.filterset_class

    def filter_queryset(self, request, queryset, view):
        filterset = view.filterset_class(
            data=request.query_params, queryset=published_items(), request=request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        if not any(value not in (None, "", []) for value in filterset.form.cleaned_data.values()):
            return queryset  # no filter: findings without an addressee are listed too
        return queryset.filter(pk__in=filterset.qs.order_by().values("finding_id"))


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A related object chosen by its slug (a string in the schema)."""

    def __init__(self, **kwargs):
        super().__init__(to_field_name="slug", **kwargs)


def _lineage(organisation):
    return organisation.lineage_ids()


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_words", help_text="Words of the name (or Welsh name), e.g. kent."
    )
    kind = django_filters.ChoiceFilter(
        choices=OrganisationKind.choices, help_text="Only organisations of this type."
    )
    region = django_filters.ChoiceFilter(
        choices=Region.choices, help_text="Only organisations of this region."
    )
    current = django_filters.BooleanFilter(
        field_name="successor",
        lookup_expr="isnull",
        help_text="true: only bodies that exist today; false: only those that merged or renamed.",
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_words(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(name_cy__icontains=word))
        return queryset


class InspectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_words", help_text="Words of the title or summary, e.g. custody."
    )
    programme = SlugChoiceFilter(
        queryset=lambda request: Programme.objects.published(),
        help_text="Only inspections of this programme (its slug).",
    )
    organisation = SlugChoiceFilter(
        queryset=Organisation.objects.all(),
        method="filter_organisation",
        help_text="Only inspections of this organisation (its slug) or of its predecessors.",
    )
    published_after = django_filters.DateFilter(
        field_name="published_at__date",
        lookup_expr="gte",
        help_text="Published on or after this day (YYYY-MM-DD).",
    )
    published_before = django_filters.DateFilter(
        field_name="published_at__date",
        lookup_expr="lte",
        help_text="Published on or before this day (YYYY-MM-DD).",
    )

    class Meta:
        model = Inspection
        fields = []

    def filter_words(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
        return queryset

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(organisations__in=_lineage(value)).distinct()


class TimelineFilterSet(django_filters.FilterSet):
    """Shared by progress updates and status changes across the site."""

    # Bounded to the database's integers: a larger id is a 400, not an overflow (a 500 on SQLite).
    item = django_filters.NumberFilter(
        field_name="item_id",
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only those of this item (its id).",
    )
    organisation = SlugChoiceFilter(
        queryset=Organisation.objects.all(),
        method="filter_organisation",
        help_text="Only those of items of this organisation (its slug) or its predecessors.",
    )
    inspection = django_filters.CharFilter(
        field_name="item__finding__inspection__slug",
        help_text="Only those of items of this inspection (its slug).",
    )

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(item__organisation_id__in=_lineage(value))


class ProgressUpdateFilterSet(TimelineFilterSet):
    since = django_filters.DateFilter(
        field_name="written_on",
        lookup_expr="gte",
        help_text="Only updates written on or after this day (YYYY-MM-DD).",
    )

    class Meta:
        model = ProgressUpdate
        fields = []


class StatusChangeFilterSet(TimelineFilterSet):
    since = django_filters.IsoDateTimeFilter(
        field_name="changed_at",
        lookup_expr="gte",
        help_text="Only changes at or after this moment (ISO 8601, e.g. 2026-01-31T09:00:00Z).",
    )

    class Meta:
        model = StatusChange
        fields = []


class DueDateChangeFilterSet(TimelineFilterSet):
    since = django_filters.IsoDateTimeFilter(
        field_name="changed_at",
        lookup_expr="gte",
        help_text="Only changes at or after this moment (ISO 8601, e.g. 2026-01-31T09:00:00Z).",
    )

    class Meta:
        model = DueDateChange
        fields = []


class Section55ResponseFilterSet(django_filters.FilterSet):
    inspection = django_filters.CharFilter(
        field_name="inspection__slug", help_text="Only responses to this inspection (its slug)."
    )
    local_policing_body = django_filters.CharFilter(
        field_name="local_policing_body__slug",
        help_text="Only responses of this local policing body (its slug).",
    )

    class Meta:
        model = Section55Response
        fields = []


class EngagePeriodFilterSet(django_filters.FilterSet):
    organisation = SlugChoiceFilter(
        queryset=Organisation.objects.all(),
        method="filter_organisation",
        help_text="Only periods of this organisation (its slug) or its predecessors.",
    )
    current = django_filters.BooleanFilter(
        field_name="left_on",
        lookup_expr="isnull",
        help_text="true: only periods still going on; false: only those that ended.",
    )

    class Meta:
        model = EngagePeriod
        fields = []

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(organisation_id__in=_lineage(value))
