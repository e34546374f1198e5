"""What the API returns, field by field; every field says what it means (the data dictionary is
generated from these descriptions).

Only published data reaches these serializers: the views choose the rows. Fields that point at
something else of the tracker (a later report, the inspection behind an Engage period) check
that it is published too.
"""

import re

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.choices import (
    GRADES_BY_SCALE,
    Country,
    Grade,
    GradingScale,
    OrganisationKind,
    ProgrammeKind,
    Region,
)
from inspections.models import (
    EngagePeriod,
    Inspection,
    Inspectorate,
    Judgement,
    KeyFigure,
    Organisation,
    Programme,
)
from recommendations.choices import (
    DueDateSource,
    FindingKind,
    Section55Action,
    SelfAssessment,
    Source,
    Status,
    status_source_label,
)
from recommendations.models import (
    CauseOfConcern,
    DueDateChange,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    Theme,
)

# Fields --------------------------------------------------------------------------------------


class NullableCharField(serializers.CharField):
    """Text that may be missing: ``null`` rather than an empty string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(OpenApiTypes.URI)
class NullableURLField(NullableCharField):
    pass


class NullableChoiceField(serializers.ChoiceField):
    """A choice that may be missing (an empty string in the database): ``null``."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(choices, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


# Links without a reverse() each ------------------------------------------------------------
# A page of 100 items holds 800 links. Each kind of link is reversed once per request with a
# placeholder for the id or slug, and the others are filled in: the same address reverse()
# gives (tests/api/test_fast_links.py), for a value that needs no quoting (ids and slugs).
LINK_PLACEHOLDER = "8081828384858687"
_PLAIN = re.compile(r"[-A-Za-z0-9_]+")


def templated_link(request, key, value, build):
    """``build(value)``, from a template this request made once with ``build(placeholder)``."""
    value = str(value)
    if request is None or not _PLAIN.fullmatch(value):
        return build(value)
    templates = request.__dict__.setdefault("_link_templates", {})
    template = templates.get(key)
    if template is None:
        parts = build(LINK_PLACEHOLDER).split(LINK_PLACEHOLDER)
        template = templates[key] = tuple(parts) if len(parts) == 2 else ()
    if not template:
        return build(value)
    return f"{template[0]}{value}{template[1]}"


class TemplatedIdentityField(serializers.HyperlinkedIdentityField):
    """DRF's link to an object, from a per-request template (``templated_link``)."""

    def get_url(self, obj, view_name, request, format):
        if hasattr(obj, "pk") and obj.pk in (None, ""):
            return None
        kwarg = self.lookup_url_kwarg
        return templated_link(
            request,
            ("identity", view_name, kwarg, format),
            getattr(obj, self.lookup_field),
            lambda value: self.reverse(
                view_name, kwargs={kwarg: value}, request=request, format=format
            ),
        )


@extend_schema_field(OpenApiTypes.URI)
class PageLinkField(serializers.Field):
    """The absolute address of a page of the site (or of the API) about this object."""

    def __init__(self, view_name, *, lookup="slug", query=None, **kwargs):
        self.view_name = view_name
        self.lookup = lookup
        self.query = query
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        value = getattr(obj, self.lookup)
        request = self.context.get("request")

        def build(value):
            if self.query:
                path = f"{reverse(self.view_name)}?{self.query}={value}"
            else:
                path = reverse(self.view_name, args=[value])
            return request.build_absolute_uri(path) if request else path

        return templated_link(request, ("page", self.view_name, self.query), value, build)


def _label(text, **kwargs):
    return serializers.CharField(read_only=True, help_text=text, **kwargs)


# References: the few fields that identify a resource inside another ----------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    """How an organisation is named inside other resources."""

    url = TemplatedIdentityField(
        view_name="api:organisation-detail",
        lookup_field="slug",
        help_text="The organisation in this API.",
    )
    slug = serializers.SlugField(
        read_only=True, help_text="The organisation's short name in addresses; never changes."
    )
    name = serializers.CharField(read_only=True, help_text="The organisation's name.")

    class Meta:
        model = Organisation
        fields = ["url", "slug", "name"]


class InspectionRefSerializer(serializers.ModelSerializer):
    """How a published inspection is named inside other resources."""

    url = TemplatedIdentityField(
        view_name="api:inspection-detail",
        lookup_field="slug",
        help_text="The inspection in this API.",
    )
    slug = serializers.SlugField(
        read_only=True, help_text="The inspection's short name in addresses; never changes."
    )
    title = serializers.CharField(read_only=True, help_text="The report's title.")
    published_at = serializers.DateTimeField(
        read_only=True, help_text="When the report was published (UK time, with its offset)."
    )

    class Meta:
        model = Inspection
        fields = ["url", "slug", "title", "published_at"]


