"""Bulk import and export of one inspection's findings, as CSV or Excel (.xlsx).

An import goes in three steps, none of which trusts the one before:

1. ``read_file`` turns the uploaded bytes into rows of raw cell values, refusing what it
   cannot read (size, encoding, format, too many rows) with the row or byte at fault;
2. ``plan_import`` checks every row against the database and works out what each would do
   (new, updated, unchanged) without writing anything: the admin shows it as the preview;
3. ``apply_import`` writes a plan with no errors, all in one transaction.

At confirmation the stored upload is read and planned again, and the plan's ``digest`` must
match the one previewed, so what is saved is exactly what the inspector saw.

Rows are keyed on the reference within the inspection: importing the same file again changes
nothing, and a changed row updates its finding (through ``finding_update``, logged). Import
adds addressees but never removes one, and never changes a status. ``export_csv`` and
``export_xlsx`` write the same columns, so an export imports back unchanged.
"""

import contextlib
import csv
import difflib
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.utils import timezone

from audit.services import log_action, log_actions
from core.csv import escape_formula, unescape_formula
from core.errors import DomainError
from core.security import has_control_characters
from imports.choices import DONE_STATUSES, ImportJobStatus
from imports.models import ImportJob
from inspections.models import Inspection, Organisation
from recommendations.choices import DueDateSource, FindingKind
from recommendations.models import (
    CauseOfConcern,
    Finding,
    Item,
    Section55Statement,
    Theme,
)
from recommendations.services import finding_diff, findings_add_addressees, findings_update


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()
    help: str = ""


