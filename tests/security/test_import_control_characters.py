"""A control character in an import cell is an error of the preview, naming the row and the
column, rather than a failure when the import is confirmed (PostgreSQL stores no NUL)."""

import pytest

from recommendations.models import Finding
from tests.imports.test_import import csv_file, preview


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_nul_in_a_cell_is_a_preview_error_naming_row_and_column(
    client, admin_user, inspection, met
):
    client.force_login(admin_user)

    response = preview(
        client,
        inspection,
        csv_file(
            "R1,Recommendation,Good.,,,metropolitan-police-service,,,",
            "R2,Recommendation,Bad\x00text.,,,metropolitan-police-service,,Within\x1bsix months,",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Row 3: The column “Text” contains a control character (such as a NUL byte) that "
        "cannot be stored: delete it from the cell." in html
    )
    assert "Row 3: The column “Deadline wording” contains a control character" in html
    assert "Row 2:" not in html
    assert 'name="_confirm"' not in html
    assert not Finding.objects.filter(inspection=inspection).exists()


def test_tabs_and_line_breaks_in_a_cell_are_kept(client, admin_user, inspection, met):
    client.force_login(admin_user)

    response = preview(
        client,
        inspection,
        csv_file('R1,Recommendation,"First line.\nSecond\tline.",,,metropolitan-police-service,,,'),
    )

    assert "control character" not in response.content.decode()
    assert 'name="_confirm"' in response.content.decode()