class FindingRefSerializer(serializers.ModelSerializer):
    """How a finding is named inside other resources."""

    url = TemplatedIdentityField(
        view_name="api:finding-detail", lookup_url_kwarg="id", help_text="The finding in this API."
    )
    id = serializers.IntegerField(read_only=True, help_text="The finding's number; never changes.")
    reference = serializers.CharField(
        read_only=True, help_text="The finding's reference in its report, e.g. R1 or AFI12."
    )
    kind = serializers.ChoiceField(
        choices=FindingKind.choices,
        read_only=True,
        help_text="A recommendation or an area for improvement.",
    )

    class Meta:
        model = Finding
        fields = ["url", "id", "reference", "kind"]


class InspectorateSerializer(serializers.ModelSerializer):
    """An inspectorate: HMICFRS, or a partner in a joint inspection."""

    slug = serializers.SlugField(read_only=True, help_text="The inspectorate's short name.")
    name = serializers.CharField(read_only=True, help_text="The inspectorate's full name.")
    abbreviation = serializers.CharField(
        read_only=True, help_text="Its usual abbreviation, e.g. HMICFRS or CQC."
    )

    class Meta:
        model = Inspectorate
        fields = ["slug", "name", "abbreviation"]


class ProgrammeSerializer(serializers.ModelSerializer):
    """An inspection programme, such as PEEL or police custody."""

    slug = serializers.SlugField(
        read_only=True, help_text="The programme's short name, as the programme filter takes it."
    )
    name = serializers.CharField(read_only=True, help_text="The inspection programme's name.")
    kind = serializers.ChoiceField(
        choices=ProgrammeKind.choices, read_only=True, help_text="The family of programme."
    )
    kind_label = _label("The family of programme, in words.", source="get_kind_display")

    class Meta:
        model = Programme
        fields = ["slug", "name", "kind", "kind_label"]


class ThemeSerializer(serializers.ModelSerializer):
    """A theme that findings are grouped by, such as custody."""

    slug = serializers.SlugField(
        read_only=True, help_text="The theme's short name, as the theme filter takes it."
    )
    name = serializers.CharField(read_only=True, help_text="The theme, e.g. custody.")

    class Meta:
        model = Theme
        fields = ["slug", "name"]


# Organisations ----------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    """A police force, fire and rescue service, local policing body or national body."""

    url = TemplatedIdentityField(
        view_name="api:organisation-detail",
        lookup_field="slug",
        help_text="This organisation in this API.",
    )
    slug = serializers.SlugField(
        read_only=True, help_text="The organisation's short name in addresses; never changes."
    )
    name = serializers.CharField(read_only=True, help_text="The organisation's name.")
    name_cy = NullableCharField(help_text="Its Welsh name, if it has one; otherwise null.")
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, read_only=True, help_text="The type of organisation."
    )
    kind_label = _label("The type of organisation, in words.", source="get_kind_display")
    country = NullableChoiceField(
        Country.choices, help_text="The country it serves; null for bodies across Great Britain."
    )
    region = NullableChoiceField(
        Region.choices, help_text="The region it serves (as the region filter takes it), or null."
    )
    local_policing_body = OrganisationRefSerializer(
        read_only=True,
        allow_null=True,
        help_text=(
            "For a police force: the body that holds it to account (police and crime "
            "commissioner, mayor, MOPAC). Null for other organisations."
        ),
    )
    successor = OrganisationRefSerializer(
        read_only=True,
        allow_null=True,
        help_text=(
            "The organisation this one merged into or was renamed to; its findings follow it. "
            "Null while the organisation exists."
        ),
    )
    ceased_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The day it merged or was renamed; null while it exists.",
    )
    predecessors = OrganisationRefSerializer(
        many=True,
        read_only=True,
        help_text="Organisations that merged into or were renamed to this one.",
    )
    items_url = PageLinkField(
        "api:item-list",
        query="organisation",
        help_text=("Its items in this API, including those addressed to its predecessors."),
    )
    engage_periods_url = PageLinkField(
        "api:engage-period-list",
        query="organisation",
        help_text="Its periods in the inspectorate's enhanced monitoring (Engage).",
    )
    web_url = PageLinkField(
        "public:organisation-detail", help_text="The organisation's page on this site."
    )

    class Meta:
        model = Organisation
        fields = [
            "url",
            "slug",
            "name",
            "name_cy",
            "kind",
            "kind_label",
            "country",
            "region",
            "local_policing_body",
            "successor",
            "ceased_on",
            "predecessors",
            "items_url",
            "engage_periods_url",
            "web_url",
        ]


