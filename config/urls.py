from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

# The 400 page: the GOV.UK page with what was wrong, or JSON for the API.
handler400 = "core.security.bad_request"
# The 404 page, or JSON for the API.
handler404 = "core.security.page_not_found"

admin.site.site_header = "Inspection Recommendations Tracker"
admin.site.site_title = "Tracker administration"
admin.site.index_title = "Inspections, findings and organisations"

# Machine addresses and the staff's tools: one address each, in English.
urlpatterns = [
    path("admin/", admin.site.urls),
    # Pasting a report's findings into the editor: the imports app's, under the editor's address.
    path("workspace/reports/", include("imports.urls")),
    path("workspace/", include("workspace.urls")),
    # The API takes ?lang=cy for its labels instead of a prefix (api/views.py).
    path("api/", include("api.urls")),
]

# The pages the public, organisations and account holders read: in English at their usual
# addresses and in Welsh under /cy/ (settings.LANGUAGES; README, "Welsh and English").
urlpatterns += i18n_patterns(
    path("account/notifications/", include("reminders.urls")),
    # The public's email alerts: no account, double opt-in, one-click unsubscribe.
    path("alerts/", include("alerts.urls")),
    path("account/tokens/", include("api.token_urls")),
    path("portal/", include("portal.urls")),
    path("account/", include("accounts.urls")),
    # The public pages (findings, organisations, inspections): one namespace, one site to a reader.
    path("", include("public.urls")),
    prefix_default_language=False,
)
