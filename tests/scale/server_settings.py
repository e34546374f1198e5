"""The settings of the app servers that tests/scale/test_two_servers.py starts: production's,
except that pages render without a collectstatic run, as in every other test."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