# Inspections ------------------------------------------------------------------------------


class KeyFigureSerializer(serializers.ModelSerializer):
    """A headline number of a report, e.g. 191 of 214 cases."""

    label = serializers.CharField(read_only=True, help_text="What was counted.")
    value = serializers.IntegerField(read_only=True, help_text="The number.")
    out_of = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The total it is part of, if any; else null."
    )

    class Meta:
        model = KeyFigure
        fields = ["label", "value", "out_of"]


class JudgementSerializer(serializers.ModelSerializer):
    """A graded judgement of one question area, on one grading scale."""

    question_area = serializers.CharField(
        read_only=True, help_text="What was graded, e.g. “Investigating crime”."
    )
    scale = serializers.ChoiceField(
        choices=GradingScale.choices,
        read_only=True,
        help_text="The grading scale. Grades of different scales must not be compared.",
    )
    scale_label = _label("The grading scale, in words.", source="get_scale_display")
    scale_grades = serializers.SerializerMethodField(
        help_text="Every grade of this scale, best first."
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices, read_only=True, help_text="The grade given."
    )
    grade_label = _label("The grade, in words.", source="get_grade_display")
    grade_rank = serializers.IntegerField(
        read_only=True,
        help_text=(
            "The grade's place on its scale: 1 is the best. Comparable only within one scale."
        ),
    )

    class Meta:
        model = Judgement
        fields = [
            "question_area",
            "scale",
            "scale_label",
            "scale_grades",
            "grade",
            "grade_label",
            "grade_rank",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Grade.choices)))
    def get_scale_grades(self, judgement):
        return [grade.value for grade in GRADES_BY_SCALE[GradingScale(judgement.scale)]]


class CauseOfConcernSerializer(serializers.ModelSerializer):
    """A serious, critical or systemic shortcoming found by an inspection."""

    reference = serializers.CharField(
        read_only=True, help_text="The cause of concern's reference in its report, e.g. CoC1."
    )
    text = serializers.CharField(read_only=True, help_text="The cause of concern, as published.")
    discharged_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="When the inspectorate was satisfied and discharged it; null until then.",
    )
    discharge_note = NullableCharField(
        help_text="On what basis it was discharged; null until then."
    )

    class Meta:
        model = CauseOfConcern
        fields = ["reference", "text", "discharged_on", "discharge_note"]


def _published_inspection(inspection, context):
    if inspection is None or not inspection.is_published:
        return None
    return InspectionRefSerializer(inspection, context=context).data


class InspectionSerializer(serializers.ModelSerializer):
    """A published inspection report, with what it found."""

    url = TemplatedIdentityField(
        view_name="api:inspection-detail",
        lookup_field="slug",
        help_text="This inspection in this API.",
    )
    slug = serializers.SlugField(
        read_only=True, help_text="The inspection's short name in addresses; never changes."
    )
    title = serializers.CharField(read_only=True, help_text="The report's title.")
    title_cy = NullableCharField(help_text="The report's Welsh title, if it has one; else null.")
    summary_cy = NullableCharField(
        help_text="The summary in Welsh, if the report has a Welsh version; otherwise null."
    )
    programme = ProgrammeSerializer(read_only=True, help_text="The inspection programme.")
    lead_inspectorate = InspectorateSerializer(
        read_only=True, help_text="The inspectorate that led the inspection."
    )
    partner_inspectorates = InspectorateSerializer(
        many=True, read_only=True, help_text="Other inspectorates of a joint inspection."
    )
    organisations = OrganisationRefSerializer(
        many=True, read_only=True, help_text="The organisations inspected: one, or many."
    )
    published_at = serializers.DateTimeField(
        read_only=True, help_text="When the report was published (UK time, with its offset)."
    )
    fieldwork_started_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The first day of fieldwork, if known."
    )
    fieldwork_ended_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The last day of fieldwork, if known."
    )
    report_url = NullableURLField(help_text="Where the report is published, if known.")
    summary = NullableCharField(help_text="A short summary of the report, if written.")
    follows_up = serializers.SerializerMethodField(
        help_text="The earlier inspection this one revisits or updates, if any (null otherwise)."
    )
    key_figures = KeyFigureSerializer(
        many=True, read_only=True, source="figures", help_text="The report's headline numbers."
    )
    judgements = JudgementSerializer(
        many=True, read_only=True, help_text="Graded judgements, each on its own scale."
    )
    causes_of_concern = CauseOfConcernSerializer(
        many=True,
        read_only=True,
        help_text="Serious, critical or systemic shortcomings, each answered by recommendations.",
    )
    findings_url = PageLinkField(
        "api:finding-list",
        query="inspection",
        help_text="The report's recommendations and areas for improvement in this API.",
    )
    items_url = PageLinkField(
        "api:item-list",
        query="inspection",
        help_text="The report's items (each finding for each addressee) in this API.",
    )
    section55_responses_url = PageLinkField(
        "api:section55-response-list",
        query="inspection",
        help_text="The section 55 responses received to this report, in this API.",
    )
    web_url = PageLinkField("public:inspection-detail", help_text="The report's page on this site.")

    class Meta:
        model = Inspection
        fields = [
            "url",
            "slug",
            "title",
            "programme",
            "lead_inspectorate",
            "partner_inspectorates",
            "organisations",
            "published_at",
            "fieldwork_started_on",
            "fieldwork_ended_on",
            "report_url",
            "summary",
            "title_cy",
            "summary_cy",
            "follows_up",
            "key_figures",
            "judgements",
            "causes_of_concern",
            "findings_url",
            "items_url",
            "section55_responses_url",
            "web_url",
        ]

    @extend_schema_field(InspectionRefSerializer(allow_null=True))
    def get_follows_up(self, inspection):
        return _published_inspection(inspection.follows_up, self.context)


