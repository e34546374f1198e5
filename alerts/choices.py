from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a subscription follows."""

    ORGANISATION = "organisation", _("An organisation")
    INSPECTION = "inspection", _("An inspection")
    SEARCH = "search", _("A search")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily: one email on each day something changed")
    WEEKLY = "weekly", _("Weekly: one email a week, if something changed")


class ChangeKind(models.TextChoices):
    """The sections of a digest, in the order they appear."""

    REPORT = "report", _("Newly published reports")
    STATUS = "status", _("Status changes")
    DUE_DATE = "due_date", _("Due date changes")
    UPDATE = "update", _("Progress updates published by the organisations")


# An address that never confirms is deleted after this long, and the confirmation link dies
# with it: we keep no address we were not asked to keep.
UNCONFIRMED_KEEP = timedelta(days=settings.ALERTS_UNCONFIRMED_DAYS)

# Rate limits on the subscription form, so that it cannot be used to flood someone's inbox:
# confirmation emails to one address, and requests from one network address.
PER_ADDRESS_LIMIT = 3
PER_ADDRESS_WINDOW = timedelta(days=1)
PER_IP_LIMIT = 20
PER_IP_WINDOW = timedelta(hours=1)

# The stored search is the browse page's query string; longer ones are refused.
MAX_QUERY_LENGTH = 1000

# A digest lists this many changes of a kind at most, and links to the rest.
MAX_LISTED_PER_SECTION = 50
