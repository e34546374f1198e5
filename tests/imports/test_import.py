"""Bulk import and export of an inspection's findings in the admin: every bad file is refused
with its message and changes nothing; a confirmed import saves everything or nothing; the same
file imported twice updates rather than duplicates; export, import and export again round-trip.
"""

import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import ActionLog
from imports import services as importing
from imports.admin import SESSION_KEY
from inspections.choices import OrganisationKind
from inspections.models import Inspection, Organisation
from inspections.services import organisation_set_successor
from recommendations.choices import FindingKind, Status
from recommendations.models import CauseOfConcern, Finding, Item, StatusChange, Theme
from recommendations.services import (
    finding_add_addressees,
    finding_update,
    item_set_due_date,
    item_start,
)

HEADER = "Reference,Kind,Text,Cause of concern,Cause of concern text,Addressees,Due date,Deadline wording,Themes"  # noqa: E501


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def themes(db):
    return [
        Theme.objects.create(slug="custody", name="Custody"),
        Theme.objects.create(slug="use-of-force", name="Use of force"),
        Theme.objects.create(slug="mental-health", name="Mental health"),
    ]


@pytest.fixture
def world(inspection, met, mopac, kent, themes):
    return inspection


def csv_file(*rows, header=HEADER, name="findings.csv", bom=True, encoding="utf-8"):
    text = "\r\n".join([header, *rows]) + "\r\n"
    data = text.encode(encoding)
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_file(rows, name="findings.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Findings"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


GOOD_ROWS = (
    "R1,Recommendation,The force and MOPAC should improve the governance of the use of force.,"
    "CoC1,Governance and oversight of the use of force is poor.,"
    "metropolitan-police-service; Mayor's Office for Policing and Crime,2026-03-31,"
    "By 31 March 2026,use-of-force; Custody",
    "AFI1,area for improvement,Pre-release risk assessments lack detail.,,,"
    "metropolitan-police-service,30/9/2026,Within six months,custody",
    'AFI2,AFI,"Detainees wait, too long, for ""appropriate adults"".",,,'
    "METROPOLITAN POLICE SERVICE,,,",
)


def import_url(inspection):
    return reverse("admin:inspections_inspection_import_findings", args=[inspection.pk])


def export_url(inspection, fmt):
    return reverse("admin:inspections_inspection_export_findings", args=[inspection.pk, fmt])


def preview(client, inspection, upload):
    return client.post(import_url(inspection), {"file": upload, "_preview": "1"})


def confirm_fields(response):
    html = response.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)
    digest = re.search(r'name="digest" value="([^"]+)"', html)
    assert token and digest, "the preview offers no confirmation"
    return {"token": token.group(1), "digest": digest.group(1), "_confirm": "1"}


def do_import(client, inspection, upload):
    shown = preview(client, inspection, upload)
    assert shown.status_code == 200, shown.content.decode()
    done = client.post(import_url(inspection), confirm_fields(shown))
    assert done.status_code == 302, done.content.decode()
    return shown


def snapshot():
    return {
        "findings": Finding.objects.count(),
        "items": Item.objects.count(),
        "causes": CauseOfConcern.objects.count(),
        "log": ActionLog.objects.count(),
        "history": StatusChange.objects.count(),
        "texts": sorted(Finding.objects.values_list("reference", "text")),
    }


# A whole import, through the admin ------------------------------------------------------------


def test_preview_shows_every_row_and_saves_nothing(client, admin_user, world):
    client.force_login(admin_user)
    before = snapshot()
    response = preview(client, world, csv_file(*GOOD_ROWS))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>3</strong> new findings" in html
    for number, reference in [(2, "R1"), (3, "AFI1"), (4, "AFI2")]:
        assert f'id="row-{number}"' in html
        assert f"<td>{reference}</td>" in html
    assert "creates the cause of concern CoC1" in html
    assert "Confirm and import 3 rows" in html
    assert snapshot() == before


