from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.admin import AuditedAdmin
from inspections.admin import SharedChoicesInlineFormSet
from inspections.models import Organisation, published_q
from inspections.services import DomainError
from recommendations.choices import Channel, FindingKind
from recommendations.forms import AssignmentChangeForm, BulkCloseForm, BulkStatusForm
from recommendations.models import (
    Assignment,
    CauseOfConcern,
    EvidenceFile,
    Finding,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    Theme,
)
from recommendations.services import (
    assignment_change_status,
    assignment_close,
    assignment_reopen,
    assignment_return,
    assignment_set_due_date,
    cause_of_concern_discharge,
    finding_add_addressees,
    progress_update_add,
)


def _admin_link(obj, text=None):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or obj)


class PublishedFilter(admin.SimpleListFilter):
    """Public or embargoed, by the publication of the inspection the row belongs to."""

    title = "publication"
    parameter_name = "published"
    inspection_path = "inspection"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Not yet published")]

    def queryset(self, request, queryset):
        published = published_q(f"{self.inspection_path}__")
        if self.value() == "yes":
            return queryset.filter(published)
        if self.value() == "no":
            return queryset.exclude(published)
        return queryset


class AssignmentPublishedFilter(PublishedFilter):
    inspection_path = "finding__inspection"


class OverdueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("not_yet_due", "Not yet due"), ("no_date", "No due date")]

    def queryset(self, request, queryset):
        match self.value():
            case "overdue":
                return queryset.overdue()
            case "not_yet_due":
                return queryset.not_yet_due()
            case "no_date":
                return queryset.filter(due_date__isnull=True)
        return queryset


# Inlines of the inspection page ---------------------------------------------------------------


class CauseOfConcernInline(admin.StackedInline):
    model = CauseOfConcern
    extra = 0
    fields = ["reference", "text", "position", "discharged_on", "discharge_note"]
    readonly_fields = ["discharged_on", "discharge_note"]
    show_change_link = True


