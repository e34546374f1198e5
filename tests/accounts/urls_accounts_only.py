"""Only the accounts pages and the public ones: none of the portal, workspace or reminders."""

from django.urls import include, path

from tests.browser.urls_base import public_urlpatterns

urlpatterns = [
    path("account/", include("accounts.urls")),
    path("", include((public_urlpatterns, "public"))),
]
