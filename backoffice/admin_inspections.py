"""The admin of the inspections app's models: inspectorates, programmes, organisations, Engage
periods and reports.

Every page of it asks the access rules (``recommendations.policy``) and publishing opens
section 55 responses, so it lives in the admin app: inspections imports nothing of
recommendations. ``backoffice/admin.py`` registers these, the report's admin
with the findings' inlines, and ``imports/admin.py`` registers it again with the import and
export of findings.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from audit.admin import AuditedAdmin, refused_on
from audit.services import log_action
from core.errors import DomainError
from inspections.models import (
    EngagePeriod,
    Inspection,
    Judgement,
    KeyFigure,
    Organisation,
)
from inspections.services import (
    INSPECTION_UPDATABLE_FIELDS,
    engage_enter,
    engage_leave,
    inspection_log_changes,
    inspection_set_key_figures,
    inspection_update,
    organisation_set_successor,
)
from recommendations.choices import ACTIVE_STATUSES
from recommendations.policy import (
    can_manage_reference_data,
    can_publish_inspection,
    can_record_engage,
    inspections_publishable_by,
    inspections_visible_to,
    inspectorates_leadable_by,
    is_administrator,
    of_editable_reports,
    programmes_usable_by,
    report_rows_deletable,
)
from recommendations.publication import ChecklistProblems, check_ready_to_publish
from recommendations.services import (
    cause_of_concern_update,
    inspection_publish,
    inspection_set_publication,
    section55_open_responses,
)


class ReferenceDataAdmin(AuditedAdmin):
    """Shared reference data (inspectorates, organisations, programmes, themes): seen by every
    inspector, as scoped, but added, changed and deleted only as the policy allows
    (``can_manage_reference_data``), whatever Django model permissions a staff member holds."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_manage_reference_data(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_manage_reference_data(
            request.user
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_manage_reference_data(
            request.user
        )

    def delete_view(self, request, object_id, extra_context=None):
        # A row outside the person's scope answers 404, as its other pages do, before the
        # refusal (403) of a row they may see but not delete.
        if self.get_object(request, admin.utils.unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().delete_view(request, object_id, extra_context)


class InspectorateAdmin(ReferenceDataAdmin):
    list_display = ["name", "abbreviation", "slug"]
    search_fields = ["name", "abbreviation", "slug"]
    prepopulated_fields = {"slug": ["abbreviation"]}


class ProgrammeAdmin(ReferenceDataAdmin):
    list_display = ["name", "kind", "inspection_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def scope(self, request, queryset):
        # A programme used only by another inspectorate's embargoed report would tell of it.
        return queryset.filter(pk__in=programmes_usable_by(request.user).values("pk"))

    def get_queryset(self, request):
        counted = Q()
        if not is_administrator(request.user):
            # Count only the reports the person may see: the number would tell of the others.
            counted = Q(inspections__in=inspections_visible_to(request.user).values("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(_inspection_count=Count("inspections", filter=counted))
        )

    @admin.display(description="Inspections", ordering="_inspection_count")
    def inspection_count(self, obj):
        return obj._inspection_count


class InEngageFilter(admin.SimpleListFilter):
    title = "Engage"
    parameter_name = "engage"

    def lookups(self, request, model_admin):
        return [("yes", "In Engage now"), ("no", "Not in Engage")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(_in_engage=True)
        if self.value() == "no":
            return queryset.filter(_in_engage=False)
        return queryset


def with_report_visibility(request, queryset):
    """Engage periods, each knowing whether the person may see the report it names: an
    embargoed report of another inspectorate must not show, even as a title."""
    if is_administrator(request.user):
        return queryset
    visible = inspections_visible_to(request.user).filter(pk=OuterRef("inspection_id"))
    return queryset.annotate(_report_visible=Exists(visible))


def shown_report(period):
    if period.inspection_id is None:
        return "-"
    if getattr(period, "_report_visible", True):
        return period.inspection
    return "A report not yet published"


class EngagePeriodInline(admin.TabularInline):
    model = EngagePeriod
    fk_name = "organisation"
    fields = ["entered_on", "left_on", "entry_reasons", "exit_reasons", "report"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "Engage periods (record entry and exit on the Engage period page)"

    def get_queryset(self, request):
        return with_report_visibility(request, super().get_queryset(request))

    @admin.display(description="Inspection")
    def report(self, obj):
        return shown_report(obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrganisationForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        successor = cleaned.get("successor")
        if successor and self.instance.pk:
            if successor.pk == self.instance.pk:
                self.add_error("successor", "An organisation cannot succeed itself.")
            elif successor.pk in self.instance.lineage_ids():
                self.add_error("successor", f"{successor} is a predecessor of this organisation.")
        if successor and not cleaned.get("ceased_on"):
            self.add_error("ceased_on", "Give the date of the merger or rename.")
        return cleaned


class OrganisationAdmin(ReferenceDataAdmin):
    form = OrganisationForm
    list_display = [
        "name",
        "kind",
        "region",
        "country",
        "local_policing_body",
        "successor",
        "active_findings",
        "in_engage",
    ]
    list_filter = ["kind", "region", "country", InEngageFilter]
    list_select_related = ["local_policing_body", "successor"]
    search_fields = ["name", "name_cy", "slug"]
    autocomplete_fields = ["local_policing_body", "successor"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EngagePeriodInline]
    fieldsets = [
        (None, {"fields": ["name", "name_cy", "slug", "kind"]}),
        ("Where", {"fields": ["country", "region"]}),
        ("Governance and history", {"fields": ["local_policing_body", "successor", "ceased_on"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _active_findings=Count(
                    "items",
                    filter=Q(items__status__in=ACTIVE_STATUSES) & self._counted_items(request),
                ),
                _in_engage=Exists(
                    EngagePeriod.objects.filter(organisation=OuterRef("pk"), left_on__isnull=True)
                ),
            )
        )

    @staticmethod
    def _counted_items(request) -> Q:
        """Count only the items of reports the person may see: an embargoed report of another
        inspectorate must not show, even as a number."""
        if is_administrator(request.user):
            return Q()
        visible = inspections_visible_to(request.user)
        return Q(items__finding__inspection__in=visible.values("pk"))

    @admin.display(description="Open findings", ordering="_active_findings")
    def active_findings(self, obj):
        return obj._active_findings

    @admin.display(description="In Engage", boolean=True, ordering="_in_engage")
    def in_engage(self, obj):
        return obj._in_engage

    def save_model(self, request, obj, form, change):
        successor_changed = change and {"successor", "ceased_on"} & set(form.changed_data)
        if successor_changed and obj.successor_id:
            new_successor, ceased_on = obj.successor, obj.ceased_on
            previous = Organisation.objects.get(pk=obj.pk)
            obj.successor, obj.ceased_on = previous.successor, previous.ceased_on
            super().save_model(request, obj, form, change)
            with refused_on(DomainError, field="successor"):
                organisation_set_successor(
                    organisation=obj,
                    successor=new_successor,
                    ceased_on=ceased_on,
                    user=request.user,
                )
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)
        if successor_changed:
            log_action(
                action="inspections.organisation.succession_removed", obj=obj, actor=request.user
            )


class EngagePeriodForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("left_on") and not cleaned.get("exit_reasons", "").strip():
            self.add_error("exit_reasons", "Give the reasons for moving out of Engage.")
        return cleaned


class CurrentEngageFilter(admin.SimpleListFilter):
    title = "current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "In Engage now"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(left_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(left_on__isnull=False)
        return queryset


class EngagePeriodAdmin(AuditedAdmin):
    form = EngagePeriodForm
    list_display = ["organisation", "entered_on", "left_on", "report"]
    list_filter = [CurrentEngageFilter, "organisation__kind"]
    list_select_related = ["organisation", "inspection"]
    search_fields = ["organisation__name", "entry_reasons", "exit_reasons"]
    autocomplete_fields = ["organisation", "inspection"]
    date_hierarchy = "entered_on"
    fields = [
        "organisation",
        "entered_on",
        "entry_reasons",
        "inspection",
        "left_on",
        "exit_reasons",
    ]

    def get_queryset(self, request):
        return with_report_visibility(request, super().get_queryset(request))

    @admin.display(description="Inspection", ordering="inspection__title")
    def report(self, obj):
        return shown_report(obj)

    def get_fields(self, request, obj=None):
        if obj is not None and not getattr(obj, "_report_visible", True):
            # The report it names is not theirs to see, nor to unlink by saving the form.
            return [("report" if name == "inspection" else name) for name in self.fields]
        return self.fields

    # Engage is the inspectorate's own monitoring: only those the policy allows record it.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_record_engage(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_record_engage(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_record_engage(request.user)

    def get_readonly_fields(self, request, obj=None):
        # A period is entered and left through the services, each logged: once entered only
        # the move out may be recorded, and once left nothing changes.
        if obj is None:
            return ["left_on", "exit_reasons"]
        fixed = ["organisation", "entered_on", "entry_reasons", "inspection", "report"]
        return [*fixed, "left_on", "exit_reasons"] if obj.left_on else fixed

    def save_model(self, request, obj, form, change):
        with refused_on(DomainError):
            if not change:
                period = engage_enter(
                    organisation=obj.organisation,
                    entered_on=obj.entered_on,
                    reasons=obj.entry_reasons,
                    inspection=obj.inspection,
                    user=request.user,
                )
                obj.pk = period.pk
                obj._state.adding = False
            elif "left_on" in form.changed_data and obj.left_on:
                engage_leave(
                    organisation=obj.organisation,
                    left_on=obj.left_on,
                    reasons=obj.exit_reasons,
                    user=request.user,
                )
            elif form.changed_data:
                raise DomainError(
                    "Record the date it moved out of Engage with the reasons: nothing else of "
                    "a period changes once it is entered."
                )


class KeyFigureInline(admin.TabularInline):
    """The report's key figures. Saved not as rows but as the whole list, in position order,
    through ``inspection_set_key_figures``, as the report editor saves them: the same checks,
    the same history record (``InspectionAdmin.save_formset``)."""

    model = KeyFigure
    extra = 0
    fields = ["label", "value", "out_of", "position"]


class JudgementFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        scales = {
            form.cleaned_data["scale"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and "scale" in form.cleaned_data
        }
        if len(scales) > 1:
            raise ValidationError(
                "All judgements of one inspection use the same grading scale: grades from "
                "different scales cannot be compared."
            )


class JudgementInline(admin.TabularInline):
    model = Judgement
    formset = JudgementFormSet
    extra = 0
    fields = ["question_area", "scale", "grade", "position"]


class PublicationFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("published", "Published"),
            ("scheduled", "Scheduled (embargoed)"),
            ("draft", "Not scheduled"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "published":
                return queryset.published()
            case "scheduled":
                return queryset.unpublished().filter(published_at__isnull=False)
            case "draft":
                return queryset.filter(published_at__isnull=True)
        return queryset


class InspectionForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for the correction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Needed to change a published report: the correction is shown publicly, "
        "dated, with this reason.",
    )

    def clean(self):
        cleaned = super().clean()
        report = self.instance
        changed = set(self.changed_data) & {
            *INSPECTION_UPDATABLE_FIELDS,
            *InspectionAdmin.LOGGED_RELATIONS,
        }
        if (
            report.pk
            and report.is_published
            and changed
            and not cleaned.get("change_reason", "").strip()
        ):
            self.add_error(
                "change_reason", "This report is public: give the reason for the correction."
            )
        return cleaned

    def clean_follows_up(self):
        value = self.cleaned_data.get("follows_up")
        node = value
        while node is not None and self.instance.pk:
            if node.pk == self.instance.pk:
                raise ValidationError("An inspection cannot follow up itself or its own follow-up.")
            node = node.follows_up
        return value


class InspectionAdmin(AuditedAdmin):
    form = InspectionForm
    stale_noun = "report"
    list_display = [
        "title",
        "programme",
        "lead_inspectorate",
        "published_at",
        "is_published",
        "finding_count",
    ]
    list_filter = [PublicationFilter, "programme", "lead_inspectorate", "organisations__kind"]
    list_select_related = ["programme", "lead_inspectorate"]
    search_fields = ["title", "slug", "organisations__name"]
    autocomplete_fields = [
        "programme",
        "organisations",
        "lead_inspectorate",
        "partner_inspectorates",
        "follows_up",
    ]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    actions = ["publish_now"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "programme", "organisations", "summary"]}),
        # Optional: the Welsh pages show them, or the English with a note (issue 12).
        ("In Welsh", {"fields": ["title_cy", "summary_cy"]}),
        ("Inspectorates", {"fields": ["lead_inspectorate", "partner_inspectorates"]}),
        (
            "Dates and report",
            {
                "fields": [
                    "fieldwork_started_on",
                    "fieldwork_ended_on",
                    "published_at",
                    "report_url",
                ]
            },
        ),
        ("Series", {"fields": ["follows_up"]}),
        ("Correction", {"fields": ["change_reason"]}),
    ]

    def scope(self, request, queryset):
        return of_editable_reports(request.user, queryset, "pk")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return [(name, opts) for name, opts in fieldsets if name != "Correction"]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Only the lead inspectorate publishes, schedules, or names the inspectorates.
        if obj is not None and not can_publish_inspection(request.user, obj):
            return ["lead_inspectorate", "partner_inspectorates", "published_at"]
        if obj is not None and obj.is_published:
            # Public for good. (Editable, the form would post it back without the
            # microseconds of a "publish now" and be refused as a change.)
            return ["published_at"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_inspectorate":
            kwargs["queryset"] = inspectorates_leadable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and report_rows_deletable(obj)

    def has_publish_permission(self, request):
        return self.has_change_permission(request)

    # backoffice/admin.py registers a subclass that adds the findings' inlines.
    inlines = [KeyFigureInline, JudgementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_finding_count=Count("findings"))

    @admin.display(description="Findings", ordering="_finding_count")
    def finding_count(self, obj):
        return obj._finding_count

    @admin.display(description="Public", boolean=True)
    def is_published(self, obj):
        return obj.is_published

    def save_model(self, request, obj, form, change):
        # Publication goes through its service so it is logged and opens the section 55 clock;
        # what the report says goes through inspection_update, logged (as a correction once
        # public, with its reason).
        requested = obj.published_at
        if not change:
            obj.published_at = None
            super().save_model(request, obj, form, change)
        else:
            original = Inspection.objects.get(pk=obj.pk)
            changes = {}
            for name in form.changed_data:
                if name in INSPECTION_UPDATABLE_FIELDS:
                    changes[name] = getattr(obj, name)
                    setattr(obj, name, getattr(original, name))
            obj.published_at = original.published_at
            # The form shows whole seconds: the same second is the same moment.
            if (
                requested
                and original.published_at
                and (requested == original.published_at.replace(microsecond=0))
            ):
                requested = original.published_at
            with refused_on(DomainError, field="change_reason"):
                diffs = inspection_update(
                    inspection=obj,
                    changes=changes,
                    user=request.user,
                    reason=form.cleaned_data.get("change_reason", ""),
                )
            for name, (_, new) in diffs.items():
                setattr(obj, name, new)
        obj._requested_published_at = requested

    # Parts of the report saved with it whose changes are logged (as corrections once public).
    LOGGED_RELATIONS = ("organisations", "partner_inspectorates")

    @staticmethod
    def _plain(value):
        if value is None or isinstance(value, (str, int, bool, float)):
            return value
        if isinstance(value, (list, tuple)):
            return [InspectionAdmin._plain(item) for item in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    @classmethod
    def _row_changes(cls, formset) -> tuple[dict, dict]:
        """What the posted rows of an inline change, compared field by field (never by the
        rows' ``str()``, which shortens a cause of concern and leaves out a judgement's
        scale): ``({"<part> “<row>”: <field>": (old, new)}, {cause: {field: new}})``, with
        rows added or removed whole. The changes of existing causes of concern are returned
        apart: they go through ``cause_of_concern_update``, as on the cause's own page."""
        from recommendations.models import CauseOfConcern

        model = formset.model
        part = str(model._meta.verbose_name_plural)
        columns = {f.name for f in model._meta.concrete_fields} - {"id", formset.fk.name}
        diffs, causes, added = {}, {}, []
        deleted = set(formset.deleted_forms) if formset.can_delete else set()
        for form in formset.forms:
            if not form.has_changed() and form not in deleted:
                continue
            names = [name for name in form.fields if name in columns]
            if form.instance.pk is None:
                if form in deleted:
                    continue  # A new row deleted before it was saved: nothing happens.
                added.append({name: cls._plain(form.cleaned_data.get(name)) for name in names})
                continue
            original = model._default_manager.get(pk=form.instance.pk)
            if form in deleted:
                removed = {name: cls._plain(getattr(original, name)) for name in names}
                diffs[f"{part} “{original}”"] = (removed, None)
                continue
            changes = {
                name: form.cleaned_data.get(name)
                for name in form.changed_data
                if name in columns and getattr(original, name) != form.cleaned_data.get(name)
            }
            if model is CauseOfConcern:
                if changes:
                    causes[original] = changes
                continue
            for name, new in changes.items():
                diffs[f"{part} “{original}”: {name}"] = (
                    cls._plain(getattr(original, name)),
                    cls._plain(new),
                )
        if added:
            diffs[f"{part}: added"] = (None, added)
        return diffs, causes

    def save_formset(self, request, form, formset, change):
        if formset.model is KeyFigure:
            self._save_key_figures(request, form, formset)
            return
        super().save_formset(request, form, formset, change)

    @staticmethod
    def key_figures_posted(formset) -> list[tuple]:
        """The figures the inline's rows leave, ``(label, value, out_of)`` in the order of their
        ``position`` (rows of one position in the order shown): deleted rows and blank new
        ones left out."""
        deleted = set(formset.deleted_forms) if formset.can_delete else set()
        rows = []
        for index, row in enumerate(formset.forms):
            data = row.cleaned_data
            if row in deleted or not data or (row.instance.pk is None and not row.has_changed()):
                continue
            figure = (data["label"], data["value"], data.get("out_of"))
            rows.append((data.get("position") or 0, index, figure))
        return [figure for _position, _index, figure in sorted(rows, key=lambda row: row[:2])]

    def _save_key_figures(self, request, form, formset):
        with refused_on(DomainError, field="change_reason"):
            inspection_set_key_figures(
                inspection=form.instance,
                figures=self.key_figures_posted(formset),
                user=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )
        # The admin's own record of the form (LogEntry) reads these; the service's history
        # row says what changed.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        diffs = {}
        reason = form.cleaned_data.get("change_reason", "")
        if change:
            for name in self.LOGGED_RELATIONS:
                if name in form.changed_data:
                    diffs[name] = (
                        sorted(str(item) for item in form.initial.get(name, [])),
                        sorted(str(item) for item in form.cleaned_data[name]),
                    )
            causes = {}
            for formset in formsets:
                # The key figures are logged by their own service (save_formset).
                if formset.has_changed() and formset.model is not KeyFigure:
                    # Read before saving: the formset's own rows already hold the posted values.
                    rows, changed_causes = self._row_changes(formset)
                    diffs.update(rows)
                    causes.update(changed_causes)
            if obj.is_published and (diffs or causes) and not reason.strip():
                with refused_on(DomainError, field="change_reason"):
                    raise DomainError(
                        f"“{obj}” is public: give the reason for the correction, which is "
                        "published."
                    )
            for cause, changes in causes.items():
                with refused_on(DomainError, field="change_reason"):
                    cause_of_concern_update(
                        cause=cause, changes=changes, user=request.user, reason=reason
                    )
        super().save_related(request, form, formsets, change)
        if change:
            with refused_on(DomainError, field="change_reason"):
                inspection_log_changes(
                    inspection=obj, diffs=diffs, user=request.user, reason=reason
                )
        self._save_publication(request, obj)

    def _save_publication(self, request, obj):
        """The date field schedules, changes or cancels publication, as the lead inspectorate
        may, and only once the pre-publication checklist is clean."""
        requested = getattr(obj, "_requested_published_at", obj.published_at)
        if requested != obj.published_at:
            if not can_publish_inspection(request.user, obj):
                raise PermissionDenied
            with refused_on(DomainError, field="published_at"):
                if requested is not None:
                    check_ready_to_publish(obj, published_at=requested)
                inspection_set_publication(
                    inspection=obj, published_at=requested, user=request.user
                )
        elif obj.published_at is not None:
            # Inspected organisations may have changed: open any newly due section 55 responses.
            section55_open_responses(inspection=obj)

    @admin.action(description="Publish the selected inspections now", permissions=["publish"])
    def publish_now(self, request, queryset):
        refused = queryset.exclude(pk__in=inspections_publishable_by(request.user).values("pk"))
        if refused.exists():
            titles = ", ".join(f"“{inspection}”" for inspection in refused)
            messages.error(
                request,
                f"Nothing was published: only the lead inspectorate publishes {titles}.",
            )
            return
        now = timezone.now()
        not_ready = []
        for inspection in queryset.unpublished():
            try:
                check_ready_to_publish(inspection, published_at=now)
            except ChecklistProblems as problems:
                not_ready.append(f"“{inspection}”: {problems}")
        if not_ready:
            messages.error(request, "Nothing was published. " + " ".join(not_ready))
            return
        published = 0
        with transaction.atomic():
            for inspection in queryset.unpublished():
                inspection_publish(inspection=inspection, user=request.user)
                published += 1
        skipped = queryset.count() - published
        message = f"Published {published} inspection{'s' if published != 1 else ''}."
        if skipped:
            message += f" {skipped} already public, left as they were."
        messages.success(request, message)
