"""Evidence files are accepted by what they contain, not by their name: each kind's check,
and the refusals a person sees."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations.evidence import (
    CSV,
    DOC,
    DOCX,
    MAX_FILES,
    OLE2_SIGNATURE,
    XLS,
    XLSX,
    EvidenceField,
    check_evidence_file,
)


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<xml/>")
    return buffer.getvalue()


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        check_evidence_file(SimpleUploadedFile(name, content))
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("plan.docx", _zip("[Content_Types].xml", "word/document.xml"), DOCX),
        ("figures.xlsx", _zip("[Content_Types].xml", "xl/workbook.xml"), XLSX),
        ("old.doc", OLE2_SIGNATURE + b"\x00" * 100, DOC),
        ("old.xls", OLE2_SIGNATURE + b"\x00" * 100, XLS),
        ("list.csv", "Reference,Action\nR1,Café\n".encode(), CSV),
        ("list.csv", "Reference,Action\nR1,Caf\xe9\n".encode("cp1252"), CSV),
        # The 4,096-byte sample ends in the middle of a two-byte character: still text.
        ("long.csv", b"a" * 4095 + "é".encode() + b"\n", CSV),
    ],
)
def test_a_file_whose_content_is_its_kind_is_accepted(name, content, kind):
    upload = SimpleUploadedFile(name, content)

    assert check_evidence_file(upload) is kind
    assert upload.tell() == 0  # Left ready to be stored from the start.


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.docx", b"PK\x03\x04 but not really a zip file"),
        ("plan.docx", _zip("[Content_Types].xml", "xl/workbook.xml")),  # A spreadsheet.
        ("plan.docx", _zip("word/document.xml")),
        ("figures.xlsx", b"%PDF-1.7 renamed"),
        ("old.doc", b"{\\rtf1 a rich text file}"),
        ("list.csv", b"R1,\x00\x01binary"),
        ("list.csv", b"R1,\x81\x8d\x8f\x90\x9d"),  # Neither UTF-8 nor Windows-1252.
    ],
)
def test_a_file_whose_content_is_not_its_kind_is_refused(name, content):
    message = _refusal(name, content)

    assert f"{name} is called a" in message
    assert "but its content is not a" in message


def test_an_empty_file_and_an_unknown_kind_are_refused_by_name():
    assert "notes.pdf is empty" in _refusal("notes.pdf", b"")
    assert "run.exe must be a PDF, Word, Excel, CSV, PNG or JPEG file" in _refusal("run.exe", b"MZ")


def test_the_field_takes_at_most_ten_files_and_names_every_bad_one():
    field = EvidenceField(required=False)
    many = [SimpleUploadedFile(f"f{n}.csv", b"a,b\n") for n in range(MAX_FILES + 1)]
    bad = [SimpleUploadedFile("a.pdf", b"not pdf"), SimpleUploadedFile("b.png", b"not png")]

    with pytest.raises(ValidationError, match="Choose 10 files or fewer at a time"):
        field.clean(many)
    with pytest.raises(ValidationError) as refused:
        field.clean(bad)
    assert field.clean(None) == []

    assert len(refused.value.messages) == 2
    assert refused.value.messages[0].startswith("a.pdf is called a PDF")
    assert refused.value.messages[1].startswith("b.png is called a PNG image")
