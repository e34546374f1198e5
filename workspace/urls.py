from django.urls import path

from workspace import checks, views
from workspace import report_views as reports

app_name = "workspace"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/decide/", views.decide, name="decide"),
    path("items/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("updates/<int:pk>/withdraw/", views.withdraw_update, name="withdraw-update"),
    path("proposals/<int:pk>/", views.decide_due_date, name="proposal"),
    path("overdue/", views.overdue, name="overdue"),
    path("engage/", views.engage, name="engage"),
    path("engage/enter/", views.engage_enter_view, name="engage-enter"),
    path("engage/<int:pk>/leave/", views.engage_leave_view, name="engage-leave"),
    # The report editor; pasting and importing findings are the imports app's (config/urls.py).
    path("reports/", reports.reports, name="reports"),
    path("reports/new/", reports.report_new, name="report-new"),
    path("reports/find/", reports.report_search, name="report-search"),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("reports/<int:pk>/details/", reports.report_details, name="report-details"),
    path("reports/<int:pk>/renumber/", reports.renumber, name="report-renumber"),
    path("reports/<int:pk>/schedule/", reports.schedule, name="report-schedule"),
    path("reports/<int:pk>/findings/new/", reports.finding_new, name="finding-new"),
    path("reports/<int:pk>/findings/<int:finding_pk>/", reports.finding_edit, name="finding"),
    path(
        "reports/<int:pk>/findings/<int:finding_pk>/remove/",
        reports.finding_remove,
        name="finding-remove",
    ),
    path(
        "reports/<int:pk>/findings/<int:finding_pk>/move/",
        reports.finding_reorder,
        name="finding-move",
    ),
    path("reports/<int:pk>/causes/new/", reports.cause_new, name="cause-new"),
    path("reports/<int:pk>/causes/<int:cause_pk>/", reports.cause_edit, name="cause"),
    path(
        "reports/<int:pk>/causes/<int:cause_pk>/remove/",
        reports.cause_remove,
        name="cause-remove",
    ),
]

# The factual-accuracy check (issue 11).
urlpatterns += [
    path("checks/", checks.checks, name="checks"),
    path("checks/new/<int:pk>/", checks.check_open, name="check-open"),
    path("checks/<int:pk>/", checks.check_detail, name="check"),
    path("checks/<int:pk>/close/", checks.check_close, name="check-close"),
]