def test_confirmed_import_creates_findings_addressees_themes_and_causes(
    client, admin_user, world, met, mopac
):
    client.force_login(admin_user)
    do_import(client, world, csv_file(*GOOD_ROWS))
    r1 = Finding.objects.get(inspection=world, reference="R1")
    assert r1.kind == FindingKind.RECOMMENDATION
    assert r1.cause_of_concern.reference == "CoC1"
    assert r1.cause_of_concern.text == "Governance and oversight of the use of force is poor."
    assert r1.due_date == date(2026, 3, 31)
    assert r1.deadline_wording == "By 31 March 2026"
    assert sorted(r1.themes.values_list("slug", flat=True)) == ["custody", "use-of-force"]
    assert {a.organisation for a in r1.items.all()} == {met, mopac}
    assert {a.status for a in r1.items.all()} == {Status.OPEN}
    assert {a.due_date for a in r1.items.all()} == {date(2026, 3, 31)}
    afi1 = Finding.objects.get(inspection=world, reference="AFI1")
    assert afi1.kind == FindingKind.AREA_FOR_IMPROVEMENT
    assert afi1.due_date == date(2026, 9, 30)
    afi2 = Finding.objects.get(inspection=world, reference="AFI2")
    assert afi2.text == 'Detainees wait, too long, for "appropriate adults".'
    assert afi2.due_date is None
    assert afi2.position == afi1.position + 1
    assert list(afi2.addressees.all()) == [met]
    assert not StatusChange.objects.exists()
    actions = set(ActionLog.objects.values_list("action", flat=True))
    assert {
        "recommendations.finding.imported",
        "recommendations.assignment.created",
        "recommendations.cause_of_concern.imported",
        "recommendations.inspection.findings_imported",
    } <= actions
    summary = ActionLog.objects.get(action="recommendations.inspection.findings_imported")
    assert summary.actor == admin_user
    assert summary.data["new"] == 3


def test_success_message_and_the_stored_upload_is_gone(client, admin_user, world, tmp_path):
    client.force_login(admin_user)
    shown = preview(client, world, csv_file(*GOOD_ROWS))
    assert list((tmp_path / "imports").iterdir())
    done = client.post(import_url(world), confirm_fields(shown), follow=True)
    assert "Imported findings.csv: 3 new, 0 updated, 0 unchanged." in done.content.decode()
    assert not list((tmp_path / "imports").iterdir())
    assert client.session[SESSION_KEY] == {}


def test_importing_the_same_file_twice_changes_nothing(client, admin_user, world):
    client.force_login(admin_user)
    do_import(client, world, csv_file(*GOOD_ROWS))
    before = snapshot()
    again = preview(client, world, csv_file(*GOOD_ROWS))
    assert "<strong>0</strong> new findings" in again.content.decode()
    assert "<strong>3</strong> unchanged" in again.content.decode()
    client.post(import_url(world), confirm_fields(again))
    after = snapshot()
    assert after["log"] == before["log"] + 1  # Only the import's own summary.
    assert {k: v for k, v in after.items() if k != "log"} == {
        k: v for k, v in before.items() if k != "log"
    }


def test_a_changed_file_updates_rather_than_duplicates(client, admin_user, world, met, mopac, kent):
    client.force_login(admin_user)
    do_import(client, world, csv_file(*GOOD_ROWS))
    r1 = Finding.objects.get(reference="R1")
    met_item = r1.items.get(organisation=met)
    mopac_item = r1.items.get(organisation=mopac)
    item_start(item=met_item, note="Started.")
    item_set_due_date(item=mopac_item, due_date=date(2026, 6, 30), reason="Agreed with MOPAC.")
    history = StatusChange.objects.count()

    changed = (
        "R1,Recommendation,The force should improve the governance of the use of force.,"
        "CoC1,Governance and oversight of the use of force is poor.,"
        "metropolitan-police-service; kent-police,2026-04-30,By 30 April 2026,use-of-force",
        *GOOD_ROWS[1:],
        "R2,Recommendation,A new one.,,,kent-police,,,",
    )
    shown = preview(client, world, csv_file(*changed))
    html = shown.content.decode()
    assert "<strong>1</strong> new finding" in html
    assert "<strong>1</strong> updated" in html
    assert "<strong>2</strong> unchanged" in html
    assert "text changed" in html
    assert "due date: 2026-03-31 → 2026-04-30" in html
    assert "+ addressee Kent Police" in html
    assert "themes: - custody" in html
    assert "import never removes an addressee" in html
    assert "Due dates of their own stay as they are for Mayor&#x27;s Office" in html
    client.post(import_url(world), confirm_fields(shown))

    assert Finding.objects.filter(inspection=world).count() == 4
    r1.refresh_from_db()
    assert r1.text == "The force should improve the governance of the use of force."
    assert r1.due_date == date(2026, 4, 30)
    assert list(r1.themes.values_list("slug", flat=True)) == ["use-of-force"]
    items = {a.organisation.slug: a for a in r1.items.select_related("organisation")}
    assert set(items) == {
        "metropolitan-police-service",
        "mayors-office-for-policing-and-crime",
        "kent-police",
    }
    # Statuses never change by import; the finding's date moves, an agreed one stays.
    assert items["metropolitan-police-service"].status == Status.IN_PROGRESS
    assert items["metropolitan-police-service"].due_date == date(2026, 4, 30)
    assert items["mayors-office-for-policing-and-crime"].due_date == date(2026, 6, 30)
    assert items["kent-police"].status == Status.OPEN
    assert items["kent-police"].due_date == date(2026, 4, 30)
    assert StatusChange.objects.count() == history
    log = ActionLog.objects.filter(action="recommendations.finding.updated").get()
    assert log.data["fields"]["due_date"] == {"from": "2026-03-31", "to": "2026-04-30"}
    assert log.data["fields"]["themes"] == {
        "from": ["custody", "use-of-force"],
        "to": ["use-of-force"],
    }
    assert log.data["reason"] == "import of findings.csv"
    assert log.actor == admin_user


