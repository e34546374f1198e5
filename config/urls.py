from django.contrib import admin
from django.urls import include, path

import inspections.urls
import recommendations.urls

# The 400 page: the GOV.UK page with what was wrong, or JSON for the API.
handler400 = "config.security.bad_request"

admin.site.site_header = "Inspection Recommendations Tracker"
admin.site.site_title = "Tracker administration"
admin.site.index_title = "Inspections, findings and organisations"

# The public pages of both apps share one namespace: their URLs are one site to a reader.
public_urlpatterns = recommendations.urls.urlpatterns + inspections.urls.urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/notifications/", include("reminders.urls")),
    path("account/tokens/", include("api.token_urls")),
    path("portal/", include("portal.urls")),
    path("workspace/", include("workspace.urls")),
    path("api/", include("api.urls")),
    path("account/", include("accounts.urls")),
    path("", include((public_urlpatterns, "public"))),
]
