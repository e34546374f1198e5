from django.urls import path, re_path

from api import pages, views
from api.schema_view import SchemaView

app_name = "api"

urlpatterns = [
    path("", pages.overview, name="overview"),
    path("docs/", pages.docs, name="docs"),
    path("data-dictionary/", pages.data_dictionary, name="data-dictionary"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("v1/", views.ApiRoot.as_view(), name="root"),
    path("v1/organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path(
        "v1/organisations/<slug:slug>/",
        views.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path("v1/inspections/", views.InspectionList.as_view(), name="inspection-list"),
    path("v1/inspections/<slug:slug>/", views.InspectionDetail.as_view(), name="inspection-detail"),
    path("v1/findings/", views.FindingList.as_view(), name="finding-list"),
    path("v1/findings/<int:id>/", views.FindingDetail.as_view(), name="finding-detail"),
    path("v1/items/", views.ItemList.as_view(), name="item-list"),
    path("v1/items/<int:id>/", views.ItemDetail.as_view(), name="item-detail"),
    path("v1/items/<int:id>/updates/", views.ItemUpdateList.as_view(), name="item-update-list"),
    path(
        "v1/items/<int:id>/status-changes/",
        views.ItemStatusChangeList.as_view(),
        name="item-status-change-list",
    ),
    path(
        "v1/items/<int:id>/due-date-changes/",
        views.ItemDueDateChangeList.as_view(),
        name="item-due-date-change-list",
    ),
    path(
        "v1/items/<int:id>/submit-for-closure/",
        views.SubmitForClosure.as_view(),
        name="item-submit-for-closure",
    ),
    path("v1/updates/", views.UpdateList.as_view(), name="update-list"),
    path("v1/status-changes/", views.StatusChangeList.as_view(), name="status-change-list"),
    path("v1/due-date-changes/", views.DueDateChangeList.as_view(), name="due-date-change-list"),
    path(
        "v1/section-55-responses/",
        views.Section55ResponseList.as_view(),
        name="section55-response-list",
    ),
    path(
        "v1/section-55-responses/<int:id>/",
        views.Section55ResponseDetail.as_view(),
        name="section55-response-detail",
    ),
    path("v1/engage-periods/", views.EngagePeriodList.as_view(), name="engage-period-list"),
    path(
        "v1/engage-periods/<int:id>/",
        views.EngagePeriodDetail.as_view(),
        name="engage-period-detail",
    ),
    path("v1/programmes/", views.ProgrammeList.as_view(), name="programme-list"),
    path("v1/themes/", views.ThemeList.as_view(), name="theme-list"),
    # Any other address ending in a slash: a JSON 404 rather than the site's HTML page. (An
    # address without its slash is first redirected to it, as everywhere on the site.)
    re_path(r"^v1/.*/$", views.NotFoundView.as_view(), name="not-found"),
]