def test_addressees_that_follow_the_due_date_are_logged_with_the_import(
    client, admin_user, world, met
):
    client.force_login(admin_user)
    do_import(client, world, csv_file(*GOOD_ROWS))
    moved = GOOD_ROWS[1].replace("30/9/2026", "31/10/2026")
    do_import(client, world, csv_file(GOOD_ROWS[0], moved, GOOD_ROWS[2]))
    item = Item.objects.get(finding__reference="AFI1", organisation=met)
    assert item.due_date == date(2026, 10, 31)
    assert item.version == 2
    log = ActionLog.objects.for_object(item).get()
    assert log.action == "recommendations.assignment.due_date_changed"
    assert log.data == {
        "from": "2026-09-30",
        "to": "2026-10-31",
        "reason": "import of findings.csv",
        "source": "import",
        "was_overdue": date(2026, 9, 30) < timezone.localdate(),
    }
    change = item.due_date_changes.get()
    assert (change.from_date, change.to_date, change.source, change.reason) == (
        date(2026, 9, 30),
        date(2026, 10, 31),
        "import",
        "import of findings.csv",
    )


def test_a_recommendation_with_section_55_statements_stays_one(client, admin_user, world, mopac):
    from recommendations.models import Section55Response

    client.force_login(admin_user)
    do_import(client, world, csv_file(*GOOD_ROWS))
    response = Section55Response.objects.create(inspection=world, local_policing_body=mopac)
    response.statements.create(
        finding=Finding.objects.get(reference="R1"), action="will_be_taken", text="We will."
    )
    demoted = (
        GOOD_ROWS[0]
        .replace(",Recommendation,", ",Area for improvement,")
        .replace("CoC1,Governance and oversight of the use of force is poor.", ",")
    )
    before = snapshot()
    shown = preview(client, world, csv_file(demoted, *GOOD_ROWS[1:]))
    assert "Row 2: R1 has section 55 statements, so it stays a recommendation." in (
        shown.content.decode()
    )
    assert snapshot() == before


def test_an_optional_column_left_out_leaves_the_field_alone(client, admin_user, world):
    client.force_login(admin_user)
    do_import(client, world, csv_file(*GOOD_ROWS))
    shown = preview(
        client,
        world,
        csv_file(
            "R1,Recommendation,New words.,metropolitan-police-service",
            header="Reference,Kind,Text,Addressees",
        ),
    )
    assert "<strong>1</strong> updated" in shown.content.decode()
    client.post(import_url(world), confirm_fields(shown))
    r1 = Finding.objects.get(reference="R1")
    assert r1.text == "New words."
    assert r1.due_date == date(2026, 3, 31)
    assert r1.cause_of_concern.reference == "CoC1"
    assert r1.themes.count() == 2


def test_kind_spellings_and_organisation_names(client, admin_user, world, met, mopac):
    mopac.name_cy = "Swyddfa'r Maer"
    mopac.save()
    client.force_login(admin_user)
    do_import(
        client,
        world,
        csv_file(
            "A,rec,One.,,,Metropolitan Police Service,,,",
            "B,Recommendations,Two.,,,swyddfa'r maer,,,",
            "C,area_for_improvement,Three.,,,metropolitan-police-service,,,",
            "D,Areas for Improvement,Four.,,,metropolitan-police-service,,,",
            bom=False,
        ),
    )
    kinds = dict(Finding.objects.values_list("reference", "kind"))
    assert kinds == {
        "A": FindingKind.RECOMMENDATION,
        "B": FindingKind.RECOMMENDATION,
        "C": FindingKind.AREA_FOR_IMPROVEMENT,
        "D": FindingKind.AREA_FOR_IMPROVEMENT,
    }
    assert list(Finding.objects.get(reference="B").addressees.all()) == [mopac]


def test_semicolon_separated_csv_from_a_european_excel(client, admin_user, world):
    client.force_login(admin_user)
    header = HEADER.replace(",", ";")
    do_import(
        client,
        world,
        csv_file("R5;Recommendation;Text, with a comma.;;;kent-police;;;", header=header),
    )
    assert Finding.objects.get(reference="R5").text == "Text, with a comma."


def test_a_ceased_organisation_is_addressed_as_named_with_a_warning(
    client, admin_user, world, kent
):
    old = Organisation.objects.create(
        slug="old-force", name="Old Force", kind=OrganisationKind.POLICE_FORCE
    )
    organisation_set_successor(organisation=old, successor=kent, ceased_on=date(2022, 2, 1))
    client.force_login(admin_user)
    shown = do_import(client, world, csv_file("R7,Recommendation,Old.,,,old-force,,,"))
    assert (
        "Old Force ceased on 01 February 2022: the finding is addressed to it as the report "
        "was, and its tracking follows Kent Police." in shown.content.decode()
    )
    assert list(Finding.objects.get(reference="R7").addressees.all()) == [old]