# Items: one finding for one addressee ------------------------------------------------------


def _is_overdue(item):
    return item.is_overdue(today=timezone.localdate())


class ItemSummarySerializer(serializers.ModelSerializer):
    """An addressee of a finding and where it stands, inside the finding."""

    url = TemplatedIdentityField(
        view_name="api:item-detail", lookup_url_kwarg="id", help_text="The item in this API."
    )
    id = serializers.IntegerField(read_only=True, help_text="The item's number; never changes.")
    organisation = OrganisationRefSerializer(
        read_only=True, help_text="The addressee: the organisation this item is for."
    )
    status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, help_text="Where the item stands."
    )
    status_label = _label("Where the item stands, in words.", source="get_status_display")
    verified = serializers.SerializerMethodField(
        help_text=(
            "True only when the inspectorate closed the item as complete (“closed: complete”): "
            "it verified the work as done. False otherwise, including its other closures (not "
            "implemented, superseded, no longer relevant), which are its decisions but verify "
            "nothing."
        )
    )
    self_reported = serializers.SerializerMethodField(
        help_text=(
            "True when the organisation itself moved the item to its status (“in progress” or "
            "“submitted for closure”): what it says of itself, not checked by the inspectorate. "
            "False for a status the inspectorate gave, such as “in progress” after a reopening."
        )
    )
    status_source = NullableChoiceField(
        choices=Source.choices,
        source="reached_by",
        help_text=(
            "How the status was reached: organisation (self-reported), inspectorate (its "
            "decision; verified only for “closed: complete”) or tracker; null while open and "
            "never changed."
        ),
    )
    status_source_label = _label(
        "How the status was reached, in words, as the site's status tag says it."
    )
    due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="This addressee's due date, if any."
    )
    original_due_date = serializers.SerializerMethodField(
        help_text=(
            "The item's first due date when it has since changed (the site says “extended "
            "from” it); null when the due date never changed."
        )
    )
    overdue_when_extended = serializers.BooleanField(
        read_only=True,
        help_text="True when the due date was ever moved later while the item was overdue.",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Not closed and past its due date, worked out today."
    )

    class Meta:
        model = Item
        fields = [
            "url",
            "id",
            "organisation",
            "status",
            "status_label",
            "verified",
            "self_reported",
            "status_source",
            "status_source_label",
            "due_date",
            "original_due_date",
            "overdue_when_extended",
            "overdue",
        ]

    def get_verified(self, item) -> bool:
        return item.is_verified

    def get_self_reported(self, item) -> bool:
        return item.is_self_reported

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_original_due_date(self, item):
        return item.original_due_date.isoformat() if item.due_date_was_changed else None

    def get_overdue(self, item) -> bool:
        return _is_overdue(item)


class FindingTextRefSerializer(FindingRefSerializer):
    """How a finding is named inside an item, with its text."""

    text = serializers.CharField(read_only=True, help_text="The finding, as published.")

    class Meta(FindingRefSerializer.Meta):
        fields = [*FindingRefSerializer.Meta.fields, "text"]


