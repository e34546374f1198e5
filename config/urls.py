from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Inspection Recommendations Tracker"
admin.site.site_title = "Tracker administration"
admin.site.index_title = "Inspections, findings and organisations"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The public pages arrive with the dashboards; until then the root leads to the admin.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
