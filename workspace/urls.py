from django.urls import path

from workspace import checks, views

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
]

# The factual-accuracy check (issue 11).
urlpatterns += [
    path("checks/", checks.checks, name="checks"),
    path("checks/new/<int:pk>/", checks.check_open, name="check-open"),
    path("checks/<int:pk>/", checks.check_detail, name="check"),
    path("checks/<int:pk>/close/", checks.check_close, name="check-close"),
]
