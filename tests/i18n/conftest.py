import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_between_requests():
    """The test client serves a request in the test's own thread, and Django leaves the request's
    language active after it: without this, a ``reverse()`` after a Welsh request would give a
    /cy/ address, and the next test would start in Welsh."""
    translation.activate("en-gb")
    yield
    translation.deactivate()