class ItemSerializer(ItemSummarySerializer):
    """One finding for one addressee, with that addressee's own status and due date."""

    finding = FindingTextRefSerializer(
        read_only=True, help_text="The recommendation or area for improvement."
    )
    inspection = InspectionRefSerializer(
        read_only=True, source="finding.inspection", help_text="The report it comes from."
    )
    status_changed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the status last changed; null if never."
    )
    superseded_by = serializers.SerializerMethodField(
        help_text="When closed as superseded: the newer finding that replaces it; else null."
    )
    version = serializers.IntegerField(
        read_only=True,
        help_text=(
            "Goes up by one at every change of the item. Send it as expected_version when "
            "writing, so that a change made by someone else in between is refused (409)."
        ),
    )
    updates_url = PageLinkField(
        "api:item-update-list",
        lookup="pk",
        help_text="The item's published progress updates in this API.",
    )
    status_changes_url = PageLinkField(
        "api:item-status-change-list",
        lookup="pk",
        help_text="The item's status history in this API.",
    )
    due_date_changes_url = PageLinkField(
        "api:item-due-date-change-list",
        lookup="pk",
        help_text="Every change of the item's due date, with who agreed it and why.",
    )
    web_url = serializers.SerializerMethodField(
        help_text="The finding's page on this site, with every addressee and the timeline."
    )

    class Meta(ItemSummarySerializer.Meta):
        fields = [
            "url",
            "id",
            "finding",
            "inspection",
            "organisation",
            "status",
            "status_label",
            "verified",
            "self_reported",
            "status_source",
            "status_source_label",
            "due_date",
            "original_due_date",
            "overdue_when_extended",
            "overdue",
            "status_changed_at",
            "superseded_by",
            "version",
            "updates_url",
            "status_changes_url",
            "due_date_changes_url",
            "web_url",
        ]

    @extend_schema_field(FindingRefSerializer(allow_null=True))
    def get_superseded_by(self, item):
        newer = item.superseded_by
        if newer is None or not newer.inspection.is_published:
            return None
        return FindingRefSerializer(newer, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, item):
        request = self.context["request"]
        return templated_link(
            request,
            ("page", "public:finding-detail", None),
            item.finding_id,
            lambda value: request.build_absolute_uri(
                reverse("public:finding-detail", args=[value])
            ),
        )


# Findings ---------------------------------------------------------------------------------


class FindingCauseSerializer(serializers.ModelSerializer):
    """The cause of concern a recommendation answers."""

    reference = serializers.CharField(
        read_only=True, help_text="The cause of concern's reference in its report, e.g. CoC1."
    )
    text = serializers.CharField(read_only=True, help_text="The cause of concern, as published.")
    discharged_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="When the inspectorate discharged it; null until then.",
    )

    class Meta:
        model = CauseOfConcern
        fields = ["reference", "text", "discharged_on"]


class FindingSerializer(FindingRefSerializer):
    """A recommendation or an area for improvement of a published report, with each addressee.

    It names the finding as ``FindingRefSerializer`` does, and says the rest."""

    kind_label = _label("The kind of finding, in words.", source="get_kind_display")
    text = serializers.CharField(read_only=True, help_text="The finding, as published.")
    text_cy = NullableCharField(
        help_text="The finding in Welsh, if the report has a Welsh version; otherwise null."
    )
    inspection = InspectionRefSerializer(read_only=True, help_text="The report it comes from.")
    cause_of_concern = FindingCauseSerializer(
        read_only=True,
        allow_null=True,
        help_text="The cause of concern this recommendation answers, if any; else null.",
    )
    themes = ThemeSerializer(many=True, read_only=True, help_text="The themes it concerns.")
    due_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The deadline the report set, if any. Each addressee may have its own.",
    )
    deadline_wording = NullableCharField(
        help_text="The report's own words for the deadline, e.g. “within six months”, if any."
    )
    items = ItemSummarySerializer(
        many=True,
        read_only=True,
        help_text="Each addressee of the finding, with its own status.",
    )
    web_url = PageLinkField(
        "public:finding-detail", lookup="pk", help_text="The finding's page on this site."
    )

    class Meta:
        model = Finding
        fields = [
            "url",
            "id",
            "reference",
            "kind",
            "kind_label",
            "text",
            "text_cy",
            "inspection",
            "cause_of_concern",
            "themes",
            "due_date",
            "deadline_wording",
            "items",
            "web_url",
        ]


# The public timeline: published updates and status changes -------------------------------


