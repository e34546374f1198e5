"""The admin of findings, items, updates, section 55 responses and the audit log, and the
registration of every admin of the tracker (``admin_inspections``, ``admin_accounts``).

Every admin here is scoped by ``recommendations.policy`` and audited (``audit.admin``), and changes
records only through the domain's services, so the admin is no side door to the public record.
"""

import hashlib
import json
from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.models import User
from audit.admin import ActionLogAdmin as BaseActionLogAdmin
from audit.admin import AuditedAdmin, Refused, refused_on
from audit.models import ActionLog
from backoffice.admin_accounts import UserAdmin
from backoffice.admin_inspections import (
    EngagePeriodAdmin,
    InspectorateAdmin,
    OrganisationAdmin,
    ProgrammeAdmin,
    ReferenceDataAdmin,
)
from backoffice.admin_inspections import InspectionAdmin as BaseInspectionAdmin
from backoffice.forms import BulkCloseForm, BulkStatusForm, ItemChangeForm
from core.admin import SharedChoicesInlineFormSet
from core.errors import DomainError
from inspections.models import (
    EngagePeriod,
    Inspection,
    Inspectorate,
    Organisation,
    Programme,
    published_q,
)
from recommendations import policy
from recommendations.choices import Channel, FindingKind
from recommendations.models import (
    CauseOfConcern,
    EvidenceFile,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    Theme,
)
from recommendations.services import (
    CAUSE_UPDATABLE_FIELDS,
    FINDING_UPDATABLE_FIELDS,
    cause_of_concern_discharge,
    cause_of_concern_update,
    finding_add_addressees,
    finding_remove_addressee,
    finding_replace_addressee,
    finding_update,
    item_change_status,
    item_close,
    item_reopen,
    item_return,
    item_set_due_date,
    section55_record_response,
)


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


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


class ItemPublishedFilter(PublishedFilter):
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
    fields = ["reference", "text", "text_cy", "position", "discharged_on", "discharge_note"]
    readonly_fields = ["discharged_on", "discharge_note"]
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and policy.report_rows_deletable(obj)


def _status_summary(items) -> str:
    """ "2 Open, 1 In progress": each status of the finding's addressees, counted."""
    counts = Counter(item.get_status_display() for item in items)
    return ", ".join(f"{n} {status}" for status, n in counts.items()) or "No addressee"


def findings_table(inspection) -> str:
    """The report's findings as a read-only table, each linked to its own page: reference,
    kind, addressees and a status summary. Two queries however many findings (the findings,
    their addressees with their organisations), where the inline forms they replace rendered
    two selects per finding (3.3 MB and 9 to 12 seconds for a report of 327)."""
    findings = sorted(
        inspection.findings.only("pk", "reference", "kind", "position").prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.select_related("organisation").order_by("organisation__name"),
            )
        ),
        key=lambda f: (f.kind != FindingKind.RECOMMENDATION, f.position, f.reference),
    )
    add = reverse("admin:recommendations_finding_add")
    links = format_html(
        '<p><a class="addlink" href="{}?inspection={}&amp;kind={}">Add a recommendation</a> '
        '<a class="addlink" href="{}?inspection={}&amp;kind={}">Add an area for improvement</a>'
        "</p>",
        add,
        inspection.pk,
        FindingKind.RECOMMENDATION,
        add,
        inspection.pk,
        FindingKind.AREA_FOR_IMPROVEMENT,
    )
    if not findings:
        return links + format_html("<p>{}</p>", "No findings yet.")
    rows = format_html_join(
        "\n",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("admin:recommendations_finding_change", args=[f.pk]),
                f.reference,
                f.get_kind_display(),
                ", ".join(item.organisation.name for item in f.items.all()) or "None",
                _status_summary(f.items.all()),
            )
            for f in findings
        ),
    )
    return links + format_html(
        '<table><caption>{} findings</caption><thead><tr><th scope="col">Reference</th>'
        '<th scope="col">Kind</th><th scope="col">Addressees</th>'
        '<th scope="col">Status</th></tr></thead><tbody>{}</tbody></table>',
        len(findings),
        rows,
    )


# Findings ----------------------------------------------------------------------------------


class AddresseeFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.pk is not None:
            return
        chosen = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("organisation")
        ]
        if not chosen:
            raise ValidationError("Address the new finding to at least one organisation.")


class ItemInline(admin.TabularInline):
    """The finding's items, one per addressee. Existing rows are read only: an item's
    organisation is never re-pointed (remove or replace an addressee on the item's own page,
    with a reason). New rows add addressees through ``finding_add_addressees``."""

    model = Item
    formset = AddresseeFormSet
    fk_name = "finding"
    extra = 0
    fields = ["organisation", "status", "due_date", "superseded_by"]
    readonly_fields = ["status", "due_date", "superseded_by"]
    autocomplete_fields = ["organisation"]
    show_change_link = True
    can_delete = False
    verbose_name = "item"
    verbose_name_plural = (
        "items, one per addressee (change a status, remove or replace an addressee on the "
        "item's own page)"
    )

    def get_queryset(self, request):
        # The finding too: each row is named "R1 for <organisation>".
        return (
            super().get_queryset(request).select_related("finding", "organisation", "superseded_by")
        )

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Needed to move the due date (its items follow it, logged) and to correct a "
        "published finding: the reason for the correction is published.",
    )

    class Meta:
        model = Finding
        fields = [
            "inspection",
            "kind",
            "reference",
            "cause_of_concern",
            "text",
            "text_cy",
            "themes",
            "due_date",
            "deadline_wording",
            "position",
        ]

    def clean(self):
        cleaned = super().clean()
        finding = self.instance
        if finding.pk is None:
            return cleaned
        changed = set(self.changed_data) & (FINDING_UPDATABLE_FIELDS | {"reference"})
        needs_reason = "due_date" in changed or (changed and finding.inspection.is_published)
        if needs_reason and not cleaned.get("change_reason", "").strip():
            self.add_error(
                "change_reason",
                "Give the reason for the new due date."
                if "due_date" in changed
                else "This finding is public: give the reason for the correction.",
            )
        reference = cleaned.get("reference")
        if (
            "reference" in changed
            and reference
            and Finding.objects.filter(inspection_id=finding.inspection_id, reference=reference)
            .exclude(pk=finding.pk)
            .exists()
        ):
            self.add_error("reference", f"The report already has a finding {reference}.")
        return cleaned


class FindingAdmin(AuditedAdmin):
    form = FindingAdminForm
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
    inlines = [ItemInline]
    fields = [
        "inspection",
        "kind",
        "reference",
        "cause_of_concern",
        "text",
        "text_cy",
        "themes",
        "due_date",
        "deadline_wording",
        "position",
        "change_reason",
    ]

    def scope(self, request, queryset):
        return policy.of_editable_reports(request.user, queryset)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("inspection")
            .annotate(_addressees=Count("items"))
        )

    def get_readonly_fields(self, request, obj=None):
        # A finding never moves to another report.
        return ["inspection"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "change_reason"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or policy.report_rows_deletable(obj.inspection)
        )

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"

    @admin.display(description="Addressees", ordering="_addressees")
    def addressees_count(self, obj):
        return obj._addressees

    def audit_status_changes(self, obj):
        return StatusChange.objects.filter(item__finding=obj).select_related(
            "item__organisation", "changed_by"
        )

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # What the public reads changes through finding_update, so items follow a new due date
        # and each change is logged with its reason; the position is saved as it is.
        original = Finding.objects.get(pk=obj.pk)
        changes = {}
        for name in form.changed_data:
            if name in FINDING_UPDATABLE_FIELDS and name != "themes":
                changes[name] = getattr(obj, name)
                setattr(obj, name, getattr(original, name))
        if "themes" in form.changed_data:
            changes["themes"] = list(form.cleaned_data["themes"])
        if "position" in form.changed_data:
            obj.save(update_fields=["position"])
        with refused_on(DomainError, field="change_reason"):
            diffs = finding_update(
                finding=obj,
                changes=changes,
                user=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )
        for name, (_, new) in diffs.items():
            if name != "themes":
                setattr(obj, name, new)
        return None

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        # The themes went through finding_update in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        return None

    def save_formset(self, request, form, formset, change):
        if formset.model is not Item:
            return super().save_formset(request, form, formset, change)
        new = formset.save(commit=False)
        organisations = [item.organisation for item in new if item.pk is None]
        reason = form.cleaned_data.get("change_reason", "").strip()
        if change and organisations and form.instance.inspection.is_published and not reason:
            # A new addressee of a published finding changes what the public reads.
            raise Refused(
                "This finding is public: give the reason for adding the addressee.",
                field="change_reason",
            )
        finding_add_addressees(
            finding=form.instance, organisations=organisations, user=request.user, reason=reason
        )
        return None


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


