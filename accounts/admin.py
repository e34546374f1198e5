from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Role", {"fields": ("inspectorate",)}),
    )
    inlines = [MembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "inspectorate", "is_staff"]
    list_filter = [*BaseUserAdmin.list_filter, "inspectorate"]
    list_select_related = ["inspectorate"]
