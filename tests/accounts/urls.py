"""A test URLconf: the accounts pages, stand-ins for the public pages, and stand-ins for the
pages of the portal, the workspace and the reminders that the navigation and the account page
link to, so these tests do not depend on those apps."""

from django.urls import include, path

from tests.browser.urls_base import page, public_urlpatterns


def stand_in(namespace, *names):
    """The first name at "", the others at "<name>/"."""
    first, *others = names
    patterns = [path("", page, name=first), *(path(f"{n}/", page, name=n) for n in others)]
    return include((patterns, namespace))


urlpatterns = [
    path("account/notifications/", stand_in("reminders", "preferences")),
    path("account/", include("accounts.urls")),
    path("portal/", stand_in("portal", "findings", "item")),
    path("workspace/", stand_in("workspace", "queue", "overdue")),
    path("", include((public_urlpatterns, "public"))),
]