COLUMNS = (
    Column("reference", "Reference", True, ("ref",), "E.g. R1 or AFI12, unique in the report."),
    Column(
        "kind",
        "Kind",
        True,
        ("type", "finding kind"),
        "Recommendation or Area for improvement (also: rec, AFI).",
    ),
    Column(
        "text", "Text", True, ("finding", "finding text"), "The finding as the report words it."
    ),
    Column(
        "cause_of_concern",
        "Cause of concern",
        False,
        ("coc", "cause of concern reference"),
        "Recommendations only: the reference of the cause of concern it answers, e.g. CoC1.",
    ),
    Column(
        "cause_of_concern_text",
        "Cause of concern text",
        False,
        ("coc text",),
        "Creates the cause of concern when the inspection has none of that reference yet.",
    ),
    Column(
        "addressees",
        "Addressees",
        True,
        ("addressee", "organisations", "organisation"),
        "One or more organisations, by slug or exact name, separated by ;",
    ),
    Column(
        "due_date",
        "Due date",
        False,
        ("due", "deadline date"),
        "YYYY-MM-DD or DD/MM/YYYY; empty when the report set none.",
    ),
    Column(
        "deadline_wording",
        "Deadline wording",
        False,
        ("deadline",),
        "The report's own words, e.g. within six months.",
    ),
    Column("themes", "Themes", False, ("theme",), "Theme slugs or names, separated by ;"),
    # Optional, last so that files of before still line up (issue 12).
    Column(
        "text_cy",
        "Welsh text",
        False,
        ("text (welsh)", "testun", "text cy"),
        "The finding in Welsh, if the report has a Welsh version; shown on the Welsh pages.",
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
HEADERS = [column.header for column in COLUMNS]

KIND_LABELS = {
    FindingKind.RECOMMENDATION: "Recommendation",
    FindingKind.AREA_FOR_IMPROVEMENT: "Area for improvement",
}
KIND_SPELLINGS = {
    **dict.fromkeys(["recommendation", "recommendations", "rec", "r"], FindingKind.RECOMMENDATION),
    **dict.fromkeys(
        ["area for improvement", "areas for improvement", "afi", "afis", "area"],
        FindingKind.AREA_FOR_IMPROVEMENT,
    ),
}
EXAMPLE_REFERENCE = "EXAMPLE"
MAX_COLUMNS = 50
# Reading stops after this many empty rows past the row limit: an .xlsx may claim a million.
TRAILING_BLANK_ROWS = 1000
# An .xlsx is a zip of XML: refuse one that would unpack to more than this many times the
# size limit (a "zip bomb"), before openpyxl reads it. 10,000 real rows unpack to about 10 MB.
XLSX_MAX_EXPANSION = 10
REFERENCE_MAX = Finding._meta.get_field("reference").max_length
WORDING_MAX = Finding._meta.get_field("deadline_wording").max_length
COC_REFERENCE_MAX = CauseOfConcern._meta.get_field("reference").max_length


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def background_rows() -> int:
    """Imports of more rows than this are applied by a background job, not the request."""
    return settings.IMPORT_BACKGROUND_ROWS


# Reading ------------------------------------------------------------------------------------


class FileRefused(DomainError):
    """The file as a whole cannot be read: nothing in it is looked at further."""


@dataclass
class RawRow:
    number: int  # As a spreadsheet numbers it: the header is row 1.
    values: dict  # Column key to a str, a date or None.


@dataclass
class ReadFile:
    format: str
    columns: list[str]  # Keys of the columns present, in file order.
    rows: list[RawRow]
    problems: list[str] = field(default_factory=list)  # Errors about the file as a whole.
    warnings: list[str] = field(default_factory=list)


def _normalise_header(value) -> str:
    text = re.sub(r"[\s_\-]+", " ", str(value or "")).strip().lower()
    return text.rstrip(":*").strip()


_HEADER_LOOKUP = {
    _normalise_header(name): column.key
    for column in COLUMNS
    for name in (column.header, column.key, *column.aliases)
}


def detect_format(data: bytes, filename: str) -> str:
    name = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as "
            "CSV UTF-8, then upload it again."
        )
    if name.endswith((".xlsx", ".xlsm")):
        raise FileRefused("This file is named .xlsx but is not an Excel workbook.")
    if name.endswith((".xls", ".ods", ".numbers", ".pdf", ".docx", ".doc")):
        raise FileRefused(
            "Upload a CSV file (UTF-8) or an Excel workbook (.xlsx); this file is neither."
        )
    return "csv"


def read_file(data: bytes, filename: str) -> ReadFile:
    """Read the header and every row, or raise ``FileRefused`` saying why not."""
    if len(data) > max_bytes():
        raise FileRefused(too_large_message(len(data)))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileRefused("The file is empty: it needs a header row and a row per finding.")
    kind = detect_format(data, filename)
    cells = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    return _read_rows(kind, cells)


def too_large_message(size: int | None = None) -> str:
    limit = max_bytes()
    given = f" This one is {size / 1_048_576:.1f} MB." if size else ""
    return (
        f"The file is too large: the limit is {limit / 1_048_576:g} MB ({limit:,} bytes).{given} "
        "Split it, or leave out what is not findings."
    )


def _csv_rows(data: bytes):
    """Yield ``(row number, [cell, ...])`` of a UTF-8 CSV file, with or without its BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            "The file is UTF-16 text, not UTF-8. In Excel, save it as “CSV UTF-8 (Comma "
            "delimited)”, then upload it again."
        )
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = bom + error.start
        raise FileRefused(
            f"The file is not UTF-8 text: row {_csv_row_at(data, bom, offset)} has a byte "
            f"UTF-8 does not allow (0x{data[offset]:02X}, byte {offset + 1:,} of the file). "
            "It was probably saved as “CSV” in another encoding: in Excel, save it as "
            "“CSV UTF-8 (Comma delimited)”, then upload it again."
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = max([";", "\t"], key=first_line.count) if first_line.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise FileRefused(f"Row {number + 1} cannot be read as CSV: {error}.") from error


def _csv_row_at(data: bytes, bom: int, offset: int) -> int:
    """The CSV row holding byte ``offset``: rows can span lines inside quotes."""
    before = data[bom:offset].decode("utf-8")
    rows = list(csv.reader(io.StringIO(before, newline="")))
    if not rows:
        return 1
    return len(rows) + (1 if before.endswith(("\n", "\r")) else 0)


def _xlsx_rows(data: bytes):
    """Yield ``(row number, [cell, ...])`` of the first sheet, streamed (read-only mode)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileRefused("The file is not a readable Excel workbook (.xlsx).") from error
    if unpacked > XLSX_MAX_EXPANSION * max_bytes():
        raise FileRefused(
            "The workbook unpacks to far more than its size: it cannot be read safely. Save "
            "the findings alone in a new workbook, or as CSV UTF-8."
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:
        raise FileRefused(
            "The file is not a readable Excel workbook (.xlsx). Open it in Excel and save it "
            "again as an Excel workbook, or as CSV UTF-8."
        ) from error
    try:
        names = [name.lower() for name in workbook.sheetnames]
        sheet = workbook.worksheets[names.index("findings") if "findings" in names else 0]
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise FileRefused(
                        f"Row {number} has a formula ({cell.coordinate}): type the value itself, "
                        "or paste it as values, then upload the file again."
                    )
                cells.append(cell.value)
            yield number, cells
    finally:
        workbook.close()


def _read_rows(kind: str, cells) -> ReadFile:
    # ``cells`` is one iterator of (row number, values): the header is its first row with
    # anything in it, and the findings are the rows after it.
    header = _header_row(cells)
    result = ReadFile(format=kind, columns=[], rows=[])
    positions = _read_header(header, result)
    unnamed = _UnnamedColumns(header)
    _read_body(kind, _watched(cells, unnamed), positions, result)
    result.problems.extend(unnamed.problems())
    if not result.rows and not result.problems:
        result.problems.append("The file has a header row but no findings below it.")
    return result


class _UnnamedColumns:
    """Columns with data below a blank header cell (or beyond the header row): a merged or
    empty header must not make a column of findings' data vanish without a word."""

    def __init__(self, header: list):
        self.width = len(header)
        self.blank = {index for index, value in enumerate(header) if not _text(value)}
        self.rows: dict[int, list[int]] = {}

    def watch(self, number: int, row: list) -> None:
        for index, value in enumerate(row):
            if (index in self.blank or index >= self.width) and _text(value):
                self.rows.setdefault(index, []).append(number)

    def problems(self) -> list[str]:
        from openpyxl.utils import get_column_letter

        said = []
        for index, numbers in sorted(self.rows.items()):
            where = ", ".join(str(n) for n in numbers[:5]) + (" …" if len(numbers) > 5 else "")
            said.append(
                f"Column {get_column_letter(index + 1)} has no header (its header cell is empty "
                f"or merged with another) but holds data on row{'s' if len(numbers) > 1 else ''} "
                f"{where}: give it one of the column names ({', '.join(HEADERS)}), or delete "
                "its contents, then upload the file again."
            )
        return said


def _watched(cells, unnamed: _UnnamedColumns):
    for number, row in cells:
        unnamed.watch(number, row)
        yield number, row


def _header_row(cells) -> list:
    """The first row with anything in it, which must be row 1; ``FileRefused`` otherwise."""
    for number, row in cells:
        if any(_text(value) for value in row):
            if number != 1:
                raise FileRefused(
                    f"Row 1 must be the header row ({', '.join(HEADERS)}); "
                    f"the first thing in the file is on row {number}."
                )
            return row
    raise FileRefused("The file is empty: it needs a header row and a row per finding.")


def _read_header(header: list, result: ReadFile) -> dict[str, int]:
    """Each known column's key and position; unknown, repeated and missing columns noted in
    ``result``."""
    positions = {}
    for index, value in enumerate(header):
        name = _text(value)
        if not name:
            continue
        key = _HEADER_LOOKUP.get(_normalise_header(name))
        if key is None:
            result.warnings.append(f"The column “{name}” is not one import reads: it is ignored.")
        elif key in positions:
            result.problems.append(
                f"Row 1: the column “{COLUMN_BY_KEY[key].header}” appears twice."
            )
        else:
            positions[key] = index
            result.columns.append(key)
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        result.problems.append(
            f"Row 1: the required column{'s' if len(missing) > 1 else ''} "
            f"{_join_quoted(missing)} {'are' if len(missing) > 1 else 'is'} missing. "
            f"The header row names the columns: {', '.join(HEADERS)}."
        )
    return positions


def _read_body(kind: str, cells, positions: dict[str, int], result: ReadFile) -> None:
    """The rows below the header into ``result.rows``, blank ones skipped; none and a problem
    when there are more than ``max_rows()`` (blank rows past the limit are let through, up to
    ``TRAILING_BLANK_ROWS``)."""
    limit, blanks = max_rows(), 0
    for number, row in cells:
        empty = not any(_text(value) for value in row)
        if number > limit + 1:
            if empty:
                blanks += 1
                if blanks > TRAILING_BLANK_ROWS:
                    return
                continue
            result.problems.append(
                f"The file has more than {limit:,} rows below the header (row {number} is "
                f"beyond the limit): split it into several files."
            )
            result.rows = []
            return
        if empty:
            continue
        values = {
            key: (row[index] if index < len(row) else None) for key, index in positions.items()
        }
        if kind == "csv":
            values = {key: unescape_formula(value) for key, value in values.items()}
        result.rows.append(RawRow(number=number, values=values))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _join_quoted(items) -> str:
    quoted = [f"“{item}”" for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _split_list(value) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", _text(value)) if part.strip()]


def parse_date(value) -> date:
    """A date cell, or text as YYYY-MM-DD or D/M/YYYY; ``ValueError`` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    raise ValueError(text)


# Planning -----------------------------------------------------------------------------------

NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"


@dataclass
class RowPlan:
    number: int
    reference: str
    kind: str | None = None
    text: str = ""
    text_cy: str = ""
    organisations: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    due_date: date | None = None
    deadline_wording: str = ""
    cause_reference: str = ""
    finding: Finding | None = None
    field_changes: dict = field(default_factory=dict)  # For findings_update.
    new_organisations: list = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # What the preview says will change.
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.errors:
            return ERROR
        if self.finding is None:
            return NEW
        return UPDATED if self.field_changes or self.new_organisations else UNCHANGED

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "")

    def addressee_names(self) -> str:
        return "; ".join(org.name for org in self.organisations)


@dataclass
class ImportPlan:
    inspection: Inspection
    filename: str
    sha256: str
    format: str
    rows: list[RowPlan]
    problems: list[str]
    warnings: list[str]
    new_causes: dict = field(default_factory=dict)  # reference: text
    cause_text_changes: dict = field(default_factory=dict)  # reference: (cause, new text)

    @property
    def counts(self) -> Counter:
        counts = Counter(row.action for row in self.rows)
        return Counter({key: counts.get(key, 0) for key in (NEW, UPDATED, UNCHANGED, ERROR)})

    @property
    def error_count(self) -> int:
        return len(self.problems) + sum(len(row.errors) for row in self.rows)

    @property
    def is_valid(self) -> bool:
        return not self.problems and bool(self.rows) and not any(row.errors for row in self.rows)

    def digest(self) -> str:
        """A fingerprint of what confirming would do; it changes if the file or data did."""
        summary = {
            "inspection": self.inspection.pk,
            "sha256": self.sha256,
            "problems": self.problems,
            "causes": sorted(self.new_causes.items()),
            "cause_texts": sorted(
                (ref, text) for ref, (_, text) in self.cause_text_changes.items()
            ),
            "rows": [
                [
                    row.number,
                    row.action,
                    row.finding.pk if row.finding else None,
                    row.changes,
                    row.errors,
                    row.warnings,
                    [org.pk for org in row.new_organisations],
                    # What the file's words resolved to, in case a name changed meanwhile.
                    row.kind,
                    [org.pk for org in row.organisations],
                    [theme.pk for theme in row.themes],
                    row.cause_reference,
                ]
                for row in self.rows
            ],
        }
        encoded = json.dumps(summary, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


# Words an abbreviation of a body's name leaves out: MOPAC is the Mayor's Office (for)
# Policing And Crime; some leave out "and" as well.
ABBREVIATION_SKIPS = ({"for", "of", "the"}, {"for", "of", "the", "and"})
SUGGESTIONS_MAX = 3


def _loose(value: str) -> str:
    """A name as people type it in spreadsheets: any case, curly or straight apostrophes,
    "&" or "and", punctuation and spacing as they come."""
    text = value.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    text = re.sub(r"[^\w\s]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _abbreviations(name: str) -> set[str]:
    words = _loose(name).split()
    return {
        "".join(word[0] for word in words if word not in skips)
        for skips in ABBREVIATION_SKIPS
        if len(words) > 2
    }


class _Lookup:
    """Finds organisations and themes by slug or exact name, case-insensitively, and
    suggests the nearest names for one it does not find."""

    def __init__(self, objects, *, names=("name",)):
        self.by_slug = {obj.slug.lower(): obj for obj in objects}
        self.by_name: dict[str, list] = {}
        self.by_loose: dict[str, list] = {}
        for obj in objects:
            for attribute in names:
                value = getattr(obj, attribute)
                if value:
                    matches = self.by_name.setdefault(value.casefold(), [])
                    if obj not in matches:
                        matches.append(obj)
                    for key in (_loose(value), *_abbreviations(value)):
                        near = self.by_loose.setdefault(key, [])
                        if obj not in near:
                            near.append(obj)

    def suggest(self, value: str) -> list:
        """The objects ``value`` probably means: the same name written another way (curly
        apostrophes, "&" for "and"), an abbreviation of it (MOPAC), or a near spelling."""
        loose = _loose(value)
        found = list(self.by_loose.get(loose, []))
        if not found:
            for key in difflib.get_close_matches(
                loose, self.by_loose, n=SUGGESTIONS_MAX, cutoff=0.8
            ):
                found.extend(obj for obj in self.by_loose[key] if obj not in found)
        return found[:SUGGESTIONS_MAX]

    def find(self, value: str):
        """Return ``(object, None)`` or ``(None, why not)``."""
        obj = self.by_slug.get(value.lower())
        if obj is not None:
            return obj, None
        matches = self.by_name.get(value.casefold(), [])
        if len(matches) == 1:
            return matches[0], None
        if matches:
            slugs = _join_quoted(m.slug for m in matches)
            return None, f"“{value}” names several organisations: use a slug ({slugs})."
        return None, None


def plan_import(*, inspection: Inspection, read: ReadFile, filename: str, sha256: str):
    """Check every row and work out what importing it would do; writes nothing."""
    plan = ImportPlan(
        inspection=inspection,
        filename=filename,
        sha256=sha256,
        format=read.format,
        rows=[],
        problems=list(read.problems),
        warnings=list(read.warnings),
    )
    present = set(read.columns)
    organisations = _Lookup(
        list(Organisation.objects.select_related("successor")), names=("name", "name_cy")
    )
    themes = _Lookup(list(Theme.objects.all()))
    causes = {c.reference: c for c in inspection.causes_of_concern.all()}
    existing = {
        finding.reference: finding
        for finding in inspection.findings.select_related("cause_of_concern")
        .annotate(_has_statements=Exists(Section55Statement.objects.filter(finding=OuterRef("pk"))))
        .prefetch_related(
            "themes",
            Prefetch("items", queryset=Item.objects.select_related("organisation")),
        )
    }
    existing_by_case = {reference.casefold(): f for reference, f in existing.items()}
    seen_references: dict[str, tuple[str, int]] = {}
    cause_texts = _first_cause_texts(read.rows) if "cause_of_concern" in present else {}
    month_first = _month_first_rows(read.rows) if "due_date" in present else []

    for raw in read.rows:
        values = raw.values
        row = RowPlan(number=raw.number, reference=_text(values.get("reference")))
        plan.rows.append(row)
        _check_control_characters(row, values)
        _check_error_cells(row, values)
        _check_reference(row, values, seen_references, present)
        row.finding = _existing_finding(row, existing, existing_by_case)
        _check_kind(row, values, present)
        _check_text(row, values, present)
        if "text_cy" in present:
            row.text_cy = _text(values.get("text_cy"))
        _check_addressees(row, values, present, organisations)
        _check_themes(row, values, present, themes)
        _check_due_date(row, values, present, month_first)
        _check_wording(row, values, present)
        _check_cause(row, values, present, causes, cause_texts, plan)
        if not row.errors:
            _work_out_changes(row, present)

    in_file = {row.reference for row in plan.rows}
    left_alone = sorted(ref for ref in existing if ref not in in_file)
    if left_alone and plan.rows:
        plan.warnings.append(
            f"{len(left_alone)} finding{'s' if len(left_alone) != 1 else ''} of this inspection "
            f"{'are' if len(left_alone) != 1 else 'is'} not in the file and will be left as "
            f"{'they are' if len(left_alone) != 1 else 'it is'}: {', '.join(left_alone[:20])}"
            + (" …" if len(left_alone) > 20 else "")
            + ". Import never deletes a finding."
        )
    return plan


# What a spreadsheet shows in a cell whose formula failed; as a value it is never a finding's.
SPREADSHEET_ERRORS = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
    }
)


def _check_error_cells(row, values):
    for key, value in values.items():
        if isinstance(value, str) and value.strip().upper() in SPREADSHEET_ERRORS:
            row.errors.append(
                f"The column “{COLUMN_BY_KEY[key].header}” holds the spreadsheet error "
                f"“{value.strip()}”, not a value: fix or fill the cell in the spreadsheet, then "
                "upload the file again."
            )


def _check_control_characters(row, values):
    # A NUL cannot be stored in PostgreSQL's text, and no other control character (but tab,
    # carriage return and line feed) belongs in a finding: refuse it here, not at confirm.
    for key, value in values.items():
        if isinstance(value, str) and has_control_characters(value):
            row.errors.append(
                f"The column “{COLUMN_BY_KEY[key].header}” contains a control character "
                "(such as a NUL byte) that cannot be stored: delete it from the cell."
            )


# A reference as Excel leaves it once it took it for a date ("004/24" became 1 April 2024).
DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-[A-Za-z]{3}(-\d{2,4})?"
)


def _check_reference(row, values, seen, present):
    """Empty, the example, too long, a date, or the same as another row's in any case."""
    if "reference" not in present:
        return
    key = row.reference.casefold()
    if not row.reference:
        row.errors.append("The reference is empty.")
    elif row.reference.upper() == EXAMPLE_REFERENCE:
        row.errors.append("This is the template's example row: delete it.")
    elif len(row.reference) > REFERENCE_MAX:
        row.errors.append(f"The reference is longer than {REFERENCE_MAX} characters.")
    elif isinstance(values.get("reference"), date) or DATE_LIKE.fullmatch(row.reference):
        row.errors.append(
            f"The reference “{row.reference}” is a date: the spreadsheet probably turned a "
            "reference such as “004/24” into one. Format the column as Text, type the "
            "reference again, then upload the file again."
        )
    elif key in seen:
        first, number = seen[key]
        same = "" if first == row.reference else f" (“{first}”: references ignore case)"
        row.errors.append(
            f"Duplicate reference: “{row.reference}” is already on row {number}{same}."
        )
    else:
        seen[key] = (row.reference, row.number)


def _existing_finding(row, existing, existing_by_case):
    """The finding of the report the row updates: the same reference, exactly. One that
    differs only in case is refused, not added beside it."""
    if row.errors:
        return None
    finding = existing.get(row.reference)
    other = existing_by_case.get(row.reference.casefold())
    if finding is None and other is not None:
        row.errors.append(
            f"The report already has “{other.reference}”: references ignore case, so write "
            f"“{other.reference}” to update it, or choose another reference."
        )
    return finding


def _check_kind(row, values, present):
    if "kind" not in present:
        if row.finding is not None:
            row.kind = row.finding.kind
        return
    given = _text(values.get("kind"))
    normal = re.sub(r"[\s_\-]+", " ", given).strip().lower()
    row.kind = KIND_SPELLINGS.get(normal)
    if not given:
        row.errors.append("The kind is empty: Recommendation or Area for improvement.")
    elif row.kind is None:
        row.errors.append(f"Unknown kind “{given}”: write Recommendation or Area for improvement.")


def _check_text(row, values, present):
    if "text" not in present:
        return
    row.text = _text(values.get("text"))
    if not row.text:
        row.errors.append("The text is empty.")


def _check_addressees(row, values, present, organisations):
    if "addressees" not in present:
        return
    names = _split_list(values.get("addressees"))
    if not names:
        row.errors.append("No addressee: name at least one organisation, by slug or name.")
    for name in names:
        organisation, why = organisations.find(name)
        if organisation is None:
            row.errors.append(why or _unknown_organisation(name, organisations))
            continue
        if organisation in row.organisations:
            row.warnings.append(f"{organisation.name} is listed twice; it is addressed once.")
            continue
        row.organisations.append(organisation)
        if organisation.successor_id:
            successor = organisation.current_successor()
            ceased = f" on {organisation.ceased_on:%d %B %Y}" if organisation.ceased_on else ""
            row.warnings.append(
                f"{organisation.name} ceased{ceased}: the finding is addressed to it as the "
                f"report was, and its tracking follows {successor.name}."
            )


def _unknown_organisation(name, organisations) -> str:
    message = f"Unknown organisation “{name}”: use its slug or exact name."
    near = organisations.suggest(name)
    if near:
        message += " Did you mean " + " or ".join(f"“{o.name}” ({o.slug})" for o in near) + "?"
    return message


def _check_themes(row, values, present, themes):
    if "themes" not in present:
        return
    for name in _split_list(values.get("themes")):
        theme, _ = themes.find(name)
        if theme is None:
            row.errors.append(f"Unknown theme “{name}”: use a theme's slug or name.")
        elif theme not in row.themes:
            row.themes.append(theme)


SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _month_first_rows(rows) -> list[int]:
    """The rows whose due date can only be read month first (03/31/2026): a file with any is
    not written day first throughout, so its ambiguous dates cannot be read as such."""
    found = []
    for raw in rows:
        value = raw.values.get("due_date")
        match = SLASHED_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
        if match and int(match[1]) <= 12 < int(match[2]):
            found.append(raw.number)
    return found


def _ambiguous_date(value, month_first: list[int]) -> str | None:
    """Why a day-first reading of ``value`` cannot be trusted, or None."""
    match = SLASHED_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or not month_first:
        return None
    first, second = int(match[1]), int(match[2])
    if first > 12 or second > 12 or first == second:
        return None
    rows = ", ".join(str(n) for n in month_first[:5])
    return (
        f"“{value.strip()}” could be {first} {date(2000, second, 1):%B} or {second} "
        f"{date(2000, first, 1):%B}: other dates in this file (row"
        f"{'s' if len(month_first) > 1 else ''} {rows}) are written month first. Write the "
        "due dates as YYYY-MM-DD (2026-03-31), then upload the file again."
    )


def _check_due_date(row, values, present, month_first=()):
    if "due_date" not in present:
        return
    value = values.get("due_date")
    if not _text(value):
        return
    doubt = _ambiguous_date(value, month_first)
    if doubt:
        row.errors.append(doubt)
        return
    if row.number in month_first:
        row.errors.append(
            f"“{_text(value).strip()}” is written month first (MM/DD/YYYY): write the due dates "
            "as YYYY-MM-DD (2026-03-31), then upload the file again."
        )
        return
    try:
        row.due_date = parse_date(value)
    except ValueError:
        row.errors.append(
            f"“{_text(value)}” is not a date: write it as YYYY-MM-DD (2026-03-31) or "
            "DD/MM/YYYY (31/03/2026)."
        )


def _check_wording(row, values, present):
    if "deadline_wording" not in present:
        return
    row.deadline_wording = _text(values.get("deadline_wording"))
    if len(row.deadline_wording) > WORDING_MAX:
        row.errors.append(f"The deadline wording is longer than {WORDING_MAX} characters.")


def _first_cause_texts(rows) -> dict[str, tuple[str, int]]:
    """For each cause of concern reference, the first text the file gives it and its row."""
    texts = {}
    for raw in rows:
        reference = _text(raw.values.get("cause_of_concern"))
        text = _text(raw.values.get("cause_of_concern_text"))
        if reference and text:
            texts.setdefault(reference, (text, raw.number))
    return texts


def _check_cause(row, values, present, causes, cause_texts, plan):
    if "cause_of_concern" not in present:
        if "cause_of_concern_text" in present and _text(values.get("cause_of_concern_text")):
            row.errors.append(
                "A cause of concern text needs its reference in a “Cause of concern” column."
            )
        return
    reference = _text(values.get("cause_of_concern"))
    text = _text(values.get("cause_of_concern_text"))
    row.cause_reference = reference
    if not reference:
        if text:
            row.errors.append("A cause of concern text is given without its reference.")
        return
    if row.kind == FindingKind.AREA_FOR_IMPROVEMENT:
        row.errors.append(
            f"An area for improvement cannot answer a cause of concern ({reference}): only "
            "recommendations can. Empty the “Cause of concern” cell, or make it a recommendation."
        )
        return
    if len(reference) > COC_REFERENCE_MAX:
        row.errors.append(
            f"The cause of concern reference is longer than {COC_REFERENCE_MAX} characters."
        )
        return
    first_text, first_row = cause_texts.get(reference, ("", None))
    if text and text != first_text:
        row.errors.append(
            f"{reference} has another text on row {first_row}: a cause of concern has one text."
        )
        return
    cause = causes.get(reference)
    if cause is None:
        if not first_text:
            row.errors.append(
                f"This inspection has no cause of concern “{reference}”: add it first, or give "
                "its text in a “Cause of concern text” column to create it."
            )
        elif first_row == row.number:
            plan.new_causes[reference] = first_text
            row.changes.append(f"creates the cause of concern {reference}")
    elif first_row == row.number and first_text != cause.text:
        plan.cause_text_changes[reference] = (cause, first_text)
        row.changes.append(f"changes the text of the cause of concern {reference}")


def _work_out_changes(row: RowPlan, present):
    finding = row.finding
    if finding is None:
        return
    refusal = _refused_change(row, finding, present)
    if refusal:
        row.errors.append(refusal)
        return
    wanted, current = _wanted_and_current(row, finding, present)
    # The same diff as ``findings_update``, which applies it: the preview says what is saved.
    for name, (old, new) in finding_diff(current, wanted).items():
        # As the file has it (themes as Theme objects, not the diff's slugs).
        row.field_changes[name] = wanted[name]
        _describe_change(row, finding, name, old, new)
    if "addressees" in present:
        _work_out_addressees(row, finding)


def _refused_change(row: RowPlan, finding: Finding, present) -> str | None:
    """Why the row's change of kind cannot be made, if it cannot."""
    new_kind = row.kind if "kind" in present else finding.kind
    if (
        "cause_of_concern" not in present
        and "kind" in present
        and row.kind != FindingKind.RECOMMENDATION
        and finding.cause_of_concern_id
    ):
        return (
            f"{finding.reference} answers the cause of concern "
            f"{finding.cause_of_concern.reference}: add a “Cause of concern” column left "
            "empty to make it an area for improvement."
        )
    if (
        new_kind != FindingKind.RECOMMENDATION
        and finding.kind == FindingKind.RECOMMENDATION
        and finding._has_statements
    ):
        return f"{finding.reference} has section 55 statements, so it stays a recommendation."
    return None


def _wanted_and_current(row: RowPlan, finding: Finding, present) -> tuple[dict, dict]:
    """What the file says of each field it has, and what the finding says now, for
    ``finding_diff``. The cause of concern is compared by its reference ("" for none): a new
    one does not exist yet."""
    wanted = {
        name: getattr(row, name)
        for name in ("kind", "text", "text_cy", "due_date", "deadline_wording")
        if name in present
    }
    current = {name: getattr(finding, name) for name in wanted}
    if "cause_of_concern" in present:
        wanted["cause_of_concern"] = row.cause_reference
        cause = finding.cause_of_concern
        current["cause_of_concern"] = cause.reference if cause else ""
    if "themes" in present:
        wanted["themes"] = row.themes
        current["themes"] = {t.pk: t.slug for t in finding.themes.all()}
    return wanted, current


def _describe_change(row: RowPlan, finding: Finding, name: str, old, new) -> None:
    """The preview's line for one changed field, and a warning where it needs one."""
    if name == "kind":
        row.changes.append(f"kind: {KIND_LABELS[old]} → {KIND_LABELS[new]}")
    elif name == "text":
        row.changes.append("text changed")
    elif name == "text_cy":
        row.changes.append("Welsh text changed")
    elif name == "due_date":
        row.changes.append(f"due date: {_show_date(old)} → {_show_date(new)}")
        own = [a for a in finding.items.all() if a.due_date != old]
        if own:
            row.warnings.append(
                "Due dates of their own stay as they are for "
                + "; ".join(f"{a.organisation.name} ({_show_date(a.due_date)})" for a in own)
                + "."
            )
    elif name == "deadline_wording":
        row.changes.append("deadline wording changed")
    elif name == "cause_of_concern":
        row.changes.append(f"cause of concern: {old or 'none'} → {new or 'none'}")
    elif name == "themes":
        old_themes = {t.pk: t for t in finding.themes.all()}
        new_ids = {t.pk for t in row.themes}
        added = [t.slug for t in row.themes if t.pk not in old_themes]
        removed = [t.slug for pk, t in old_themes.items() if pk not in new_ids]
        row.changes.append(
            "themes: " + ", ".join([*(f"+ {slug}" for slug in added), *(f"- {s}" for s in removed)])
        )


def _work_out_addressees(row: RowPlan, finding: Finding) -> None:
    """The addressees the row adds, and a warning for those it leaves out: import never
    removes one."""
    current = {a.organisation_id: a.organisation for a in finding.items.all()}
    row.new_organisations = [org for org in row.organisations if org.pk not in current]
    for org in row.new_organisations:
        row.changes.append(f"+ addressee {org.name}")
    wanted_ids = {org.pk for org in row.organisations}
    kept = [org.name for pk, org in current.items() if pk not in wanted_ids]
    if kept:
        row.warnings.append(
            f"Also addressed to {'; '.join(sorted(kept))}, not in the file: import never "
            "removes an addressee (do it on the finding's page if it is wrong)."
        )


def _show_date(value):
    return value.isoformat() if value else "none"


# Saving -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def apply_import(*, plan: ImportPlan, user=None) -> ImportResult:
    """Write a valid plan: every row, or (on any error) nothing. Statuses never change."""
    if not plan.is_valid:
        raise DomainError("The file has problems: nothing was imported.")
    inspection = plan.inspection
    source = f"import of {plan.filename}"
    causes = {c.reference: c for c in inspection.causes_of_concern.all()}

    position = (inspection.causes_of_concern.aggregate(top=Max("position"))["top"] or 0) + 1
    for reference, text in plan.new_causes.items():
        cause = CauseOfConcern.objects.create(
            inspection=inspection, reference=reference, text=text, position=position
        )
        position += 1
        causes[reference] = cause
        log_action(
            action="recommendations.cause_of_concern.imported",
            obj=cause,
            actor=user,
            data={"source": source},
        )
    for cause, text in plan.cause_text_changes.values():
        old = cause.text
        cause.text = text
        cause.save(update_fields=["text"])
        log_action(
            action="recommendations.cause_of_concern.updated",
            obj=cause,
            actor=user,
            data={"fields": {"text": {"from": old, "to": text}}, "reason": source},
        )

    new_rows = [row for row in plan.rows if row.action == NEW]
    tops = dict(
        inspection.findings.values("kind").annotate(top=Max("position")).values_list("kind", "top")
    )
    next_position = {kind: (tops[kind] + 1 if kind in tops else 0) for kind in FindingKind}
    findings = []
    for row in new_rows:
        findings.append(
            Finding(
                inspection=inspection,
                kind=row.kind,
                cause_of_concern=causes.get(row.cause_reference),
                reference=row.reference,
                text=row.text,
                text_cy=row.text_cy,
                due_date=row.due_date,
                deadline_wording=row.deadline_wording,
                position=next_position[row.kind],
            )
        )
        next_position[row.kind] += 1
    Finding.objects.bulk_create(findings, batch_size=500)
    through = Finding.themes.through
    through.objects.bulk_create(
        [
            through(finding_id=finding.pk, theme_id=theme.pk)
            for finding, row in zip(findings, new_rows, strict=True)
            for theme in row.themes
        ],
        batch_size=1000,
    )
    log_actions(
        entries=[
            ("recommendations.finding.imported", finding, {"source": source, "row": row.number})
            for finding, row in zip(findings, new_rows, strict=True)
        ],
        actor=user,
    )
    findings_add_addressees(
        additions=[
            (finding, row.organisations) for finding, row in zip(findings, new_rows, strict=True)
        ],
        user=user,
    )

    updated = [row for row in plan.rows if row.action == UPDATED]
    updates = []
    for row in updated:
        changes = dict(row.field_changes)
        if "cause_of_concern" in changes:
            changes["cause_of_concern"] = causes.get(changes["cause_of_concern"])
        if "due_date" in changes:
            # New addressees start with the finding's new due date.
            row.finding.due_date = changes["due_date"]
        updates.append((row.finding, changes))
    findings_update(updates=updates, user=user, reason=source, due_date_source=DueDateSource.IMPORT)
    findings_add_addressees(
        additions=[
            (row.finding, row.new_organisations) for row in updated if row.new_organisations
        ],
        user=user,
    )

    counts = plan.counts
    log_action(
        action="recommendations.inspection.findings_imported",
        obj=inspection,
        actor=user,
        data={
            "file": plan.filename,
            "sha256": plan.sha256,
            "new": counts[NEW],
            "updated": counts[UPDATED],
            "unchanged": counts[UNCHANGED],
        },
    )
    return ImportResult(created=counts[NEW], updated=counts[UPDATED], unchanged=counts[UNCHANGED])


# Export -------------------------------------------------------------------------------------


def export_rows(inspection: Inspection):
    """The inspection's findings as lists of values in ``COLUMNS`` order, in report order:
    recommendations, then areas for improvement, each by position and reference."""
    findings = (
        inspection.findings.select_related("cause_of_concern")
        .prefetch_related(
            "themes",
            Prefetch("items", queryset=Item.objects.select_related("organisation")),
        )
        .order_by("position", "reference", "pk")
    )
    by_kind = {kind: [] for kind in (FindingKind.RECOMMENDATION, FindingKind.AREA_FOR_IMPROVEMENT)}
    for finding in findings:
        by_kind[finding.kind].append(finding)
    for kind_findings in by_kind.values():
        for finding in kind_findings:
            cause = finding.cause_of_concern
            yield [
                finding.reference,
                KIND_LABELS[finding.kind],
                finding.text,
                cause.reference if cause else "",
                cause.text if cause else "",
                "; ".join(sorted(a.organisation.slug for a in finding.items.all())),
                finding.due_date,
                finding.deadline_wording,
                "; ".join(sorted(t.slug for t in finding.themes.all())),
                finding.text_cy,
            ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    value = str(value)
    return escape_formula(value)


def write_csv(rows) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows every character; CRLF rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(rows, *, notes: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Findings")
    widths = [12, 22, 80, 16, 40, 50, 12, 30, 30]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # Text, never a formula, whatever it starts with.
            cells.append(cell)
        sheet.append(cells)
    if notes:
        notes_sheet = workbook.create_sheet("Notes")
        notes_sheet.column_dimensions["A"].width = 24
        notes_sheet.column_dimensions["B"].width = 100
        for line in template_notes():
            notes_sheet.append(list(line))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_csv(inspection: Inspection) -> bytes:
    return write_csv(export_rows(inspection))


def export_xlsx(inspection: Inspection) -> bytes:
    return write_xlsx(export_rows(inspection))


EXAMPLE_ROW = [
    EXAMPLE_REFERENCE,
    "Recommendation",
    "EXAMPLE ROW, DELETE IT: By 31 March 2026, the force and MOPAC should improve the "
    "governance of the use of force.",
    "CoC1",
    "EXAMPLE: Governance and oversight of the use of force is poor.",
    "metropolitan-police-service; Mayor's Office for Policing and Crime",
    "2026-03-31",
    "By 31 March 2026",
    "use-of-force; custody",
]


def template_notes():
    yield ("Column", "What to write")
    for column in COLUMNS:
        yield (column.header, f"{'Required' if column.required else 'Optional'}. {column.help}")
    yield ("", "")
    yield (
        "Rows",
        f"One per finding, at most {max_rows():,}; the file at most "
        f"{max_bytes() / 1_048_576:g} MB.",
    )
    yield (
        "Again",
        "Importing a file again updates the findings with the same reference, adds "
        "new addressees and never removes one; statuses never change.",
    )
    yield ("Example", f"The row with reference {EXAMPLE_REFERENCE} is an example: delete it.")


def template_csv() -> bytes:
    return write_csv([EXAMPLE_ROW])


def template_xlsx() -> bytes:
    return write_xlsx([EXAMPLE_ROW], notes=True)


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_and_plan(*, inspection: Inspection, data: bytes, filename: str) -> ImportPlan:
    """Read the file and plan it; a refused file gives a plan with that one problem."""
    sha256 = file_sha256(data)
    try:
        read = read_file(data, filename)
    except FileRefused as refusal:
        return ImportPlan(
            inspection=inspection,
            filename=filename,
            sha256=sha256,
            format="",
            rows=[],
            problems=[str(refusal)],
            warnings=[],
        )
    return plan_import(inspection=inspection, read=read, filename=filename, sha256=sha256)


# Pasting findings -------------------------------------------------------------------------
#
# Findings pasted as text go through the same plan, preview and save as a file: the parser
# (``imports.paste``) turns the text into rows, ``plan_import`` checks them, the preview shows
# the plan with the parser's doubts, and ``apply_import`` saves it.


def paste_bodies(inspection: Inspection):
    """The organisations a pasted finding may name (``imports.paste.Body``): every current
    body, each inspected one marked, with its local policing body; "MOPAC" and other
    abbreviations of policing bodies as their names."""
    from imports.paste import Body

    inspected = set(inspection.organisations.values_list("pk", flat=True))
    bodies = []
    for org in Organisation.objects.current().select_related("local_policing_body"):
        names = [org.name, *([org.name_cy] if org.name_cy else [])]
        if org.slug == "mayors-office-for-policing-and-crime":
            names.append("MOPAC")
        bodies.append(
            Body(
                slug=org.slug,
                names=tuple(names),
                kind=org.kind,
                inspected=org.pk in inspected,
                policing_body=org.local_policing_body.slug if org.local_policing_body else "",
            )
        )
    return bodies


@dataclass
class PastePlan:
    parsed: list  # imports.paste.ParsedFinding, in the order pasted
    plan: ImportPlan

    @property
    def is_valid(self) -> bool:
        return self.plan.is_valid and not any(f.doubts for f in self.parsed)

    @property
    def doubt_count(self) -> int:
        return sum(len(f.doubts) for f in self.parsed) + self.plan.error_count

    def rows(self):
        """Each parsed finding with its plan row (None for a cause of concern or text that is
        no finding), for the preview."""
        by_line = {row.number: row for row in self.plan.rows}
        return [(finding, by_line.get(finding.line)) for finding in self.parsed]


def plan_paste(
    *,
    inspection: Inspection,
    text: str,
    fallback_addressees=(),
    due_date: date | None = None,
) -> PastePlan:
    """Parse pasted findings and plan them as an import would; writes nothing.

    ``fallback_addressees`` (organisations the inspector ticked) address the findings whose
    wording names no one: an explicit choice, never a silent default. ``due_date``, when given,
    is every pasted finding's due date.
    """
    from imports.paste import CAUSE_OF_CONCERN, parse_findings

    parsed = parse_findings(text, paste_bodies(inspection))
    fallback = [org.slug for org in fallback_addressees]
    causes = {f.reference: f.text for f in parsed if f.kind == CAUSE_OF_CONCERN}
    rows = []
    for finding in parsed:
        if finding.kind == CAUSE_OF_CONCERN or (finding.kind is None and not finding.reference):
            continue
        if not finding.addressees and fallback:
            finding.addressees = list(fallback)
            finding.doubts = [d for d in finding.doubts if not d.startswith("No addressee")]
            finding.notes.append("Addressed to the organisations you chose for such findings.")
        kind = KIND_LABELS.get(finding.kind, "") if finding.kind else ""
        rows.append(
            RawRow(
                number=finding.line,
                values={
                    "reference": finding.reference,
                    "kind": kind or "?",
                    "text": finding.text,
                    "addressees": "; ".join(finding.addressees),
                    "cause_of_concern": finding.cause_reference,
                    "cause_of_concern_text": causes.get(finding.cause_reference, ""),
                    "due_date": due_date,
                    "deadline_wording": finding.deadline_wording,
                },
            )
        )
    columns = [column.key for column in COLUMNS if column.key != "themes"]
    if due_date is None:
        columns.remove("due_date")
    read = ReadFile(format="paste", columns=columns, rows=rows)
    digest_of = json.dumps(
        [text, sorted(fallback), due_date.isoformat() if due_date else None]
    ).encode()
    plan = plan_import(
        inspection=inspection,
        read=read,
        filename="pasted text",
        sha256=hashlib.sha256(digest_of).hexdigest(),
    )
    _check_case_clashes(inspection, plan)
    # The parser's doubts on unknown kinds and missing addressees say more than the
    # planner's "Unknown kind “?”" and "No addressee: …": each is shown once.
    for row in plan.rows:
        row.errors = [
            e for e in row.errors if not e.startswith(("Unknown kind “?”", "No addressee:"))
        ]
    return PastePlan(parsed=parsed, plan=plan)


def _check_case_clashes(inspection: Inspection, plan: ImportPlan) -> None:
    """A new row whose reference differs from an existing one only in case ("r2", "R2")."""
    existing = {
        ref.casefold(): ref for ref in inspection.findings.values_list("reference", flat=True)
    }
    for row in plan.rows:
        clash = existing.get(row.reference.casefold())
        if row.finding is None and clash and clash != row.reference:
            row.errors.append(
                f"The report already has {clash}: references are unique whatever their case."
            )


@transaction.atomic
def apply_paste(*, paste: PastePlan, user=None, no_deadline: bool = False) -> ImportResult:
    """Save a paste with no doubt left, as ``apply_import`` saves a file; with ``no_deadline``
    the new findings are marked as having none (the inspector's explicit choice)."""
    if not paste.is_valid:
        raise DomainError("The pasted findings have doubts to resolve: nothing was added.")
    result = apply_import(plan=paste.plan, user=user)
    if no_deadline:
        references = [row.reference for row in paste.plan.rows]
        findings = paste.plan.inspection.findings.filter(
            reference__in=references, due_date__isnull=True, no_deadline=False
        )
        findings_update(
            updates=[(finding, {"no_deadline": True}) for finding in findings],
            user=user,
            reason="pasted with no deadline",
        )
    return result


# Large imports, applied in the background --------------------------------------------------
#
# A confirmed import of more than ``background_rows()`` rows is an ``ImportJob`` row and a job
# of the tasks framework (``imports.tasks.apply_import_job``). The job reads the stored upload,
# plans it again under the inspection's lock and applies it only if the plan is still the one
# the inspector confirmed, as the request does for a small import, with the inspector who
# confirmed it as the actor of everything it writes.


def read_stored_upload(name: str) -> bytes | None:
    """The bytes of an upload kept in the default storage, or None when it is gone."""
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read(max_bytes() + 1)
    except OSError:
        return None


def import_job_queue(
    *,
    key: str,
    inspection: Inspection,
    user,
    filename: str,
    stored_file: str,
    sha256: str,
    digest: str,
    rows: int,
):
    """Record a confirmed import for a background job; ``(job, created)``. The same ``key``
    (the preview's token) confirmed again gives the job already recorded, and ``created`` is
    False: the caller queues the task only for a new one."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                key=key,
                inspection=inspection,
                user=user,
                filename=filename,
                stored_file=stored_file,
                sha256=sha256,
                digest=digest,
                rows=rows,
                queued_at=timezone.now(),
            )
    except IntegrityError:
        return ImportJob.objects.get(key=key), False
    log_action(
        action="imports.import_job.queued",
        obj=inspection,
        actor=user,
        data={"job": job.pk, "file": filename, "sha256": sha256, "rows": rows},
    )
    return job, True


class ImportJobFailed(DomainError):
    """What stops a background import: nothing of it is saved, and the job says why."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


def import_job_run(*, job_id: int):
    """Apply a queued import, once: the job, or None when it is done already or another
    worker holds it.

    Marking it running is a conditional UPDATE (from queued only), so the status page can say
    so. The import itself is written in one transaction holding the job's row lock, taken with
    SKIP LOCKED, and only while the job is not done: a second run, a second worker or a job
    queued twice finds it locked or done and does nothing. If a worker dies mid-import its
    transaction rolls back, the lock goes, and running the job again applies it."""
    ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("inspection", "user")
                .exclude(status__in=DONE_STATUSES)
                .filter(pk=job_id)
                .first()
            )
            if job is None:
                return None
            try:
                with transaction.atomic():
                    result = _apply_job(job)
            except ImportJobFailed as failure:
                return _import_job_failed(job, failure.problems)
            job.status = ImportJobStatus.FINISHED
            job.created, job.updated, job.unchanged = (
                result.created,
                result.updated,
                result.unchanged,
            )
            job.problems = []
            job.finished_at = timezone.now()
            job.save(
                update_fields=[
                    "status",
                    "created",
                    "updated",
                    "unchanged",
                    "problems",
                    "finished_at",
                ]
            )
            stored = job.stored_file
            transaction.on_commit(lambda: _delete_stored_upload(stored))
            return job
    except Exception:
        # Not a refusal but a fault (the database went away): nothing was saved; say so, and
        # let the job's own record keep the traceback.
        with transaction.atomic():
            # Unless another worker has taken the job since this one let it go.
            job = (
                ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("inspection", "user")
                .exclude(status__in=DONE_STATUSES)
                .filter(pk=job_id)
                .first()
            )
            if job is not None:
                _import_job_failed(
                    job,
                    [
                        "The import stopped on an unexpected error: nothing was saved. Your "
                        "file is kept; try again later, or ask the service desk."
                    ],
                )
        raise


def _apply_job(job) -> ImportResult:
    from recommendations import policy

    inspection = Inspection.objects.select_for_update().get(pk=job.inspection_id)
    if not job.user.is_active or not policy.can_edit_inspection(job.user, inspection):
        raise ImportJobFailed(
            [f"{job.user} may no longer edit this report, so nothing was imported."]
        )
    data = read_stored_upload(job.stored_file)
    if data is None or file_sha256(data) != job.sha256:
        raise ImportJobFailed(
            [
                "The uploaded file kept for this import is missing or has changed since the "
                "preview. Nothing was saved; upload the file again."
            ]
        )
    plan = read_and_plan(inspection=inspection, data=data, filename=job.filename)
    # What the import page asked at the preview, asked again: permissions may have gone since.
    needed = ["recommendations.add_finding", "recommendations.change_finding"]
    if plan.new_causes:
        needed.append("recommendations.add_causeofconcern")
    if plan.cause_text_changes:
        needed.append("recommendations.change_causeofconcern")
    if not job.user.has_perms(needed):
        raise ImportJobFailed(
            [f"{job.user} may no longer import these findings, so nothing was imported."]
        )
    if not plan.is_valid or plan.digest() != job.digest:
        raise ImportJobFailed(
            [
                "The findings of this report changed after the preview, so what the import "
                "would do has changed too. Nothing was saved: upload the file again to check "
                "the new preview.",
                *plan.problems,
                *(f"Row {row.number}: {error}" for row in plan.rows for error in row.errors),
            ]
        )
    try:
        return apply_import(plan=plan, user=job.user)
    except (DomainError, IntegrityError) as error:
        raise ImportJobFailed([f"Nothing was imported: {error}"]) from error


# A failed job keeps this many of its problems for the status page; the preview lists them all.
PROBLEMS_KEPT = 200


def _import_job_failed(job, problems: list[str]):
    if len(problems) > PROBLEMS_KEPT:
        problems = [
            *problems[:PROBLEMS_KEPT],
            f"… and {len(problems) - PROBLEMS_KEPT:,} more: upload the file again to see them all.",
        ]
    job.status = ImportJobStatus.FAILED
    job.problems = problems
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problems", "finished_at"])
    log_action(
        action="imports.import_job.failed",
        obj=job.inspection,
        actor=job.user,
        data={"job": job.pk, "file": job.filename, "problems": problems[:20]},
    )
    return job


def _delete_stored_upload(name: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(name)
