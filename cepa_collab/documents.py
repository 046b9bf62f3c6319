"""Uploaded documents, one concept for every app: accepted by content (not only by name)
within a size limit, stored outside the web root under a safe name (`store`), and served
only as an attachment with safe headers by a view that has checked who asks (`serve`).

The records are concrete `cepa_collab.models.UploadedDocument`s (deliverable versions,
annotated review files, advisory request documents, contribution attachments).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.http import FileResponse, Http404
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
    return safe_name(original, kind.extension)


def safe_name(original: str, extension: str) -> str:
    """`original` as a slug (no path, ASCII, bounded) with `extension` in place of its own."""
    stem = original.rsplit(".", 1)[0] if "." in original else original
    stem = get_valid_filename(slugify(stem))[:80] or "document"
    return f"{stem}.{extension}"


def download_name(title: str, version_number: int, extension: str) -> str:
    """e.g. `chapter-3-digital-government-v2.pdf`: ASCII, no path, no quotes."""
    stem = slugify(title)[:80] or "document"
    return f"{stem}-v{version_number}.{extension}"


def document_type(content_type: str) -> DocumentType | None:
    """The accepted document type recorded as `content_type`, or None."""
    return next((kind for kind in ACCEPTED if kind.content_type == content_type), None)


# --- store ---------------------------------------------------------------------------------


def store(model: type[models.Model], upload, *, uploaded_by, field: str = "file", **record):
    """Save `upload` as a new `model` document (a concrete `UploadedDocument`) of `record`.

    The upload is accepted by its content (`validate_upload`; a refusal is a
    ValidationError naming `field`); a numbered document gets the next number within
    `model.numbered_within` (the caller holds the lock on the record it numbers under,
    the unique constraint is the safety net); the file is stored under MEDIA_ROOT,
    which no URL serves, as a safe name with the extension its content says; the
    original name, the sniffed type and the size are recorded.
    """
    try:
        kind = validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    document = model(
        original_name=(upload.name or "")[:255],
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=uploaded_by,
        **record,
    )
    if model.numbered_within:
        siblings = model.objects.filter(**{name: record[name] for name in model.numbered_within})
        document.number = (siblings.aggregate(n=Max("number"))["n"] or 0) + 1
    document.file.save(stored_name(upload.name or "", kind), upload, save=False)
    document.save()
    return document


# --- serve ---------------------------------------------------------------------------------

# A downloaded document is never shown in the site's context: no script, no plugin, no
# frame, no shared cache, no type guessing.
SERVE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_IN_NAME.sub("-", decomposed).strip(".-_")


def ascii_name(name: str) -> str:
    """`name` in ASCII letters, digits, dashes and underscores, with its extension (no
    path, no quotes, no spaces): `Côte d’Ivoire.pdf` is `Cote-dIvoire.pdf`."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem, extension = _ascii(stem) or "document", _ascii(extension)
    return f"{stem}.{extension}" if extension else stem


def content_disposition(name: str) -> str:
    """`attachment` with a safe ASCII `filename` and, where the name says more than ASCII
    can, its exact form in `filename*` (RFC 5987/6266), without path or control chars."""
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    fallback = ascii_name(name)
    header = f'attachment; filename="{fallback}"'
    if name != fallback:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def serve(document, *, filename: str | None = None) -> FileResponse:
    """The document's file as a download (404 if the file is missing).

    The caller has loaded `document` through its app's permission loader (which 404s
    for what the person may not see); `serve` checks nothing about the person. The
    file goes out with the type its content was accepted as, as an attachment named
    `filename` (by default `document.download_name()`), never cached by a shared cache
    and never rendered in the site's context.
    """
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing.") from None
    kind = document_type(document.content_type)
    response = FileResponse(
        handle, content_type=kind.content_type if kind else "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition(filename or document.download_name())
    for header, value in SERVE_HEADERS.items():
        response[header] = value
    return response
