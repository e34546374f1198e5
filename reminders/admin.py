from django.contrib import admin

from audit.admin import DateHierarchyGuard
from reminders.choices import ReminderKind
from reminders.models import Digest, ReminderPreference

KIND_FIELDS = [kind.value for kind in ReminderKind]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", *KIND_FIELDS, "updated_at"]
    list_editable = KIND_FIELDS
    list_filter = KIND_FIELDS
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["updated_at"]


def _count_column(kind: ReminderKind):
    def column(digest):
        return digest.counts()[kind]

    column.short_description = kind.label
    column.__name__ = f"count_{kind.value}"
    return column


@admin.register(Digest)
class DigestAdmin(DateHierarchyGuard, admin.ModelAdmin):
    """The record of what was sent: read only, since a digest is a fact about the past."""

    list_display = [
        "day",
        "user",
        "email",
        "sent_at",
        *[_count_column(kind) for kind in ReminderKind],
    ]
    list_select_related = ["user"]
    date_hierarchy = "day"
    search_fields = ["user__username", "email", "subject"]
    fields = ["user", "day", "sent_at", "covered_until", "email", "subject", "summary"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
