"""The admin of accounts: people and their memberships. Only administrators give roles.

It lives in the admin app because it asks the access rules (``recommendations.policy``),
which read the roles: accounts imports nothing of the project but Django's auth.
``backoffice/admin.py`` registers it.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Membership
from recommendations.policy import can_manage_users


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]

    def has_add_permission(self, request, obj=None):
        return can_manage_users(request.user) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_manage_users(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_users(request.user) and super().has_delete_permission(request, obj)


class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Role", {"fields": ("inspectorate",)}),
    )
    inlines = [MembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "inspectorate", "is_staff"]
    list_filter = [*BaseUserAdmin.list_filter, "inspectorate"]
    list_select_related = ["inspectorate"]

    # Roles are given by administrators only (``policy.can_manage_users``).
    def has_add_permission(self, request):
        return can_manage_users(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_manage_users(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_users(request.user) and super().has_delete_permission(request, obj)
