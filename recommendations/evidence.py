"""Evidence files: which types are accepted, checked by their content and not only their name.

An upload is accepted when its extension is on the allowlist *and* its first bytes are those of
that type. A renamed executable, a script called ``report.pdf`` or a spreadsheet saved with the
wrong extension is refused with a message that says what to do.
"""

import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class EvidenceType:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = EvidenceType("PDF", "application/pdf", (".pdf",))
DOCX = EvidenceType(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
DOC = EvidenceType("Word 97-2003 document", "application/msword", (".doc",))
XLSX = EvidenceType(
    "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
XLS = EvidenceType("Excel 97-2003 spreadsheet", "application/vnd.ms-excel", (".xls",))
CSV = EvidenceType("CSV", "text/csv", (".csv",))
PNG = EvidenceType("PNG image", "image/png", (".png",))
JPEG = EvidenceType("JPEG image", "image/jpeg", (".jpg", ".jpeg"))

TYPES = (PDF, DOCX, DOC, XLSX, XLS, CSV, PNG, JPEG)
BY_EXTENSION = {extension: kind for kind in TYPES for extension in kind.extensions}
ALLOWED_DESCRIPTION = "PDF, Word, Excel, CSV, PNG or JPEG"
ACCEPT_ATTRIBUTE = ",".join(sorted(BY_EXTENSION))

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 documents


def max_bytes():
    return settings.EVIDENCE_MAX_BYTES


def _extension(name):
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _zip_members(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        upload.seek(0)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if encoding == "utf-8-sig" and error.start >= len(head) - 3:
                return True
            continue
        return True
    return False


def _content_matches(kind: EvidenceType, upload, head: bytes) -> bool:
    if kind is PDF:
        return head.startswith(b"%PDF-")
    if kind is PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if kind in (DOC, XLS):
        return head.startswith(OLE2_SIGNATURE)
    if kind in (DOCX, XLSX):
        if not head.startswith(b"PK\x03\x04"):
            return False
        members = _zip_members(upload)
        folder = "word/" if kind is DOCX else "xl/"
        return "[Content_Types].xml" in members and any(m.startswith(folder) for m in members)
    if kind is CSV:
        return _looks_like_text(head)
    return False


def check_evidence_file(upload) -> EvidenceType:
    """The type of an acceptable upload, or a ``ValidationError`` saying what is wrong with it."""
    name = upload.name or ""
    if upload.size == 0:
        raise ValidationError(f"{name} is empty. Choose a file that has something in it.")
    if upload.size > max_bytes():
        raise ValidationError(
            f"{name} is {filesizeformat(upload.size)}. Each file must be smaller than "
            f"{filesizeformat(max_bytes())}."
        )
    kind = BY_EXTENSION.get(_extension(name))
    if kind is None:
        raise ValidationError(f"{name} must be a {ALLOWED_DESCRIPTION} file.")
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not _content_matches(kind, upload, head):
        raise ValidationError(
            f"{name} is called a {kind.name} but its content is not a {kind.name}. "
            f"Save it again as a {ALLOWED_DESCRIPTION} file and choose it again."
        )
    return kind


# The form field of an upload of evidence, shared by the portal's forms and the API (which
# checks a multipart upload with it), so that both refuse the same files with the same words.

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once, each checked by its content."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES:
            raise ValidationError(f"Choose {MAX_FILES} files or fewer at a time.")
        errors = []
        for upload in files:
            try:
                check_evidence_file(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return list(files)