def test_a_real_sized_report_imports_in_one_go(client, admin_user, world, met, mopac, kent):
    """A custody report: 2 causes of concern, 4 recommendations to the force and MOPAC and 30
    areas for improvement, several to more than one body, as an Excel workbook."""
    rows = [importing.HEADERS]
    for n in range(1, 5):
        rows.append(
            [
                f"R{n}",
                "Recommendation",
                f"Recommendation {n} of the report.",
                f"CoC{(n + 1) // 2}",
                f"Cause of concern {(n + 1) // 2}.",
                "metropolitan-police-service; mayors-office-for-policing-and-crime",
                date(2026, 2, n),
                "Within six months",
                "custody; use-of-force",
            ]
        )
    for n in range(1, 31):
        addressees = "metropolitan-police-service" + ("; kent-police" if n % 3 == 0 else "")
        rows.append(
            [
                f"AFI{n}",
                "Area for improvement",
                f"Area {n}.",
                None,
                None,
                addressees,
                None,
                None,
                "custody",
            ]
        )
    client.force_login(admin_user)
    shown = do_import(client, world, xlsx_file(rows))
    assert "<strong>34</strong> new findings" in shown.content.decode()
    assert Finding.objects.filter(inspection=world).count() == 34
    assert CauseOfConcern.objects.filter(inspection=world).count() == 2
    assert Item.objects.filter(finding__inspection=world).count() == 4 * 2 + 30 + 10
    assert Finding.objects.get(reference="R3").due_date == date(2026, 2, 3)
    assert Finding.objects.get(reference="R4").cause_of_concern.reference == "CoC2"


# Every kind of bad file: its message, and nothing changed -------------------------------------

LATIN1 = (HEADER + "\r\nR1,Recommendation,Caf\xe9 culture.,,,kent-police,,,\r\n").encode("latin-1")

