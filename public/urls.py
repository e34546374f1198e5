from django.urls import path

from public import exports, feeds, pages, views
from public.page_cache import cache_page_for_anonymous

app_name = "public"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("recommendations/", views.finding_list, name="finding-list"),
    path("recommendations/export.csv", exports.export_csv, name="finding-export-csv"),
    path("recommendations/export.json", exports.export_json, name="finding-export-json"),
    path("recommendations/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("feeds/updates.atom", cache_page_for_anonymous(feeds.SiteFeed()), name="feed"),
    path(
        "recommendations/updates.atom",
        cache_page_for_anonymous(feeds.SearchFeed()),
        name="search-feed",
    ),
    path(
        "inspections/<slug:slug>/updates.atom",
        cache_page_for_anonymous(feeds.InspectionFeed()),
        name="inspection-feed",
    ),
    path(
        "organisations/<slug:slug>/updates.atom",
        cache_page_for_anonymous(feeds.OrganisationFeed()),
        name="organisation-feed",
    ),
    path("about/", views.about, name="about"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("feedback/", pages.feedback, name="feedback"),
    path(
        "organisations/<slug:slug>/",
        views.organisation_detail,
        name="organisation-detail",
    ),
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/<slug:slug>/", views.inspection_detail, name="inspection-detail"),
    # A draft as the public will see it: for those who may edit it, a 404 for anyone else.
    path("inspections/draft/<int:pk>/", views.inspection_preview, name="inspection-preview"),
]
