"""Import fixes found with real spreadsheets (issue 11): each test builds a real CSV or XLSX
file as Excel or a person leaves it, and reads what the preview would say."""

import io
from datetime import datetime

import openpyxl
import pytest

from imports import services as importing
from recommendations.choices import FindingKind
from recommendations.models import Finding
from tests.imports.test_import import HEADER, do_import, preview, xlsx_file

HEADERS = HEADER.split(",")


def csv_bytes(*rows, header=HEADER):
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def xlsx_bytes(rows, *, merge=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Findings"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def plan(inspection, data, name):
    return importing.read_and_plan(inspection=inspection, data=data, filename=name)


def errors(result):
    return [*result.problems, *(e for row in result.rows for e in row.errors)]


def row(reference, addressees="metropolitan-police-service", due="", kind="AFI"):
    return f"{reference},{kind},Some text.,,,{addressees},{due},,"


@pytest.fixture
def world(inspection, met, mopac, kent):
    return inspection


# Did you mean ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("MOPAC", "Mayor's Office for Policing and Crime"),
        ("Mayor’s Office for Policing & Crime", "Mayor's Office for Policing and Crime"),
        ("Kent Police & Crime Commissioner", "Kent Police and Crime Commissioner"),
        ("Kent Polic", "Kent Police"),
        ("Metropolitan Police", "Metropolitan Police Service"),
    ],
)
def test_an_unknown_organisation_gets_did_you_mean(world, written, meant):
    result = plan(world, csv_bytes(row("AFI1", f'"{written}"')), "findings.csv")

    (error,) = errors(result)
    assert error.startswith(f"Unknown organisation “{written}”")
    assert f"Did you mean “{meant}”" in error


def test_an_organisation_with_nothing_near_gets_no_guess(world):
    result = plan(world, csv_bytes(row("AFI1", "Ministry of Magic")), "findings.csv")

    (error,) = errors(result)
    assert "Did you mean" not in error


def test_the_suggestion_shows_in_the_admin_preview(client, admin_user, world):
    client.force_login(admin_user)
    upload = xlsx_file([HEADERS, ["AFI1", "AFI", "Text.", "", "", "MOPAC", "", "", ""]])

    html = preview(client, world, upload).content.decode()

    assert "Did you mean “Mayor&#x27;s Office for Policing and Crime”" in html
    assert not Finding.objects.filter(inspection=world, reference="AFI1").exists()


# References --------------------------------------------------------------------------------


def test_references_are_unique_whatever_their_case(world):
    result = plan(world, csv_bytes(row("R2"), row("r2")), "findings.csv")

    assert errors(result) == [
        "Duplicate reference: “r2” is already on row 2 (“R2”: references ignore case)."
    ]


def test_a_reference_differing_in_case_from_the_reports_is_refused(world, recommendation):
    result = plan(world, csv_bytes(row("r1", kind="Recommendation")), "findings.csv")

    assert errors(result) == [
        "The report already has “R1”: references ignore case, so write “R1” to update it, "
        "or choose another reference."
    ]


def test_a_reference_excel_turned_into_a_date_is_flagged(world):
    data = xlsx_bytes(
        [HEADERS, [datetime(2024, 4, 1), "AFI", "Text.", "", "", "kent-police", "", "", ""]]
    )

    (error,) = errors(plan(world, data, "findings.xlsx"))

    assert error.startswith("The reference “2024-04-01” is a date")
    assert "“004/24”" in error


def test_a_date_reference_saved_as_csv_is_flagged(world):
    (error,) = errors(plan(world, csv_bytes(row("01/04/2024")), "findings.csv"))

    assert error.startswith("The reference “01/04/2024” is a date")


# Headers -----------------------------------------------------------------------------------


