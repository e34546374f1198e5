from django.urls import path

from portal import checks, views

app_name = "portal"

urlpatterns = [
    path("", views.findings, name="findings"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/update/", views.add_update, name="add-update"),
    path("items/<int:pk>/due-date/", views.propose_due_date, name="propose-due-date"),
    path("items/<int:pk>/submit/", views.submit_for_closure, name="submit"),
    path(
        "items/<int:item_pk>/updates/<int:pk>/correct/",
        views.correct_update,
        name="correct-update",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("section-55/", views.section55_list, name="section55-list"),
    path("section-55/<int:pk>/", views.section55_edit, name="section55-edit"),
]

# The factual-accuracy check (issue 11).
urlpatterns += [
    path("checks/", checks.checks, name="checks"),
    path("checks/<int:pk>/", checks.check_detail, name="check"),
]
