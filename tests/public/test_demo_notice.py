"""The "Demo data" notice shows on the pages of demo records only, never on every page."""

import pytest

from inspections.models import Inspection

NOTICE = "Demo data:"


@pytest.mark.parametrize(
    "url",
    [
        "/inspections/met-custody-2025/",
        "/organisations/metropolitan-police-service/",
    ],
)
def test_an_imported_report_is_not_called_invented(client, public_world, url):
    assert NOTICE not in client.get(url).text
    assert "Demo data is invented" not in client.get(url).text


def test_a_demo_report_and_its_pages_say_so(client, public_world):
    Inspection.objects.filter(slug="met-custody-2025").update(is_demo=True)
    finding = public_world["recommendation"]

    for url in (
        "/inspections/met-custody-2025/",
        f"/recommendations/{finding.pk}/",
        "/organisations/metropolitan-police-service/",
    ):
        assert NOTICE in client.get(url).text, url
    # Not the pages that hold no record of their own.
    for url in ("/", "/about/", "/organisations/kent-police/"):
        assert NOTICE not in client.get(url).text, url
