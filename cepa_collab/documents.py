"""Uploaded documents: accepted by content (not only by name), within a size limit."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
DOCX = DocumentType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (DOCX)",
)
XLSX = DocumentType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"
)
PPTX = DocumentType(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint (PPTX)",
)
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text (ODT)")
ACCEPTED = (PDF, DOCX, ODT, XLSX, PPTX)
_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def max_upload_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def sniff(upload) -> DocumentType | None:
    """The document type the bytes say, whatever the file is called."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return ODT if mimetype == ODT.content_type else None
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def validate_upload(upload) -> DocumentType:
    """Raise ValidationError with a clear message unless the upload is an accepted document."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": upload.size / 1_000_000, "limit": limit / 1_000_000},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _("This file is not a PDF, DOCX, ODT, XLSX or PPTX document (checked by content)."),
            code="bad_type",
        )
    return kind


def stored_name(original: str, kind: DocumentType) -> str:
    """A safe name to store the upload under, with the extension its content says."""
    stem = original.rsplit(".", 1)[0] if "." in original else original
    stem = get_valid_filename(slugify(stem))[:80] or "document"
    return f"{stem}.{kind.extension}"


def download_name(title: str, version_number: int, extension: str) -> str:
    """e.g. `chapter-3-digital-government-v2.pdf`: ASCII, no path, no quotes."""
    stem = slugify(title)[:80] or "document"
    return f"{stem}-v{version_number}.{extension}"