class ProgressUpdateSerializer(serializers.ModelSerializer):
    """What an organisation published about its progress: self-reported."""

    id = serializers.IntegerField(read_only=True, help_text="The update's number.")
    item = serializers.HyperlinkedRelatedField(
        view_name="api:item-detail",
        lookup_url_kwarg="id",
        read_only=True,
        help_text="The item it is about, in this API.",
    )
    organisation = OrganisationRefSerializer(
        read_only=True,
        help_text="The organisation that wrote it. Updates are self-reported, never checked.",
    )
    written_on = serializers.DateField(read_only=True, help_text="The day it was written.")
    narrative = serializers.SerializerMethodField(
        help_text=(
            "What the organisation says; null when the update was withdrawn (see withdrawal_note)."
        )
    )
    self_assessment = serializers.ChoiceField(
        choices=SelfAssessment.choices,
        read_only=True,
        help_text="How the organisation rates its own progress.",
    )
    self_assessment_label = _label("Its rating, in words.", source="get_self_assessment_display")
    corrects = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        source="corrects_id",
        help_text="When this update corrects an earlier one: that update's id; else null.",
    )
    correction_reason = NullableCharField(
        help_text="What the correction puts right, when it is one; else null."
    )
    withdrawn_on = serializers.SerializerMethodField(
        help_text=(
            "The day the update was withdrawn for a legal reason; null unless withdrawn. A "
            "withdrawn update's text is kept for inspectors only."
        )
    )
    withdrawal_reason = NullableCharField(help_text="Why it was withdrawn; null unless withdrawn.")
    withdrawal_note = serializers.SerializerMethodField(
        help_text="“Withdrawn on <date>: <reason>”, as the site shows it; null unless withdrawn."
    )

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "item",
            "organisation",
            "written_on",
            "narrative",
            "self_assessment",
            "self_assessment_label",
            "corrects",
            "correction_reason",
            "withdrawn_on",
            "withdrawal_reason",
            "withdrawal_note",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_narrative(self, update):
        return None if update.is_withdrawn else update.narrative

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_withdrawn_on(self, update):
        if not update.is_withdrawn:
            return None
        return timezone.localdate(update.withdrawn_at).isoformat()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_withdrawal_note(self, update):
        if not update.is_withdrawn:
            return None
        withdrawn_on = timezone.localdate(update.withdrawn_at)
        return f"Withdrawn on {withdrawn_on:%-d %B %Y}: {update.withdrawal_reason}"


RECORDED_BY = {Source.INSPECTORATE: "inspectorate", Source.SYSTEM: "tracker"}


class StatusChangeSerializer(serializers.ModelSerializer):
    """One change of an item's status, as on the public timeline."""

    id = serializers.IntegerField(read_only=True, help_text="The change's number.")
    item = serializers.HyperlinkedRelatedField(
        view_name="api:item-detail",
        lookup_url_kwarg="id",
        read_only=True,
        help_text="The item whose status changed, in this API.",
    )
    organisation = OrganisationRefSerializer(
        read_only=True, source="item.organisation", help_text="The item's addressee."
    )
    from_status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, help_text="The status before."
    )
    from_status_label = _label("The status before, in words.", source="get_from_status_display")
    to_status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, help_text="The status after."
    )
    to_status_label = _label("The status after, in words.", source="get_to_status_display")
    changed_at = serializers.DateTimeField(
        read_only=True, help_text="When it changed (UK time, with its offset)."
    )
    source = serializers.ChoiceField(
        choices=Source.choices,
        read_only=True,
        help_text=(
            "Who stands behind it: the organisation (self-reported), the inspectorate (its "
            "decision; a verification only when it closes as complete) or the tracker itself."
        ),
    )
    source_label = serializers.SerializerMethodField(
        help_text=(
            "Who stands behind it, in words: “Self-reported by the organisation”, “Decided by "
            "the inspectorate”, “Verified by the inspectorate” (closed as complete only) or "
            "“Recorded by the tracker”."
        )
    )
    recorded_by = serializers.SerializerMethodField(
        help_text=(
            "Who made the change, never a person: the organisation's name, “inspectorate” or "
            "“tracker”."
        )
    )
    note = NullableCharField(help_text="Why, as published: decisions always give a reason.")

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "item",
            "organisation",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "changed_at",
            "source",
            "source_label",
            "recorded_by",
            "note",
        ]

    def get_recorded_by(self, change) -> str:
        return RECORDED_BY.get(change.source, change.item.organisation.name)

    def get_source_label(self, change) -> str:
        return status_source_label(change.to_status, change.source)


