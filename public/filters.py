"""The filters of the public list of reports (``/inspections/``), like the browse page's."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from inspections.models import Inspection, Inspectorate, Organisation
from recommendations.filters import published_programmes, year_choices


class InspectionFilterSet(django_filters.FilterSet):
    """Published reports by organisation inspected, programme, inspectorate and year."""

    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        label=_("Organisation inspected"),
        method="filter_organisation",
        empty_label=_("Any organisation"),
    )
    programme = django_filters.ModelChoiceFilter(
        field_name="programme",
        queryset=lambda request: published_programmes(),
        to_field_name="slug",
        label=_("Inspection programme"),
        empty_label=_("Any"),
    )
    inspectorate = django_filters.ModelChoiceFilter(
        queryset=Inspectorate.objects.all(),
        to_field_name="slug",
        label=_("Inspectorate"),
        method="filter_inspectorate",
        empty_label=_("Any"),
    )
    year = django_filters.ChoiceFilter(
        method="filter_year", choices=[], label=_("Year published"), empty_label=_("Any")
    )

    class Meta:
        model = Inspection
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = year_choices()

    def filter_organisation(self, queryset, name, value):
        # A body's reports include those of the bodies it succeeded, as on its own page.
        inspected = Inspection.organisations.through.objects.filter(
            inspection_id=OuterRef("pk"), organisation_id__in=value.lineage_ids()
        )
        return queryset.filter(Exists(inspected))

    def filter_inspectorate(self, queryset, name, value):
        # A joint inspection is listed under its partners as well as its lead.
        partner = Inspection.partner_inspectorates.through.objects.filter(
            inspection_id=OuterRef("pk"), inspectorate=value
        )
        return queryset.filter(Q(lead_inspectorate=value) | Exists(partner))

    def filter_year(self, queryset, name, value):
        return queryset.filter(published_at__year=int(value))

    @property
    def qs(self):
        return super().qs.order_by("-published_at", "title", "pk")