class FindingInlineForm(forms.ModelForm):
    finding_kind = None

    add_addressees = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label="Add addressees",
        help_text="Left empty on a new finding: addressed to every organisation inspected.",
        widget=AutocompleteSelectMultiple(Finding._meta.get_field("addressees"), admin.site),
    )

    class Meta:
        model = Finding
        fields = [
            "reference",
            "text",
            "cause_of_concern",
            "due_date",
            "deadline_wording",
            "position",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = self.finding_kind


class FindingInlineFormSet(SharedChoicesInlineFormSet):
    shared_choice_fields = ("cause_of_concern",)
    prefix_name = "findings"
    request_user = None

    @classmethod
    def get_default_prefix(cls):
        return cls.prefix_name

    def limit_choices(self, name, queryset):
        if self.instance.pk is None:
            return queryset.none()
        return queryset.filter(inspection=self.instance)

    def save(self, commit=True):
        saved = super().save(commit=commit)
        for form in self.forms:
            finding = form.instance
            if finding.pk is None or form in self.deleted_forms or not form.cleaned_data:
                continue
            organisations = list(form.cleaned_data.get("add_addressees") or [])
            if not organisations and not finding.assignments.exists():
                organisations = list(self.instance.organisations.all())
            if organisations:
                finding_add_addressees(
                    finding=finding, organisations=organisations, user=self.request_user
                )
        return saved


class FindingInline(admin.StackedInline):
    model = Finding
    form = FindingInlineForm
    formset = FindingInlineFormSet
    extra = 0
    show_change_link = True
    readonly_fields = ["addressee_list"]
    fields = [
        "reference",
        "text",
        "cause_of_concern",
        "due_date",
        "deadline_wording",
        "position",
        "addressee_list",
        "add_addressees",
    ]
    kind = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(kind=self.kind)
            .prefetch_related("assignments__organisation")
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.finding_kind = self.kind
        formset.prefix_name = f"findings-{self.kind}"
        formset.request_user = request.user
        return formset

    @admin.display(description="Addressees and status")
    def addressee_list(self, obj):
        if obj.pk is None:
            return "-"
        return format_html_join(
            ", ",
            "{} ({})",
            ((a.organisation.name, a.get_status_display()) for a in obj.assignments.all()),
        )


class RecommendationInline(FindingInline):
    kind = FindingKind.RECOMMENDATION
    verbose_name = "recommendation"
    verbose_name_plural = "recommendations"


class AreaForImprovementInline(FindingInline):
    kind = FindingKind.AREA_FOR_IMPROVEMENT
    verbose_name = "area for improvement"
    verbose_name_plural = "areas for improvement"
    fields = [f for f in FindingInline.fields if f != "cause_of_concern"]


# Findings ----------------------------------------------------------------------------------


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fk_name = "finding"
    extra = 0
    fields = ["organisation", "status", "due_date", "superseded_by"]
    readonly_fields = ["status", "due_date", "superseded_by"]
    autocomplete_fields = ["organisation"]
    show_change_link = True
    verbose_name = "addressee"
    verbose_name_plural = "addressees (change a status on the addressee's own page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "superseded_by")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


class FindingAdmin(AuditedAdmin):
    list_display = ["reference", "short_text", "kind", "inspection", "due_date", "addressees_count"]
    list_filter = [
        "kind",
        PublishedFilter,
        "inspection__programme",
        "themes",
        ("cause_of_concern", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["inspection"]
    search_fields = ["reference", "text", "inspection__title", "inspection__slug"]
    autocomplete_fields = ["inspection", "cause_of_concern", "themes"]
    inlines = [AssignmentInline]
    fields = [
        "inspection",
        "kind",
        "reference",
        "cause_of_concern",
        "text",
        "themes",
        "due_date",
        "deadline_wording",
        "position",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_addressees=Count("assignments"))

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"

    @admin.display(description="Addressees", ordering="_addressees")
    def addressees_count(self, obj):
        return obj._addressees

    def audit_status_changes(self, obj):
        return StatusChange.objects.filter(assignment__finding=obj).select_related(
            "assignment__organisation", "changed_by"
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Assignment:
            return super().save_formset(request, form, formset, change)
        new = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        finding_add_addressees(
            finding=form.instance,
            organisations=[assignment.organisation for assignment in new if assignment.pk is None],
            user=request.user,
        )
        for assignment in new:
            if assignment.pk is not None:
                assignment.save(update_fields=["organisation"])


# One addressee's tracking ------------------------------------------------------------------


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "source", "changed_by", "channel", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    fields = ["written_on", "self_assessment", "is_published", "narrative", "author"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "organisation")

    def has_add_permission(self, request, obj=None):
        return False


class AssignmentAdmin(AuditedAdmin):
    form = AssignmentChangeForm
    list_display = [
        "finding_reference",
        "inspection",
        "organisation",
        "status",
        "due_date",
        "overdue",
        "status_changed_at",
    ]
    list_filter = [
        "status",
        OverdueFilter,
        AssignmentPublishedFilter,
        "finding__kind",
        "organisation__kind",
        "finding__inspection__programme",
    ]
    list_select_related = ["finding__inspection", "organisation"]
    search_fields = [
        "finding__reference",
        "finding__text",
        "organisation__name",
        "finding__inspection__title",
    ]
    readonly_fields = [
        "finding_link",
        "organisation",
        "status",
        "due_date",
        "superseded_by",
        "status_changed_at",
        "version",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "finding_link",
                    "organisation",
                    "status",
                    "superseded_by",
                    "status_changed_at",
                    "due_date",
                ]
            },
        ),
        ("Change the status", {"fields": ["new_status", "new_superseded_by", "note"]}),
        ("Change the due date", {"fields": ["new_due_date", "due_date_reason"]}),
    ]
    inlines = [StatusChangeInline, ProgressUpdateInline]
    actions = ["close_selected", "return_selected", "reopen_selected"]

    def has_add_permission(self, request):
        # Addressees are added on the finding's page, so each starts with the finding's dates.
        return False

    @admin.display(description="Finding", ordering="finding__reference")
    def finding_reference(self, obj):
        return obj.finding.reference

    @admin.display(description="Inspection", ordering="finding__inspection__title")
    def inspection(self, obj):
        return obj.finding.inspection

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()

    @admin.display(description="Finding")
    def finding_link(self, obj):
        return _admin_link(obj.finding, f"{obj.finding.reference}: {obj.finding.text[:120]}")

    def audit_status_changes(self, obj):
        return obj.status_changes.select_related("assignment__organisation", "changed_by")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data.get("new_status"):
                    assignment_change_status(
                        assignment=obj,
                        to_status=data["new_status"],
                        note=data.get("note", ""),
                        superseded_by=data.get("new_superseded_by"),
                        user=request.user,
                        channel=Channel.ADMIN,
                    )
                if data.get("new_due_date"):
                    assignment_set_due_date(
                        assignment=obj,
                        due_date=data["new_due_date"],
                        reason=data["due_date_reason"],
                        user=request.user,
                    )
        except DomainError as error:
            messages.error(request, f"Nothing was changed: {error}")

    def _bulk(self, request, queryset, *, form_class, title, apply):
        """Show the intermediate form, then apply ``apply`` to every item in one transaction."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            queryset = queryset.select_related("finding", "organisation")
            try:
                with transaction.atomic():
                    for assignment in queryset:
                        apply(assignment, form.cleaned_data)
            except DomainError as error:
                messages.error(request, f"Nothing was changed: {error}")
                return None
            count = len(queryset)
            messages.success(request, f"{title}: {count} item{'s' if count != 1 else ''} changed.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "media": self.media + form.media,
            "queryset": queryset.select_related("finding", "organisation"),
            "action": request.POST.get("action"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/recommendations/bulk_status.html", context)

    @admin.action(description="Close the selected items…", permissions=["change"])
    def close_selected(self, request, queryset):
        return self._bulk(
            request,
            queryset,
            form_class=BulkCloseForm,
            title="Close the selected items",
            apply=lambda assignment, data: assignment_close(
                assignment=assignment,
                outcome=data["outcome"],
                note=data["note"],
                superseded_by=data.get("superseded_by"),
                user=request.user,
                channel=Channel.ADMIN_BULK,
            ),
        )

    def _bulk_with_note(self, request, queryset, *, title, service):
        return self._bulk(
            request,
            queryset,
            form_class=BulkStatusForm,
            title=title,
            apply=lambda assignment, data: service(
                assignment=assignment,
                note=data["note"],
                user=request.user,
                channel=Channel.ADMIN_BULK,
            ),
        )

    @admin.action(description="Return the selected submissions…", permissions=["change"])
    def return_selected(self, request, queryset):
        return self._bulk_with_note(
            request, queryset, title="Return the selected submissions", service=assignment_return
        )

    @admin.action(description="Reopen the selected items…", permissions=["change"])
    def reopen_selected(self, request, queryset):
        return self._bulk_with_note(
            request, queryset, title="Reopen the selected items", service=assignment_reopen
        )


class StatusChangeAdmin(admin.ModelAdmin):
    """The append-only history: readable and searchable, never editable."""

    list_display = [
        "changed_at",
        "assignment",
        "from_status",
        "to_status",
        "source",
        "changed_by",
        "channel",
    ]
    list_filter = ["to_status", "source", "channel"]
    list_select_related = ["assignment__finding", "assignment__organisation", "changed_by"]
    search_fields = ["note", "assignment__finding__reference", "assignment__organisation__name"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_at", "file"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at", "file"]

    def has_add_permission(self, request, obj=None):
        return False


class ProgressUpdateForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["assignment", "written_on", "narrative", "self_assessment", "is_published"]


class ProgressUpdateAdmin(AuditedAdmin):
    form = ProgressUpdateForm
    list_display = ["written_on", "assignment", "organisation", "self_assessment", "is_published"]
    list_filter = ["is_published", "self_assessment", "organisation__kind"]
    list_select_related = ["assignment__finding", "assignment__organisation", "organisation"]
    search_fields = ["narrative", "organisation__name", "assignment__finding__reference"]
    autocomplete_fields = ["assignment"]
    date_hierarchy = "written_on"
    inlines = [EvidenceFileInline]

    def get_readonly_fields(self, request, obj=None):
        return ["assignment"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = progress_update_add(
            assignment=obj.assignment,
            author=request.user,
            narrative=obj.narrative,
            self_assessment=obj.self_assessment,
            written_on=obj.written_on,
            publish=obj.is_published,
            channel=Channel.ADMIN,
        )
        obj.pk = created.pk
        obj._state.adding = False
        return None


class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "finding_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_finding_count=Count("findings"))

    @admin.display(description="Findings", ordering="_finding_count")
    def finding_count(self, obj):
        return obj._finding_count


class CauseOfConcernForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("discharged_on") and not cleaned.get("discharge_note", "").strip():
            self.add_error(
                "discharge_note", "Say on what basis the cause of concern is discharged."
            )
        return cleaned


class RecommendationOfCauseInline(admin.TabularInline):
    model = Finding
    fk_name = "cause_of_concern"
    fields = ["reference", "text"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "recommendations"

    def has_add_permission(self, request, obj=None):
        return False


class CauseOfConcernAdmin(AuditedAdmin):
    form = CauseOfConcernForm
    list_display = ["reference", "inspection", "discharged_on"]
    list_filter = [("discharged_on", admin.EmptyFieldListFilter), PublishedFilter]
    list_select_related = ["inspection"]
    search_fields = ["reference", "text", "inspection__title"]
    autocomplete_fields = ["inspection"]
    inlines = [RecommendationOfCauseInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_discharged:
            return ["discharged_on", "discharge_note"]
        return []

    def save_model(self, request, obj, form, change):
        discharging = change and "discharged_on" in form.changed_data and obj.discharged_on
        if not discharging:
            return super().save_model(request, obj, form, change)
        discharged_on, note = obj.discharged_on, obj.discharge_note
        obj.discharged_on, obj.discharge_note = None, ""
        super().save_model(request, obj, form, change)
        cause_of_concern_discharge(
            cause=obj, discharged_on=discharged_on, note=note, user=request.user
        )
        return None


class Section55StatementFormSet(SharedChoicesInlineFormSet):
    shared_choice_fields = ("finding",)

    def limit_choices(self, name, queryset):
        if self.instance.pk is None:
            return queryset.none()
        return queryset.filter(
            inspection_id=self.instance.inspection_id, kind=FindingKind.RECOMMENDATION
        )


class Section55StatementInline(admin.StackedInline):
    model = Section55Statement
    formset = Section55StatementFormSet
    extra = 0
    fields = ["finding", "action", "text"]


class Section55ReceivedFilter(admin.SimpleListFilter):
    title = "response"
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return [("received", "Received"), ("awaited", "Awaited")]

    def queryset(self, request, queryset):
        if self.value() == "received":
            return queryset.filter(received_on__isnull=False)
        if self.value() == "awaited":
            return queryset.filter(received_on__isnull=True)
        return queryset


class Section55ResponseAdmin(AuditedAdmin):
    list_display = ["inspection", "local_policing_body", "due_on", "received_on", "overdue"]
    list_filter = [Section55ReceivedFilter, PublishedFilter]
    list_select_related = ["inspection", "local_policing_body"]
    search_fields = ["inspection__title", "local_policing_body__name", "text"]
    autocomplete_fields = ["inspection", "local_policing_body"]
    readonly_fields = ["due_on"]
    fields = ["inspection", "local_policing_body", "due_on", "received_on", "url", "text"]
    inlines = [Section55StatementInline]

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            from audit.services import log_action

            log_action(
                action="recommendations.section55.edited",
                obj=obj,
                actor=request.user,
                data={"fields": form.changed_data},
            )


admin.site.register(Theme, ThemeAdmin)
admin.site.register(CauseOfConcern, CauseOfConcernAdmin)
admin.site.register(Finding, FindingAdmin)
admin.site.register(Assignment, AssignmentAdmin)
admin.site.register(StatusChange, StatusChangeAdmin)
admin.site.register(ProgressUpdate, ProgressUpdateAdmin)
admin.site.register(Section55Response, Section55ResponseAdmin)