class DueDateChangeSerializer(serializers.ModelSerializer):
    """One change of an item's due date, as on the public timeline: an extension of an
    overdue item is a public event, never a silent end to its lateness."""

    id = serializers.IntegerField(read_only=True, help_text="The change's number.")
    item = serializers.HyperlinkedRelatedField(
        view_name="api:item-detail",
        lookup_url_kwarg="id",
        read_only=True,
        help_text="The item whose due date changed, in this API.",
    )
    organisation = OrganisationRefSerializer(
        read_only=True, source="item.organisation", help_text="The item's addressee."
    )
    from_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The due date before; null if there was none."
    )
    to_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The due date after; null if it was removed."
    )
    changed_at = serializers.DateTimeField(
        read_only=True, help_text="When it changed (UK time, with its offset)."
    )
    source = serializers.ChoiceField(
        choices=DueDateSource.choices,
        read_only=True,
        help_text=(
            "How it came about: agreed_on_request (the organisation asked, the inspectorate "
            "agreed), inspector (the inspectorate changed it), import (the report's findings "
            "were imported again) or system."
        ),
    )
    source_label = _label("How it came about, in words.", source="get_source_display")
    decided_by = serializers.CharField(
        read_only=True,
        help_text=(
            "Who agreed or made the change, never a person: their inspectorate (e.g. “HMICFRS”), "
            "“the inspectorate” or “the tracker”."
        ),
    )
    reason = serializers.CharField(read_only=True, help_text="Why, as published.")
    was_overdue = serializers.BooleanField(
        read_only=True,
        help_text="True when the item was not closed and past its old due date at the change.",
    )

    class Meta:
        model = DueDateChange
        fields = [
            "id",
            "item",
            "organisation",
            "from_date",
            "to_date",
            "changed_at",
            "source",
            "source_label",
            "decided_by",
            "reason",
            "was_overdue",
        ]


# Section 55 responses and Engage ---------------------------------------------------------


class Section55StatementSerializer(serializers.ModelSerializer):
    """What a local policing body says about one recommendation."""

    finding = FindingRefSerializer(read_only=True, help_text="The recommendation it answers.")
    action = serializers.ChoiceField(
        choices=Section55Action.choices,
        read_only=True,
        help_text="Whether action has been taken, will be taken, or none (with reasons).",
    )
    action_label = _label("The action, in words.", source="get_action_display")
    text = serializers.CharField(read_only=True, help_text="What the body says about it.")

    class Meta:
        model = Section55Statement
        fields = ["finding", "action", "action_label", "text"]


class Section55ResponseSerializer(serializers.ModelSerializer):
    """A local policing body's published comments on a police report (section 55 of the
    Police Act 1996)."""

    url = TemplatedIdentityField(
        view_name="api:section55-response-detail",
        lookup_url_kwarg="id",
        help_text="This response in this API.",
    )
    id = serializers.IntegerField(read_only=True, help_text="The response's number.")
    inspection = InspectionRefSerializer(read_only=True, help_text="The report it comments on.")
    local_policing_body = OrganisationRefSerializer(
        read_only=True, help_text="The local policing body that must comment (section 55)."
    )
    due_on = serializers.DateField(
        read_only=True,
        help_text="The last day to publish it: 56 days from publication, counting that day.",
    )
    received_on = serializers.DateField(read_only=True, help_text="When it was published.")
    was_late = serializers.BooleanField(read_only=True, help_text="Published after its due day.")
    link = NullableURLField(
        source="url", help_text="Where the body published its response, if given."
    )
    text = NullableCharField(help_text="The response's text, if given here.")
    statements = Section55StatementSerializer(
        many=True,
        read_only=True,
        help_text="For each recommendation: what has been or will be done, or why nothing.",
    )

    class Meta:
        model = Section55Response
        fields = [
            "url",
            "id",
            "inspection",
            "local_policing_body",
            "due_on",
            "received_on",
            "was_late",
            "link",
            "text",
            "statements",
        ]


class EngagePeriodSerializer(serializers.ModelSerializer):
    """A spell of an organisation in Engage, the inspectorate's enhanced monitoring."""

    url = TemplatedIdentityField(
        view_name="api:engage-period-detail",
        lookup_url_kwarg="id",
        help_text="This period in this API.",
    )
    id = serializers.IntegerField(read_only=True, help_text="The period's number.")
    organisation = OrganisationRefSerializer(
        read_only=True, help_text="The organisation in enhanced monitoring."
    )
    entered_on = serializers.DateField(read_only=True, help_text="When it was moved into Engage.")
    left_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="When it left Engage; null while still in it."
    )
    is_current = serializers.BooleanField(read_only=True, help_text="Still in Engage.")
    entry_reasons = serializers.CharField(read_only=True, help_text="Why it was moved into Engage.")
    exit_reasons = NullableCharField(help_text="Why it left Engage; null while still in it.")
    inspection = serializers.SerializerMethodField(
        help_text="The published inspection whose findings led to this period, if any."
    )

    class Meta:
        model = EngagePeriod
        fields = [
            "url",
            "id",
            "organisation",
            "entered_on",
            "left_on",
            "is_current",
            "entry_reasons",
            "exit_reasons",
            "inspection",
        ]

    @extend_schema_field(InspectionRefSerializer(allow_null=True))
    def get_inspection(self, period):
        return _published_inspection(period.inspection, self.context)


