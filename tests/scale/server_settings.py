"""The settings of the app servers that tests/scale/test_two_servers.py starts: production's,
except that pages render without a collectstatic run, as in every other test, and that
the workers may write their emails to files."""

import os

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The workers' emails go to files in this folder, where the test counts them.
if os.environ.get("TEST_EMAIL_DIR"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["TEST_EMAIL_DIR"]},
        }
    }
