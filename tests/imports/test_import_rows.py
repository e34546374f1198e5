"""What the importer says of rows and files it cannot take, before anything is written; and
that a plan with problems writes nothing."""

import hashlib

import pytest

from audit.models import ActionLog
from core.errors import DomainError
from imports import services as importing
from recommendations.models import CauseOfConcern, Finding
from tests.imports.test_import import HEADER

MET = "metropolitan-police-service"


@pytest.fixture
def world(inspection, met, mopac, kent):
    return inspection


def plan_of(inspection, *rows, header=HEADER):
    data = ("\r\n".join([header, *rows]) + "\r\n").encode()
    read = importing.read_file(data, "findings.csv")
    return importing.plan_import(
        inspection=inspection,
        read=read,
        filename="findings.csv",
        sha256=hashlib.sha256(data).hexdigest(),
    )


LONG_REFERENCE = "R" * (importing.REFERENCE_MAX + 1)
LONG_CAUSE = "C" * (importing.COC_REFERENCE_MAX + 1)
LONG_WORDING = "w" * (importing.WORDING_MAX + 1)


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (f",Recommendation,Text.,,,{MET},,,", "The reference is empty."),
        (f"{LONG_REFERENCE},Recommendation,Text.,,,{MET},,,", "The reference is longer than"),
        (f"R5,,Text.,,,{MET},,,", "The kind is empty: Recommendation or Area for improvement."),
        (
            f"R5,Recommendation,Text.,,A cause with no reference.,{MET},,,",
            "A cause of concern text is given without its reference.",
        ),
        (
            f"R5,Recommendation,Text.,{LONG_CAUSE},A cause.,{MET},,,",
            "The cause of concern reference is longer than",
        ),
        (f"R5,Recommendation,Text.,,,{MET},,{LONG_WORDING},", "The deadline wording is longer"),
    ],
)
def test_a_row_that_will_not_do_is_refused_with_the_reason(world, row, says):
    plan = plan_of(world, row)

    (planned,) = plan.rows
    assert any(says in error for error in planned.errors), planned.errors
    assert not plan.is_valid


def test_one_cause_of_concern_has_one_text(world):
    plan = plan_of(
        world,
        f"R5,Recommendation,First.,CoC9,Custody is unsafe.,{MET},,,",
        f"R6,Recommendation,Second.,CoC9,Custody is not safe.,{MET},,,",
    )

    first, second = plan.rows
    assert not first.errors
    assert second.errors == ["CoC9 has another text on row 2: a cause of concern has one text."]


def test_a_cause_text_without_its_column_is_refused(world):
    header = "Reference,Kind,Text,Cause of concern text,Addressees"

    plan = plan_of(world, f"R5,Recommendation,Text.,Custody is unsafe.,{MET}", header=header)

    assert "needs its reference in a “Cause of concern” column" in plan.rows[0].errors[0]


def test_an_organisation_named_twice_is_addressed_once_with_a_warning(world, met):
    plan = plan_of(world, f"R5,Recommendation,Text.,,,{MET}; Metropolitan Police Service,,,")

    (row,) = plan.rows
    assert row.organisations == [met]
    assert row.warnings == ["Metropolitan Police Service is listed twice; it is addressed once."]
    assert not row.errors


def test_a_column_the_import_does_not_read_is_named_and_ignored(world):
    plan = plan_of(
        world, f"R5,Recommendation,Text.,{MET},red", header="Reference,Kind,Text,Addressees,Colour"
    )

    assert "The column “Colour” is not one import reads: it is ignored." in plan.warnings
    assert plan.is_valid


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"\xef\xbb\xbf \r\n", "findings.csv", "The file is empty"),
        (b"Reference,Kind\r\n", "findings.xlsx", "is named .xlsx but is not an Excel workbook"),
        (b"%PDF-1.7", "findings.pdf", "Upload a CSV file (UTF-8) or an Excel workbook"),
    ],
)
def test_a_file_that_is_not_a_findings_table_is_refused(data, name, says):
    with pytest.raises(importing.FileRefused) as refused:
        importing.read_file(data, name)

    assert says in str(refused.value)


def test_a_plan_with_problems_writes_nothing(world, admin_user):
    plan = plan_of(world, f"R5,Recommendation,Good.,,,{MET},,,", f"R6,,Bad.,,,{MET},,,")
    before = (Finding.objects.count(), CauseOfConcern.objects.count(), ActionLog.objects.count())

    with pytest.raises(DomainError, match=r"The file has problems: nothing was imported\."):
        importing.apply_import(plan=plan, user=admin_user)

    after = (Finding.objects.count(), CauseOfConcern.objects.count(), ActionLog.objects.count())
    assert after == before