# The index ---------------------------------------------------------------------------------


class ApiRootSerializer(serializers.Serializer):
    """Where everything in the API is."""

    organisations = serializers.URLField(help_text="Every organisation.")
    inspections = serializers.URLField(help_text="Every published inspection.")
    findings = serializers.URLField(help_text="Every published recommendation and AFI.")
    items = serializers.URLField(
        help_text="Every published item: a finding for one addressee, with its status."
    )
    updates = serializers.URLField(help_text="Every published progress update, newest last.")
    status_changes = serializers.URLField(help_text="Every status change of a published item.")
    due_date_changes = serializers.URLField(
        help_text="Every change of the due date of a published item."
    )
    section55_responses = serializers.URLField(help_text="Every section 55 response received.")
    engage_periods = serializers.URLField(help_text="Every period in Engage.")
    programmes = serializers.URLField(help_text="Every inspection programme.")
    themes = serializers.URLField(help_text="Every theme of findings.")
    schema = serializers.URLField(help_text="This API's OpenAPI 3 schema.")
    documentation = serializers.URLField(help_text="This API's documentation.")
    licence = serializers.CharField(help_text="The licence of the data.")
    licence_url = serializers.URLField(help_text="The licence's text.")


# Writing -----------------------------------------------------------------------------------


class ProgressUpdateInputSerializer(serializers.Serializer):
    """A progress update to record."""

    narrative = serializers.CharField(
        help_text="What has been done since the last update.", trim_whitespace=True
    )
    self_assessment = serializers.ChoiceField(
        choices=SelfAssessment.choices, help_text="How it is going."
    )
    publish = serializers.BooleanField(
        default=False,
        help_text=(
            "True: publish it on the public timeline. False (the default): only your "
            "organisation and the inspectorate see it."
        ),
    )
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "The item's version you last read. If the item has changed since, nothing is "
            "recorded and the answer is 409."
        ),
    )


class ProgressUpdateWithEvidenceSerializer(ProgressUpdateInputSerializer):
    """A progress update to record, with evidence files."""

    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=(
            "Evidence files (PDF, Word, Excel, CSV, PNG or JPEG), checked by their content; "
            "never public."
        ),
    )


class SubmitForClosureInputSerializer(serializers.Serializer):
    """A submission for closure, with its evidence."""

    note = serializers.CharField(
        help_text=(
            "What was done, and how the evidence shows it. Published on the public timeline; "
            "the files are not."
        )
    )
    evidence = serializers.ListField(
        child=serializers.FileField(),
        help_text="At least one evidence file (PDF, Word, Excel, CSV, PNG or JPEG).",
    )
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "The item's version you last read. If the item has changed since, nothing is "
            "recorded and the answer is 409."
        ),
    )


class RecordedUpdateSerializer(ProgressUpdateSerializer):
    """An update as its author sees it just after writing it."""

    is_published = serializers.BooleanField(
        read_only=True, help_text="Whether it is on the public timeline."
    )
    evidence = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="original_name",
        help_text="The names of the evidence files attached.",
    )
    item_status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        source="item.status",
        help_text="The item's status now (a first update moves an open item to in progress).",
    )
    item_version = serializers.IntegerField(
        read_only=True, source="item.version", help_text="The item's version now."
    )

    class Meta(ProgressUpdateSerializer.Meta):
        fields = [
            *ProgressUpdateSerializer.Meta.fields,
            "is_published",
            "evidence",
            "item_status",
            "item_version",
        ]


# Errors, for the schema --------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """A refusal, and why."""

    detail = serializers.CharField(help_text="What went wrong, in plain English.")


class ThrottledSerializer(ErrorSerializer):
    """A refusal for too many requests, and when to try again."""

    retry_after = serializers.IntegerField(
        help_text="How many seconds to wait before trying again (also in Retry-After)."
    )


class ConflictSerializer(ErrorSerializer):
    """A refusal because the item changed, with its version now."""

    current_version = serializers.IntegerField(
        help_text="The item's version now: read the item again, then send it."
    )