BAD_FILES = {
    "unknown organisation": (
        csv_file("R1,Recommendation,Text.,,,kent-police; Gotham City Police,,,"),
        "Row 2: Unknown organisation “Gotham City Police”",
    ),
    "duplicate reference": (
        csv_file(
            "R1,Recommendation,Text.,,,kent-police,,,",
            "R2,Recommendation,Text.,,,kent-police,,,",
            "R1,Recommendation,Again.,,,kent-police,,,",
        ),
        "Row 4: Duplicate reference: “R1” is already on row 2.",
    ),
    "bad date": (
        csv_file("R1,Recommendation,Text.,,,kent-police,31/02/2026,,"),
        "Row 2: “31/02/2026” is not a date",
    ),
    "unknown date format": (
        csv_file("R1,Recommendation,Text.,,,kent-police,March 2026,,"),
        "Row 2: “March 2026” is not a date",
    ),
    "unknown kind": (
        csv_file("R1,Observation,Text.,,,kent-police,,,"),
        "Row 2: Unknown kind “Observation”",
    ),
    "missing required column": (
        csv_file("R1,Recommendation,Text.", header="Reference,Kind,Text"),
        "Row 1: the required column “Addressees” is missing.",
    ),
    "cause of concern on an area for improvement": (
        csv_file("AFI1,Area for improvement,Text.,CoC1,Poor.,kent-police,,,"),
        "Row 2: An area for improvement cannot answer a cause of concern (CoC1)",
    ),
    "unknown cause of concern": (
        csv_file("R1,Recommendation,Text.,CoC9,,kent-police,,,"),
        "Row 2: This inspection has no cause of concern “CoC9”",
    ),
    "unknown theme": (
        csv_file("R1,Recommendation,Text.,,,kent-police,,,Astrology"),
        "Row 2: Unknown theme “Astrology”",
    ),
    "no addressee": (
        csv_file("R1,Recommendation,Text.,,,,,,"),
        "Row 2: No addressee",
    ),
    "empty text": (
        csv_file("R1,Recommendation,,,,kent-police,,,"),
        "Row 2: The text is empty.",
    ),
    "the template's example row": (
        SimpleUploadedFile("t.csv", importing.template_csv()),
        "Row 2: This is the template&#x27;s example row: delete it.",
    ),
    "wrong encoding": (
        SimpleUploadedFile("findings.csv", LATIN1),
        "The file is not UTF-8 text: row 2 has a byte UTF-8 does not allow (0xE9, byte "
        f"{LATIN1.index(b'\xe9') + 1} of the file)",
    ),
    "UTF-16": (
        SimpleUploadedFile("findings.csv", ("\ufeff" + HEADER).encode("utf-16-le")),
        "The file is UTF-16 text, not UTF-8.",
    ),
    "empty file": (SimpleUploadedFile("findings.csv", b""), "The file is empty"),
    "blank lines only": (
        SimpleUploadedFile("findings.csv", b"\xef\xbb\xbf\r\n \r\n"),
        "The file is empty",
    ),
    "header only": (csv_file(), "The file has a header row but no findings below it."),
    "old Excel": (
        SimpleUploadedFile("findings.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
        "This is an old Excel file (.xls).",
    ),
    "not really xlsx": (
        SimpleUploadedFile("findings.xlsx", b"Reference,Kind\r\n"),
        "This file is named .xlsx but is not an Excel workbook.",
    ),
    "broken xlsx": (
        SimpleUploadedFile("findings.xlsx", b"PK\x03\x04 not a zip at all"),
        "The file is not a readable Excel workbook (.xlsx).",
    ),
    "formula in xlsx": (
        xlsx_file([importing.HEADERS, ["R1", "Recommendation", "=A1&A1", None, None, "kent"]]),
        "Row 2 has a formula (C2)",
    ),
    "duplicate column": (
        csv_file(
            "R1,Recommendation,Text.,kent-police,x", header="Reference,Kind,Text,Addressees,Text"
        ),
        "Row 1: the column “Text” appears twice.",
    ),
    "header not on row 1": (
        csv_file(HEADER, "R1,Recommendation,Text.,,,kent-police,,,", header=""),
        "Row 1 must be the header row",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_a_bad_file_gives_its_message_and_changes_nothing(client, admin_user, world, case):
    upload, message = BAD_FILES[case]
    upload.seek(0)
    client.force_login(admin_user)
    before = snapshot()
    response = preview(client, world, upload)
    html = response.content.decode()
    assert message in html
    assert 'name="_confirm"' not in html
    assert snapshot() == before
    assert client.session.get(SESSION_KEY, {}) == {}


def test_every_problem_of_every_row_is_listed(client, admin_user, world):
    client.force_login(admin_user)
    response = preview(
        client,
        world,
        csv_file(
            "R1,Recommendation,Good.,,,kent-police,,,",
            "R2,Opinion,,,,Nowhere,2026-13-01,,",
            "R1,Recommendation,Twice.,,,kent-police,,,",
        ),
    )
    html = response.content.decode()
    for problem in [
        "Row 3: Unknown kind “Opinion”",
        "Row 3: The text is empty.",
        "Row 3: Unknown organisation “Nowhere”",
        "Row 3: “2026-13-01” is not a date",
        "Row 4: Duplicate reference",
    ]:
        assert problem in html
    assert "The file has 5 problems" in html
    assert "<strong>1</strong> new finding" in html
    assert "<strong>2</strong> rows with problems" in html


def test_too_many_rows_are_refused_while_reading(client, admin_user, world, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [f"R{n},Recommendation,Text.,,,kent-police,,," for n in range(5)]
    client.force_login(admin_user)
    before = snapshot()
    response = preview(client, world, csv_file(*rows))
    assert "The file has more than 3 rows below the header (row 5 is beyond the limit)" in (
        response.content.decode()
    )
    assert snapshot() == before


def test_too_many_rows_in_a_workbook(client, admin_user, world, settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = [importing.HEADERS] + [
        [f"R{n}", "Recommendation", "Text.", None, None, "kent-police"] for n in range(3)
    ]
    client.force_login(admin_user)
    response = preview(client, world, xlsx_file(rows))
    assert "more than 2 rows below the header" in response.content.decode()


def test_a_too_large_file_is_dropped_while_uploading(client, admin_user, world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    rows = [f"R{n},Recommendation,{'Long text. ' * 10},,,kent-police,,," for n in range(20)]
    client.force_login(admin_user)
    before = snapshot()
    response = preview(client, world, csv_file(*rows))
    assert response.status_code == 413
    assert "The file is too large: the limit is" in response.content.decode()
    assert snapshot() == before
    assert not default_storage.exists("imports") or not default_storage.listdir("imports")[1]


def test_a_workbook_that_would_unpack_to_far_more_is_refused(client, admin_user, world, settings):
    import zipfile

    settings.IMPORT_MAX_BYTES = 20_000
    upload = xlsx_file([importing.HEADERS, ["R1", "Recommendation", "Text.", None, None, "kent"]])
    data = io.BytesIO(upload.read())
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", "<a/>" * 100_000)  # 400 KB, a few hundred bytes zipped
    assert len(data.getvalue()) < settings.IMPORT_MAX_BYTES
    client.force_login(admin_user)
    before = snapshot()
    response = preview(client, world, SimpleUploadedFile("bomb.xlsx", data.getvalue()))
    assert "The workbook unpacks to far more than its size" in response.content.decode()
    assert snapshot() == before


def test_reading_refuses_a_file_over_the_limit_before_parsing(settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(importing.FileRefused, match="too large"):
        importing.read_file(b"x" * 11, "a.csv")


# Confirmation cannot be tampered with ---------------------------------------------------------


def test_confirm_with_an_unknown_token_is_refused(client, admin_user, world):
    client.force_login(admin_user)
    preview(client, world, csv_file(*GOOD_ROWS))
    before = snapshot()
    response = client.post(
        import_url(world), {"token": "forged", "digest": "0" * 64, "_confirm": "1"}
    )
    assert response.status_code == 400
    assert "This preview is no longer valid" in response.content.decode()
    assert snapshot() == before


def test_confirm_with_a_changed_digest_is_refused(client, admin_user, world):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    before = snapshot()
    response = client.post(import_url(world), {**fields, "digest": "f" * 64})
    assert response.status_code == 400
    assert "does not match the latest preview" in response.content.decode()
    assert snapshot() == before


def test_a_file_sent_with_the_confirmation_is_ignored(client, admin_user, world):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    other = csv_file("EVIL,Recommendation,Tampered.,,,kent-police,,,")
    response = client.post(import_url(world), {**fields, "file": other})
    assert response.status_code == 302
    assert not Finding.objects.filter(reference="EVIL").exists()
    assert Finding.objects.filter(inspection=world).count() == 3


def test_a_stored_upload_changed_after_the_preview_is_refused(client, admin_user, world):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    stored = client.session[SESSION_KEY][fields["token"]]["file"]
    path = default_storage.path(stored)
    with open(path, "ab") as handle:
        handle.write(b"EVIL,Recommendation,Tampered.,,,kent-police,,,\r\n")
    before = snapshot()
    response = client.post(import_url(world), fields)
    assert response.status_code == 400
    assert "has changed since the preview" in response.content.decode()
    assert snapshot() == before


def test_a_preview_of_another_inspection_cannot_be_confirmed_here(
    client, admin_user, world, custody, hmicfrs
):
    other = Inspection.objects.create(
        title="Another", slug="another", programme=custody, lead_inspectorate=hmicfrs
    )
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    response = client.post(import_url(other), fields)
    assert response.status_code == 400
    assert not Finding.objects.filter(inspection__in=[world, other]).exists()


def test_another_persons_preview_cannot_be_confirmed(client, admin_user, world, db):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    other_admin = User.objects.create_superuser(username="other-admin", password="pw-other-1")
    client.force_login(other_admin)
    response = client.post(import_url(world), fields)
    assert response.status_code == 400
    assert not Finding.objects.filter(inspection=world).exists()


def test_a_change_since_the_preview_is_refused_with_a_new_preview(client, admin_user, world, kent):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    # Someone adds AFI1 by hand in between: the file's AFI1 would now update it instead.
    afi = Finding.objects.create(
        inspection=world, kind=FindingKind.AREA_FOR_IMPROVEMENT, reference="AFI1", text="Typed."
    )
    finding_add_addressees(finding=afi, organisations=[kent])
    before = snapshot()
    response = client.post(import_url(world), fields)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since the preview" in html
    assert "<strong>2</strong> new findings" in html
    assert "<strong>1</strong> updated" in html
    assert snapshot() == before
    # The new preview can be confirmed.
    done = client.post(import_url(world), confirm_fields(response))
    assert done.status_code == 302
    assert Finding.objects.filter(inspection=world).count() == 3
    assert Finding.objects.get(pk=afi.pk).text == "Pre-release risk assessments lack detail."


def test_the_import_form_still_needs_its_csrf_token(admin_user, world):
    """The view checks CSRF itself (after limiting the upload's size), not the middleware."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = snapshot()
    response = preview(client, world, csv_file(*GOOD_ROWS))
    assert response.status_code == 403
    assert snapshot() == before
    page = client.get(import_url(world))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = client.post(
        import_url(world),
        {"file": csv_file(*GOOD_ROWS), "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 200
    assert "Confirm and import 3 rows" in response.content.decode()


def test_a_preview_is_confirmed_only_once(client, admin_user, world):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    assert client.post(import_url(world), fields).status_code == 302
    before = snapshot()
    again = client.post(import_url(world), fields)
    assert again.status_code == 400
    assert snapshot() == before


def test_cancel_forgets_the_upload(client, admin_user, world, tmp_path):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    response = client.post(import_url(world), {"token": fields["token"], "_cancel": "1"})
    assert response.status_code == 302
    assert not list((tmp_path / "imports").iterdir())
    assert client.post(import_url(world), fields).status_code == 400


def test_a_failure_while_saving_saves_nothing(client, admin_user, world, monkeypatch):
    client.force_login(admin_user)
    fields = confirm_fields(preview(client, world, csv_file(*GOOD_ROWS)))
    real = importing.findings_add_addressees
    written = []

    def fail_after_the_addressees(**kwargs):
        real(**kwargs)
        written.append(Finding.objects.filter(inspection=world).count())
        raise importing.DomainError("The database went away.")

    monkeypatch.setattr(importing, "findings_add_addressees", fail_after_the_addressees)
    before = snapshot()
    response = client.post(import_url(world), fields)
    assert response.status_code == 409
    assert "Nothing was imported: The database went away." in response.content.decode()
    assert written == [3]  # The findings were written, then rolled back with the rest.
    assert snapshot() == before


# Permissions ----------------------------------------------------------------------------------


@pytest.fixture
def staff_without_permissions(hmicfrs):
    # An inspector of the report's inspectorate, so only the model permissions differ.
    return User.objects.create_user(
        username="clerk", password="pw-clerk-1", is_staff=True, inspectorate=hmicfrs
    )


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


def test_staff_without_permission_on_findings_get_403(client, staff_without_permissions, world):
    user = grant(staff_without_permissions, "view_inspection", "change_inspection")
    client.force_login(user)
    template = reverse("admin:inspections_inspection_import_template", args=["csv"])
    assert client.get(import_url(world)).status_code == 403
    assert client.get(template).status_code == 403
    before = snapshot()
    assert preview(client, world, csv_file(*GOOD_ROWS)).status_code == 403
    assert snapshot() == before
    assert client.get(export_url(world, "csv")).status_code == 403
    page = client.get(reverse("admin:inspections_inspection_change", args=[world.pk]))
    assert "Import findings" not in page.content.decode()
    assert "Export findings" not in page.content.decode()


def test_staff_who_may_only_view_findings_may_export_not_import(
    client, staff_without_permissions, world
):
    user = grant(staff_without_permissions, "view_inspection", "view_finding")
    client.force_login(user)
    assert client.get(export_url(world, "csv")).status_code == 200
    assert client.get(import_url(world)).status_code == 403


def test_an_inspector_with_the_permissions_imports(client, inspector, world):
    user = grant(
        inspector,
        "view_inspection",
        "add_finding",
        "change_finding",
        "view_finding",
        "add_causeofconcern",
    )
    client.force_login(user)
    page = client.get(reverse("admin:inspections_inspection_change", args=[world.pk]))
    assert "Import findings" in page.content.decode()
    do_import(client, world, csv_file(*GOOD_ROWS))
    assert Finding.objects.filter(inspection=world).count() == 3
    assert ActionLog.objects.filter(action="recommendations.finding.imported").first().actor == user


def test_creating_a_cause_of_concern_needs_its_permission(client, inspector, world):
    user = grant(inspector, "view_inspection", "add_finding", "change_finding")
    client.force_login(user)
    response = preview(client, world, csv_file(*GOOD_ROWS))
    assert "The file creates causes of concern (CoC1), which you may not add." in (
        response.content.decode()
    )
    assert 'name="_confirm"' not in response.content.decode()


def test_anonymous_and_non_staff_are_sent_to_sign_in(client, met_user, world):
    assert client.get(import_url(world)).status_code == 302
    client.force_login(met_user)
    assert client.get(import_url(world)).status_code == 302
    assert client.get(export_url(world, "csv")).status_code == 302


# Export, templates and the round trip ---------------------------------------------------------


@pytest.fixture
def source(world, met, mopac, kent, themes, custody, hmicfrs):
    """An inspection with every kind of value an export must carry back unchanged."""
    cause = CauseOfConcern.objects.create(
        inspection=world, reference="CoC1", text="Governance, oversight: “poor”."
    )
    rows = [
        ("R1", FindingKind.RECOMMENDATION, cause, 'Line one,\nline two "quoted".', [met, mopac]),
        ("R10", FindingKind.RECOMMENDATION, cause, "=SUM(A1:A9) is not a formula", [met]),
        ("R2", FindingKind.RECOMMENDATION, None, "'=already quoted", [kent, met]),
        ("AFI1", FindingKind.AREA_FOR_IMPROVEMENT, None, "-5% is a fall; Welsh: Heddlu", [met]),
        ("AFI2", FindingKind.AREA_FOR_IMPROVEMENT, None, "@mention and ünïcödé", [mopac]),
        ("AFI3", FindingKind.AREA_FOR_IMPROVEMENT, None, "'apostrophe first", [met]),
    ]
    for position, (reference, kind, coc, text, organisations) in enumerate(rows):
        finding = Finding.objects.create(
            inspection=world,
            kind=kind,
            cause_of_concern=coc,
            reference=reference,
            text=text,
            position=position % 2,
            due_date=date(2026, 1, 1) + timedelta(days=position) if position % 3 else None,
            deadline_wording="+ within three months" if position == 1 else "",
        )
        finding.themes.set(themes[: position % 3])
        finding_add_addressees(finding=finding, organisations=organisations)
    target = Inspection.objects.create(
        title="Empty copy", slug="empty-copy", programme=custody, lead_inspectorate=hmicfrs
    )
    return world, target


def test_export_csv_is_excel_friendly_and_in_report_order(client, admin_user, source):
    world, _ = source
    client.force_login(admin_user)
    response = client.get(export_url(world, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="met-custody-2025-findings.csv"' in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == importing.HEADERS
    assert [row[0] for row in rows[1:]] == ["R1", "R2", "R10", "AFI2", "AFI1", "AFI3"]
    by_reference = {row[0]: row for row in rows[1:]}
    assert by_reference["R10"][2] == "'=SUM(A1:A9) is not a formula"
    assert by_reference["R2"][2] == "''=already quoted"
    assert by_reference["AFI3"][2] == "'apostrophe first"
    assert by_reference["R1"][5] == (
        "mayors-office-for-policing-and-crime; metropolitan-police-service"
    )


def test_round_trip_csv_is_identical_byte_for_byte(client, admin_user, source):
    world, target = source
    client.force_login(admin_user)
    first = client.get(export_url(world, "csv")).content
    do_import(client, target, SimpleUploadedFile("export.csv", first))
    second = client.get(export_url(target, "csv")).content
    assert second == first
    # And importing the export into the inspection it came from changes nothing.
    again = preview(client, world, SimpleUploadedFile("export.csv", first))
    assert "<strong>6</strong> unchanged" in again.content.decode()


def test_round_trip_xlsx_gives_the_same_cells(client, admin_user, source):
    world, target = source
    client.force_login(admin_user)
    first = client.get(export_url(world, "xlsx"))
    assert first["Content-Type"].startswith("application/vnd.openxmlformats")
    do_import(client, target, SimpleUploadedFile("export.xlsx", first.content))
    second = client.get(export_url(target, "xlsx")).content

    def cells(data):
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return [list(row) for row in workbook["Findings"].iter_rows(values_only=True)]

    assert cells(second) == cells(first.content)
    values = cells(first.content)
    assert values[0] == importing.HEADERS
    r10 = next(row for row in values if row[0] == "R10")
    assert r10[2] == "=SUM(A1:A9) is not a formula"  # Text, not a formula, and no apostrophe.


def test_templates_download_with_the_header_and_a_plain_example(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get(reverse("admin:inspections_inspection_import_template", args=["csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == importing.HEADERS
    assert rows[1][0] == "EXAMPLE"
    assert rows[1][2].startswith("EXAMPLE ROW, DELETE IT")
    response = client.get(reverse("admin:inspections_inspection_import_template", args=["xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Findings", "Notes"]
    header = next(workbook["Findings"].iter_rows(values_only=True))
    assert list(header) == importing.HEADERS
    notes = [row[0] for row in workbook["Notes"].iter_rows(values_only=True)]
    assert "Addressees" in notes
    assert (
        client.get(
            reverse("admin:inspections_inspection_import_template", args=["pdf"])
        ).status_code
        == 404
    )


def test_the_template_with_its_example_row_replaced_imports(client, admin_user, world, themes):
    client.force_login(admin_user)
    data = client.get(
        reverse("admin:inspections_inspection_import_template", args=["xlsx"])
    ).content
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Findings"]
    sheet["A2"] = "R1"
    sheet["C2"] = "By 31 March 2026, the force and MOPAC should improve governance."
    sheet["E2"] = "Governance is poor."
    out = io.BytesIO()
    workbook.save(out)
    do_import(client, world, SimpleUploadedFile("filled.xlsx", out.getvalue()))
    finding = Finding.objects.get(inspection=world, reference="R1")
    assert finding.addressees.count() == 2
    assert finding.due_date == date(2026, 3, 31)


# The service ----------------------------------------------------------------------------------


def test_finding_update_refuses_a_cause_of_concern_on_an_area_for_improvement(
    recommendation, inspection
):
    cause = CauseOfConcern.objects.create(inspection=inspection, reference="CoC1", text="Poor.")
    with pytest.raises(importing.DomainError, match="only a recommendation"):
        finding_update(
            finding=recommendation,
            changes={"kind": FindingKind.AREA_FOR_IMPROVEMENT, "cause_of_concern": cause},
            reason="Test.",
        )
    recommendation.refresh_from_db()
    assert recommendation.kind == FindingKind.RECOMMENDATION


def test_finding_update_without_a_change_logs_nothing(recommendation):
    assert (
        finding_update(
            finding=recommendation, changes={"text": recommendation.text}, reason="Test."
        )
        == {}
    )
    assert not ActionLog.objects.filter(action="recommendations.finding.updated").exists()


def test_finding_update_never_changes_a_status(recommendation, met):
    item = recommendation.items.get(organisation=met)
    item_start(item=item, note="Begun.")
    finding_update(
        finding=recommendation,
        changes={"due_date": timezone.localdate() + timedelta(days=400), "text": "New."},
        reason="Test.",
    )
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert item.due_date == timezone.localdate() + timedelta(days=400)
