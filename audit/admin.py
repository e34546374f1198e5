from django.contrib import admin

from audit.models import ActionLog
from config.security import valid_initial


class AuditedAdmin(admin.ModelAdmin):
    """Shows an object's action log (and status history, where it has one) on its History page,
    beside the admin's own record of form edits."""

    object_history_template = "admin/audited_object_history.html"

    def audit_status_changes(self, obj):
        """Status history rows to show, for models that have them."""
        return None

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        extra_context = extra_context or {}
        if obj is not None:
            extra_context["action_log"] = ActionLog.objects.for_object(obj).select_related("actor")
            extra_context["status_changes"] = self.audit_status_changes(obj)
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_changeform_initial_data(self, request):
        return valid_initial(self.model, super().get_changeform_initial_data(request))


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "object_repr", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_repr", "actor__username"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"
    readonly_fields = [
        "action",
        "actor",
        "at",
        "content_type",
        "object_id",
        "object_repr",
        "data",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