class ItemAdmin(AuditedAdmin):
    form = ItemChangeForm
    fingerprinted = False  # Its form carries the item's own version (``expected_version``).
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
        ItemPublishedFilter,
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
                    "expected_version",
                ]
            },
        ),
        ("Change the status", {"fields": ["new_status", "new_superseded_by", "note"]}),
        ("Change the due date", {"fields": ["new_due_date", "due_date_reason"]}),
        (
            "Remove or replace this addressee",
            {"fields": ["replace_with", "remove", "addressee_reason"]},
        ),
    ]
    inlines = [StatusChangeInline, ProgressUpdateInline]
    actions = ["close_selected", "return_selected", "reopen_selected"]

    def scope(self, request, queryset):
        return policy.of_editable_reports(request.user, queryset, "finding__inspection")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class ScopedItemForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "new_superseded_by" in self.fields:
                    self.fields["new_superseded_by"].queryset = policy.findings_visible_to(user)

        ScopedItemForm.__name__ = form.__name__
        return ScopedItemForm

    def has_add_permission(self, request):
        # Addressees are added on the finding's page, so each starts with the finding's dates.
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing an addressee is logged, with a reason: the form's "remove" does it.
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
        return obj.status_changes.select_related("item__organisation", "changed_by")

    def save_model(self, request, obj, form, change):
        if not policy.can_decide(request.user, obj):
            raise PermissionDenied
        data = form.cleaned_data
        version = data["expected_version"]
        with refused_on(DomainError):
            if data.get("remove"):
                finding_remove_addressee(
                    item=obj,
                    user=request.user,
                    reason=data["addressee_reason"],
                    expected_version=version,
                )
                request._admin_outcome = ("removed", obj.finding)
                return
            if data.get("replace_with"):
                new = finding_replace_addressee(
                    item=obj,
                    organisation=data["replace_with"],
                    user=request.user,
                    reason=data["addressee_reason"],
                    expected_version=version,
                )
                request._admin_outcome = ("replaced", new)
                return
            if data.get("new_status"):
                obj = item_change_status(
                    item=obj,
                    to_status=data["new_status"],
                    note=data.get("note", ""),
                    superseded_by=data.get("new_superseded_by"),
                    user=request.user,
                    channel=Channel.ADMIN,
                    expected_version=version,
                )
                version = obj.version
            if data.get("new_due_date"):
                item_set_due_date(
                    item=obj,
                    due_date=data["new_due_date"],
                    reason=data["due_date_reason"],
                    user=request.user,
                    expected_version=version,
                )

    def log_change(self, request, obj, message):
        if getattr(request, "_admin_outcome", (None,))[0] == "removed":
            return None  # The removal is in the finding's action log.
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        outcome, target = getattr(request, "_admin_outcome", (None, None))
        if outcome == "removed":
            self.message_user(request, f"{obj.organisation} was removed from {target.reference}.")
            return HttpResponseRedirect(_change_url(target))
        if outcome == "replaced":
            self.message_user(
                request,
                f"{target.finding.reference} is now addressed to {target.organisation}; "
                f"{obj.organisation}'s item keeps its history.",
            )
            return HttpResponseRedirect(_change_url(target))
        return super().response_change(request, obj)

    def _bulk(self, request, queryset, *, form_class, title, apply):
        """Show the intermediate form with each item's version, then apply ``apply`` to every
        item in one transaction, unless any item changed since the page showed it."""
        queryset = queryset.select_related("finding", "organisation")
        refusal = self._not_decidable(request, list(queryset))
        if refusal:
            messages.error(request, refusal)
            return None
        form = form_class(request.POST if "apply" in request.POST else None)
        if "superseded_by" in form.fields:
            form.fields["superseded_by"].queryset = policy.findings_visible_to(request.user)
        if "apply" in request.POST and form.is_valid():
            try:
                with transaction.atomic():
                    items = list(queryset.select_for_update(of=("self",)))
                    if form.versions_missing(request.POST, items):
                        raise DomainError(
                            "Nothing was changed: this form is incomplete or out of date. "
                            "Select the items again, then choose the action again."
                        )
                    stale = form.stale_items(request.POST, items)
                    if stale:
                        raise DomainError(
                            "Nothing was changed: since this page was loaded, " + " ".join(stale)
                        )
                    for item in items:
                        apply(item, form.cleaned_data, item.version)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                count = len(items)
                messages.success(
                    request, f"{title}: {count} item{'s' if count != 1 else ''} changed."
                )
                return None
        items = list(queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "media": self.media + form.media,
            "queryset": items,
            "versions": [(a, form.version_field_name(a)) for a in items],
            "action": request.POST.get("action"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/recommendations/bulk_status.html", context)

    @staticmethod
    def _not_decidable(request, items) -> str:
        """Why nothing will change, when any selected item is not the person's to decide
        (those outside their scope are counted, not named: they may not know of them)."""
        selected = set(request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME))
        shown = {str(item.pk) for item in items}
        unseen = len(selected - shown)
        decidable = set(
            policy.items_decidable_by(request.user)
            .filter(pk__in=[item.pk for item in items])
            .values_list("pk", flat=True)
        )
        refused = [item for item in items if item.pk not in decidable]
        if not items:
            return "Nothing was changed: none of the selected items is yours to decide."
        if not refused and not unseen:
            return ""
        named = [f"{item.finding.reference} for {item.organisation}" for item in refused]
        if unseen:
            named.append(f"{unseen} other{'s' if unseen != 1 else ''}")
        listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
        return (
            f"Nothing was changed: {listed} {'is' if len(refused) + unseen == 1 else 'are'} "
            "not yours to decide. Select only items of reports your inspectorate led or joined."
        )

    @admin.action(description="Close the selected items…", permissions=["change"])
    def close_selected(self, request, queryset):
        def close(item, data, version):
            if data["outcome"] not in policy.inspectorate_moves(item.status):
                # As in the workspace: only a submission is verified as complete.
                raise DomainError(
                    f"Nothing was changed: {item} is “{item.get_status_display()}”. "
                    "Only an item submitted for closure is closed as complete, and a closed "
                    "item is reopened before it is closed another way."
                )
            return item_close(
                item=item,
                outcome=data["outcome"],
                note=data["note"],
                superseded_by=data.get("superseded_by"),
                user=request.user,
                channel=Channel.ADMIN_BULK,
                expected_version=version,
            )

        return self._bulk(
            request,
            queryset,
            form_class=BulkCloseForm,
            title="Close the selected items",
            apply=close,
        )

    def _bulk_with_note(self, request, queryset, *, title, service):
        return self._bulk(
            request,
            queryset,
            form_class=BulkStatusForm,
            title=title,
            apply=lambda item, data, version: service(
                item=item,
                note=data["note"],
                user=request.user,
                channel=Channel.ADMIN_BULK,
                expected_version=version,
            ),
        )

    @admin.action(description="Return the selected submissions…", permissions=["change"])
    def return_selected(self, request, queryset):
        return self._bulk_with_note(
            request, queryset, title="Return the selected submissions", service=item_return
        )

    @admin.action(description="Reopen the selected items…", permissions=["change"])
    def reopen_selected(self, request, queryset):
        return self._bulk_with_note(
            request, queryset, title="Reopen the selected items", service=item_reopen
        )


class StatusChangeAdmin(AuditedAdmin):
    """The append-only history: readable and searchable, never editable."""

    list_display = [
        "changed_at",
        "item",
        "from_status",
        "to_status",
        "source",
        "changed_by",
        "channel",
    ]
    list_filter = ["to_status", "source", "channel"]
    list_select_related = ["item__finding", "item__organisation", "changed_by"]
    search_fields = ["note", "item__finding__reference", "item__organisation__name"]
    date_hierarchy = "changed_at"

    def scope(self, request, queryset):
        return policy.of_editable_reports(request.user, queryset, "item__finding__inspection")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceFileInline(admin.TabularInline):
    """Evidence is part of its update's record: never changed or deleted here."""

    model = EvidenceFile
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_at", "file"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at", "file"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgressUpdateAdmin(AuditedAdmin):
    """Read only. A progress update is the organisation's own voice, written on its portal
    pages or through the API: none is added here (an inspector's update would be shown as the
    organisation's own, on any date), and none is ever changed or deleted here
    (``policy.can_change_progress_update_in_admin``)."""

    list_display = ["written_on", "item", "organisation", "self_assessment", "is_published"]
    list_filter = ["is_published", "self_assessment", "organisation__kind"]
    list_select_related = ["item__finding", "item__organisation", "organisation"]
    search_fields = ["narrative", "organisation__name", "item__finding__reference"]
    date_hierarchy = "written_on"
    inlines = [EvidenceFileInline]

    def scope(self, request, queryset):
        return policy.of_editable_reports(request.user, queryset, "item__finding__inspection")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not policy.can_change_progress_update_in_admin(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not policy.can_change_progress_update_in_admin(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A published update is withdrawn (for a legal reason) only on its workspace page, by
        those ``policy.can_withdraw_update`` allows: the change page links there."""
        if (
            obj is not None
            and obj.is_published
            and not obj.is_withdrawn
            and policy.can_withdraw_update(request.user, obj)
        ):
            context["withdraw_url"] = reverse("workspace:withdraw-update", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        raise PermissionDenied


class ThemeAdmin(ReferenceDataAdmin):
    list_display = ["name", "slug", "finding_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def scope(self, request, queryset):
        # A theme used only by another inspectorate's embargoed report would tell of it.
        return queryset.filter(pk__in=policy.themes_usable_by(request.user).values("pk"))

    def get_queryset(self, request):
        counted = Q()
        if not policy.is_administrator(request.user):
            # Count only the findings the person may see: the number would tell of the others.
            counted = Q(findings__in=policy.findings_visible_to(request.user).values("pk"))
        return (
            super().get_queryset(request).annotate(_finding_count=Count("findings", filter=counted))
        )

    @admin.display(description="Findings", ordering="_finding_count")
    def finding_count(self, obj):
        return obj._finding_count


class CauseOfConcernForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for the correction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Needed to change a published cause of concern: the reason is published.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("discharged_on") and not cleaned.get("discharge_note", "").strip():
            self.add_error(
                "discharge_note", "Say on what basis the cause of concern is discharged."
            )
        cause = self.instance
        changed = set(self.changed_data) & CAUSE_UPDATABLE_FIELDS
        if (
            cause.pk
            and changed
            and cause.inspection.is_published
            and not cleaned.get("change_reason", "").strip()
        ):
            self.add_error("change_reason", "This cause of concern is public: give the reason.")
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

    def scope(self, request, queryset):
        return policy.of_editable_reports(request.user, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("inspection")

    def get_readonly_fields(self, request, obj=None):
        fixed = ["inspection"] if obj is not None else []
        if obj is not None and obj.is_discharged:
            return [*fixed, "discharged_on", "discharge_note"]
        return fixed

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or policy.report_rows_deletable(obj.inspection)
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "change_reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # What it says changes through the service, logged (a correction once public).
        original = CauseOfConcern.objects.get(pk=obj.pk)
        changes = {}
        for name in set(form.changed_data) & CAUSE_UPDATABLE_FIELDS:
            changes[name] = getattr(obj, name)
            setattr(obj, name, getattr(original, name))
        with refused_on(DomainError, field="change_reason"):
            cause_of_concern_update(
                cause=obj,
                changes=changes,
                user=request.user,
                reason=form.cleaned_data.get("change_reason", ""),
            )
        for name, new in changes.items():
            setattr(obj, name, new)
        discharging = "discharged_on" in form.changed_data and obj.discharged_on
        if not discharging:
            return None
        discharged_on, note = obj.discharged_on, obj.discharge_note
        with refused_on(DomainError, field="discharge_note"):
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

    # The statements are the policing body's own, written in the portal (its draft, versioned
    # there); a response received is on the record. The admin only shows them.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _received(response) -> bool:
    return response is not None and response.received_on is not None


class Section55ResponseForm(forms.ModelForm):
    record_received_on = forms.DateField(
        label="Record the response as received on",
        required=False,
        help_text="Publishes the response with its link or text (logged). It cannot be undone.",
    )

    class Meta:
        model = Section55Response
        fields = ["url", "text"]


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
    """Responses are opened by publication; the local policing body drafts and publishes its
    own. Here the inspectorate may record receipt of one published elsewhere, through
    ``section55_record_response``; once received it no longer changes."""

    form = Section55ResponseForm
    list_display = ["inspection", "local_policing_body", "due_on", "received_on", "overdue"]
    list_filter = [Section55ReceivedFilter, PublishedFilter]
    list_select_related = ["inspection", "local_policing_body"]
    search_fields = ["inspection__title", "local_policing_body__name", "text"]
    inlines = [Section55StatementInline]

    def scope(self, request, queryset):
        return policy.of_editable_reports(request.user, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("inspection", "local_policing_body")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _received(obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = ["inspection", "local_policing_body", "due_on", "received_on", "url", "text"]
        if not _received(obj):
            fields.append("record_received_on")
        return fields

    def get_readonly_fields(self, request, obj=None):
        # The link and text are the policing body's own draft, written (and versioned) in the
        # portal: here they are only read, never overwritten.
        return ["inspection", "local_policing_body", "due_on", "received_on", "url", "text"]

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()

    def save_model(self, request, obj, form, change):
        if _received(Section55Response.objects.get(pk=obj.pk)):
            raise PermissionDenied
        # Nothing of the response is saved here but its receipt (``save_related``, through
        # ``section55_record_response``): the draft is the body's own.
        request._section55_received_on = form.cleaned_data.get("record_received_on")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        received_on = getattr(request, "_section55_received_on", None)
        if received_on is not None:
            obj = form.instance
            with refused_on(DomainError, field="record_received_on"):
                section55_record_response(
                    response=obj,
                    received_on=received_on,
                    url=obj.url,
                    text=obj.text,
                    user=request.user,
                )


admin.site.register(Theme, ThemeAdmin)
admin.site.register(CauseOfConcern, CauseOfConcernAdmin)
admin.site.register(Finding, FindingAdmin)
admin.site.register(Item, ItemAdmin)
admin.site.register(StatusChange, StatusChangeAdmin)
admin.site.register(ProgressUpdate, ProgressUpdateAdmin)
admin.site.register(Section55Response, Section55ResponseAdmin)


class InspectionAdmin(BaseInspectionAdmin):
    """A report's page in the admin (see admin_inspections.py), with its causes of concern and
    its findings listed and linked, not inlined as forms: a report of hundreds of findings
    opens at once. A finding is added and changed on its own page, linked from the list."""

    inlines = [*BaseInspectionAdmin.inlines, CauseOfConcernInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Findings", {"fields": ["findings"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "findings"]

    @admin.display(description="Findings")
    def findings(self, obj):
        return findings_table(obj)

    def fingerprint(self, request, obj) -> str:
        """The findings listed are part of what the page shows: a change to one (by any door)
        makes a form opened before it stale, as when they were inline rows."""
        digest, logged = super().fingerprint(request, obj).split(".")
        rows = [
            digest,
            list(obj.findings.order_by("pk").values_list()),
            list(Item.objects.filter(finding__inspection=obj).order_by("pk").values_list()),
        ]
        digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()[:32]
        return f"{digest}.{logged}"


class ActionLogAdmin(BaseActionLogAdmin):
    def may_read_log(self, user) -> bool:
        return policy.can_read_action_log(user)


# Every admin page asks the access rules (recommendations.policy), so the pages of the models
# of accounts, audit and inspections, which may not import the rules, are registered here.
admin.site.register(User, UserAdmin)
admin.site.register(ActionLog, ActionLogAdmin)
admin.site.register(Inspectorate, InspectorateAdmin)
admin.site.register(Programme, ProgrammeAdmin)
admin.site.register(Organisation, OrganisationAdmin)
admin.site.register(EngagePeriod, EngagePeriodAdmin)
admin.site.register(Inspection, InspectionAdmin)