def test_a_blank_header_over_data_is_named(world):
    header = [*HEADERS[:8], "", HEADERS[8]]
    data = xlsx_bytes(
        [
            header,
            ["AFI1", "AFI", "Text.", "", "", "kent-police", "", "", "Owner: Sam", "custody"],
        ]
    )

    result = plan(world, data, "findings.xlsx")

    assert result.problems == [
        "Column I has no header (its header cell is empty or merged with another) but holds "
        "data on row 2: give it one of the column names (" + ", ".join(importing.HEADERS) + "), "
        "or delete its contents, then upload the file again."
    ]
    assert not result.is_valid


def test_a_merged_header_over_two_columns_names_the_second(world):
    header = [*HEADERS[:6], "Due date", None, *HEADERS[7:]]
    data = xlsx_bytes(
        [header, ["AFI1", "AFI", "Text.", "", "", "kent-police", "2026-03-31", "31 March", "", ""]],
        merge="G1:H1",
    )

    result = plan(world, data, "findings.xlsx")

    assert [p[:36] for p in result.problems] == ["Column H has no header (its header c"]


def test_data_beyond_the_header_row_is_named(world):
    data = csv_bytes(row("AFI1") + ",stray note")

    result = plan(world, data, "findings.csv")

    assert result.problems and result.problems[0].startswith("Column J has no header")


def test_a_blank_header_over_an_empty_column_is_fine(world):
    header = [*HEADERS, ""]
    data = xlsx_bytes([header, ["AFI1", "AFI", "Text.", "", "", "kent-police", "", "", "", ""]])

    assert plan(world, data, "findings.xlsx").is_valid


# Spreadsheet errors ------------------------------------------------------------------------


def test_an_error_cell_of_a_workbook_is_refused(world):
    data = xlsx_bytes([HEADERS, ["AFI1", "AFI", "=NA()", "", "", "kent-police", "", "", ""]])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    # As Excel saves a failed lookup: a cached error value, not a formula.
    workbook.active["C2"].value = "#N/A"
    workbook.active["C2"].data_type = "e"
    out = io.BytesIO()
    workbook.save(out)

    (error,) = errors(plan(world, out.getvalue(), "findings.xlsx"))

    assert error.startswith("The column “Text” holds the spreadsheet error “#N/A”")


@pytest.mark.parametrize("shown", ["#N/A", "#REF!", "#VALUE!", "#div/0!"])
def test_an_error_value_saved_as_csv_is_refused(world, shown):
    result = plan(world, csv_bytes(f"AFI1,AFI,{shown},,,kent-police,,,"), "findings.csv")

    (error,) = errors(result)
    assert "holds the spreadsheet error" in error


# Dates written month first -----------------------------------------------------------------


def test_ambiguous_dates_are_flagged_in_a_file_with_month_first_dates(world):
    data = csv_bytes(row("AFI1", due="03/31/2026"), row("AFI2", due="03/04/2026"))

    result = plan(world, data, "findings.csv")

    first, second = result.rows
    assert first.errors == [
        "“03/31/2026” is written month first (MM/DD/YYYY): write the due dates as YYYY-MM-DD "
        "(2026-03-31), then upload the file again."
    ]
    assert second.errors == [
        "“03/04/2026” could be 3 April or 4 March: other dates in this file (row 2) are "
        "written month first. Write the due dates as YYYY-MM-DD (2026-03-31), then upload the "
        "file again."
    ]


def test_day_first_dates_alone_are_read_day_first(client, admin_user, world):
    client.force_login(admin_user)
    data = csv_bytes(row("AFI1", due="31/03/2026"), row("AFI2", due="03/04/2026"))
    result = plan(world, data, "findings.csv")
    assert result.is_valid

    from django.core.files.uploadedfile import SimpleUploadedFile

    do_import(client, world, SimpleUploadedFile("findings.csv", data, content_type="text/csv"))

    afi2 = Finding.objects.get(inspection=world, reference="AFI2")
    assert afi2.kind == FindingKind.AREA_FOR_IMPROVEMENT
    assert afi2.due_date.isoformat() == "2026-04-03"
