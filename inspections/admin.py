from django.contrib import admin

from inspections.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    search_fields = ["name", "slug"]
