"""Uploaded documents, one concept for every app: accepted by content (not only by name)
within a size limit, stored outside the web root under a generated name (`store`), and
served only as an attachment with safe headers, under the name it was uploaded with, by a
view that has checked who asks (`serve`).

The records are concrete `cepa_collab.models.UploadedDocument`s (deliverable versions,
annotated review files, advisory request documents, contribution attachments).

The content checks are bounded whatever the bytes: the request body is cut at the upload
limit before anything is checked (`cepa_collab.uploads`); an archive (DOCX, XLSX, PPTX,
ODT) is refused before it is opened when its directory is too large, and before any
member is read when a member declares too much data or a suspicious compression ratio;
a member is then read in chunks, at most `ZIP_READ_MAX_BYTES`, never whole into memory.
"""

from __future__ import annotations

import datetime
import logging
import re
import struct
import unicodedata
import uuid
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import DependencyError

from cepa_collab.uploads import UnreceivedUpload

logger = logging.getLogger(__name__)


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

# The main part of each OOXML document: its name, the content type [Content_Types].xml
# must give it (a macro-enabled or template main part is another format) and its root.
_OOXML_MAIN = (
    (
        DOCX,
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "document",
    ),
    (
        XLSX,
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "workbook",
    ),
    (
        PPTX,
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "presentation",
    ),
)

# --- the bounds of the content checks -------------------------------------------------------

ZIP_MAX_MEMBERS = 5_000  # members of one archive
ZIP_MAX_DIRECTORY_BYTES = 2 * 2**20  # its central directory, read before any member
ZIP_MAX_TOTAL_BYTES = 2**30  # all its members' declared sizes together
ZIP_MAX_RATIO = 200  # declared size / compressed size, of a member over ZIP_RATIO_FROM
ZIP_RATIO_FROM = 2**20
ZIP_READ_MAX_BYTES = 64 * 2**20  # the most of one member ever read (the main part)
ZIP_SMALL_PART_BYTES = 2**20  # [Content_Types].xml, _rels/.rels, the ODF manifest
_CHUNK = 64 * 1024
# Members that make a web page of an archive, never part of an accepted document.
_WEB_EXTENSIONS = frozenset({"html", "htm", "xhtml", "xht", "shtml", "js", "mjs"})
# HTML markup at either end of a PDF (a PDF/HTML polyglot): the first and last KB.
PDF_MARKUP_WINDOW = 1024
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|!--|html|head|body|script|iframe|frame|frameset|object|embed|svg"
    rb"|meta|link|style|title|base|form|img|div|table|h1|p|br|a)(?=[\s/>])",
    re.IGNORECASE,
)


def max_upload_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


class _Refused(Exception):
    """The content is not an accepted document; `code` says why (see `_MESSAGES`)."""

    def __init__(self, code: str = "bad_type"):
        super().__init__(code)
        self.code = code


def _messages() -> dict[str, str]:
    return {
        "bad_type": _(
            "This file is not a PDF, DOCX, ODT, XLSX or PPTX document (checked by content)."
        ),
        "unpacks_too_large": _(
            "This file unpacks to too much data to be checked safely; it was not accepted."
        ),
        "web_content": _(
            "This file holds web page content besides the document; it was not accepted."
        ),
    }


def sniff(upload) -> DocumentType | None:
    """The accepted document type the bytes say, whatever the file is called (None when
    they say none, or say it with something else besides)."""
    try:
        return _inspect(upload)
    except _Refused:
        return None


def _inspect(upload) -> DocumentType:
    upload.seek(0)
    try:
        head = upload.read(8)
        if head.startswith(b"%PDF-"):
            _check_pdf(upload)
            return PDF
        if head.startswith(b"PK\x03\x04"):
            return _check_package(upload)
        raise _Refused
    finally:
        upload.seek(0)


# --- PDF ---------------------------------------------------------------------------------------


def _check_pdf(upload) -> None:
    """No HTML markup at either end (a polyglot); a header, cross-reference table and
    trailer that parse, and a catalogue with at least one page (unless encrypted)."""
    upload.seek(0)
    start = upload.read(PDF_MARKUP_WINDOW)
    upload.seek(max(0, upload.size - PDF_MARKUP_WINDOW))
    end = upload.read(PDF_MARKUP_WINDOW)
    if _MARKUP.search(start) or _MARKUP.search(end):
        raise _Refused("web_content")
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if "/Root" not in reader.trailer:
            raise _Refused
        if not reader.is_encrypted and len(reader.pages) < 1:
            raise _Refused
    except DependencyError:
        # Encrypted with AES, which pypdf reads only with an optional library: the
        # header, the cross-references and the trailer did parse.
        return
    except _Refused:
        raise
    except Exception:  # a parser of hostile bytes may fail in any way: not a PDF
        logger.info("Refused an upload starting %%PDF- that does not parse", exc_info=True)
        raise _Refused from None


# --- archives (OOXML, ODF) -------------------------------------------------------------------


def _check_package(upload) -> DocumentType:
    _check_directory(upload)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            _check_members(members)
            if members[0].filename == "mimetype":
                return _check_odf(archive, members)
            if "[Content_Types].xml" in {member.filename for member in members}:
                return _check_ooxml(archive, members)
            raise _Refused
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError):
        raise _Refused from None
    except (OSError, ValueError, EOFError, zlib.error, struct.error):
        raise _Refused from None


def _check_directory(upload) -> None:
    """Read the end of central directory record ourselves, before `zipfile` reads the
    whole directory into memory: one disk, no ZIP64, a bounded directory and count."""
    size = upload.size
    window = min(size, 22 + 0xFFFF)
    upload.seek(size - window)
    tail = upload.read(window)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _Refused
    _sig, disk, directory_disk, here, count, directory_size, _offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    zip64 = count == 0xFFFF or tail[max(0, at - 20) : at].startswith(b"PK\x06\x07")
    if zip64 or disk or directory_disk or here != count or count == 0:
        raise _Refused
    if count > ZIP_MAX_MEMBERS or directory_size > ZIP_MAX_DIRECTORY_BYTES:
        raise _Refused("unpacks_too_large")


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    """The declared sizes and ratios are bounded, every member is plainly stored or
    deflated and unencrypted, named once, and none is a web page."""
    if not members or len(members) > ZIP_MAX_MEMBERS:
        raise _Refused("unpacks_too_large" if members else "bad_type")
    names = set()
    total = 0
    for member in members:
        if member.filename in names:
            raise _Refused  # two members of one name: readers disagree on which is read
        names.add(member.filename)
        if member.flag_bits & 0x1 or member.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise _Refused
        total += member.file_size
        if member.file_size > ZIP_RATIO_FROM and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise _Refused("unpacks_too_large")
        extension = member.filename.rsplit("/", 1)[-1].rpartition(".")[2].lower()
        if extension in _WEB_EXTENSIONS:
            raise _Refused("web_content")
    if total > ZIP_MAX_TOTAL_BYTES:
        raise _Refused("unpacks_too_large")


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The member's bytes in chunks, refused past `limit` declared or read (the CRC and
    the declared size are checked by `zipfile` as it reads)."""
    if member.file_size > limit:
        raise _Refused("unpacks_too_large")
    read = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > limit:
                raise _Refused("unpacks_too_large")
            yield chunk


def _forbidden(*_args):
    raise _Refused


def _xml_root(chunks: Iterator[bytes], on_element: Callable | None = None) -> str:
    """The local name of the root of well-formed XML given in `chunks`, parsed as a stream
    (no tree kept), without DTD or entities (no billion laughs, no external entity)."""
    parser = ParserCreate()
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    root: list[str] = []

    def start(name: str, attributes: dict) -> None:
        if not root:
            root.append(name.rpartition(":")[2])
        if on_element is not None:
            on_element(name.rpartition(":")[2], attributes)
        else:
            parser.StartElementHandler = None  # the root is known: parse at full speed

    parser.StartElementHandler = start
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ExpatError:
        raise _Refused from None
    return root[0] if root else ""


def _check_ooxml(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> DocumentType:
    """An Office Open XML package: every member has a content type in
    [Content_Types].xml (the package's list of its parts), the relationships part is
    there, and the main part has its format's content type and parses."""
    by_name = {member.filename: member for member in members}
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}

    def content_types(name: str, attributes: dict) -> None:
        if name == "Default":
            defaults[attributes.get("Extension", "").lower()] = attributes.get("ContentType")
        elif name == "Override":
            overrides[attributes.get("PartName", "").lower()] = attributes.get("ContentType")

    types = by_name["[Content_Types].xml"]
    if _xml_root(_read(archive, types, ZIP_SMALL_PART_BYTES), content_types) != "Types":
        raise _Refused

    def content_type(name: str) -> str | None:
        return overrides.get(f"/{name.lower()}") or defaults.get(
            name.rsplit("/", 1)[-1].rpartition(".")[2].lower()
        )

    for member in members:
        if not member.is_dir() and member is not types and not content_type(member.filename):
            raise _Refused  # a member outside the package's parts
    relationships = by_name.get("_rels/.rels")
    if relationships is None:
        raise _Refused
    if _xml_root(_read(archive, relationships, ZIP_SMALL_PART_BYTES)) != "Relationships":
        raise _Refused
    for kind, name, main_type, root in _OOXML_MAIN:
        if name in by_name and content_type(name) == main_type:
            if _xml_root(_read(archive, by_name[name], ZIP_READ_MAX_BYTES)) != root:
                raise _Refused
            return kind
    raise _Refused


def _check_odf(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> DocumentType:
    """An OpenDocument text: `mimetype` first, stored, exactly ODT's type; `content.xml`
    and the manifest there and parsing."""
    mimetype = ODT.content_type.encode("ascii")
    first = members[0]
    if first.compress_type != zipfile.ZIP_STORED or first.file_size != len(mimetype):
        raise _Refused
    if b"".join(_read(archive, first, len(mimetype))) != mimetype:
        raise _Refused
    by_name = {member.filename: member for member in members}
    if "content.xml" not in by_name or "META-INF/manifest.xml" not in by_name:
        raise _Refused
    manifest = by_name["META-INF/manifest.xml"]
    if _xml_root(_read(archive, manifest, ZIP_SMALL_PART_BYTES)) != "manifest":
        raise _Refused
    if _xml_root(_read(archive, by_name["content.xml"], ZIP_READ_MAX_BYTES)) != (
        "document-content"
    ):
        raise _Refused
    return ODT


# --- validate ----------------------------------------------------------------------------------


def validate_upload(upload) -> DocumentType:
    """Raise ValidationError with a clear message unless the upload is an accepted document."""
    limit = max_upload_bytes()
    if isinstance(upload, UnreceivedUpload):
        raise ValidationError(unreceived_message(), code="too_large")
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": upload.size / 1_000_000, "limit": limit / 1_000_000},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    try:
        return _inspect(upload)
    except _Refused as refused:
        raise ValidationError(_messages()[refused.code], code=refused.code) from None


def unreceived_message() -> str:
    """Why an upload the request handler stopped reading (`UnreceivedUpload`) is refused."""
    return _(
        "This upload is over the limit of %(limit)s MB (all its files together); "
        "it was not received."
    ) % {"limit": f"{max_upload_bytes() / 1_000_000:.2f}".rstrip("0").rstrip(".")}


def refusal(upload) -> str | None:
    """What a form says of an upload before its service is asked: why it was not received,
    or None (the service checks the rest)."""
    return unreceived_message() if isinstance(upload, UnreceivedUpload) else None


# --- names -------------------------------------------------------------------------------------


def stored_name(kind: DocumentType) -> str:
    """The name a file is stored under: generated (whatever script, path or length the
    uploaded name has), with the extension its content says."""
    return f"{uuid.uuid4().hex}.{kind.extension}"


def uploaded_name(original: str, extension: str) -> str:
    """The name a document is downloaded under: the one it was uploaded with (any script),
    with the extension its content says (`content_disposition` makes it safe)."""
    stem = original.rsplit(".", 1)[0] if "." in original else original
    return f"{stem.strip() or 'document'}.{extension}"


def download_name(title: str, version_number: int, extension: str) -> str:
    """e.g. `chapter-3-digital-government-v2.pdf`: ASCII, no path, no quotes."""
    stem = slugify(title)[:80] or "document"
    return f"{stem}-v{version_number}.{extension}"


def document_type(content_type: str) -> DocumentType | None:
    """The accepted document type recorded as `content_type`, or None."""
    return next((kind for kind in ACCEPTED if kind.content_type == content_type), None)


# --- store -----------------------------------------------------------------------------------


def store(model: type[models.Model], upload, *, uploaded_by, field: str = "file", **record):
    """Save `upload` as a new `model` document (a concrete `UploadedDocument`) of `record`.

    The upload is accepted by its content (`validate_upload`; a refusal is a
    ValidationError naming `field`); a numbered document gets the next number within
    `model.numbered_within` (the caller holds the lock on the record it numbers under,
    the unique constraint is the safety net); the file is stored under MEDIA_ROOT,
    which no URL serves, under a generated name with the extension its content says; the
    original name, the sniffed type and the size are recorded. If the transaction the
    record is saved in rolls back, the file goes too (`_keep_if_committed`).
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
    document.file.save(stored_name(kind), upload, save=False)
    try:
        document.save()
    except BaseException:
        _delete_file(document.file.storage, document.file.name)
        raise
    _keep_if_committed(document.file.storage, document.file.name)
    return document


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete the stored file %s", name, exc_info=True)


def _delete_unless_committed(committed: list, storage, name: str) -> None:
    if not committed:
        _delete_file(storage, name)


def _keep_if_committed(storage, name: str) -> None:
    """Delete the file `name` if the transaction now open rolls back.

    Django has no on-rollback hook, but a rollback (of the transaction or of the savepoint
    the file was stored in) drops that transaction's on-commit callbacks unrun: the file
    goes when its callback is dropped without having been called. Outside a transaction
    the callback runs at once, and the file stays.
    """
    committed: list[bool] = []

    def kept() -> None:
        committed.append(True)

    kept.stored_file = name  # what this callback is for (`keeps_a_file`)

    weakref.finalize(kept, _delete_unless_committed, committed, storage, name)
    transaction.on_commit(kept)


def keeps_a_file(callback) -> bool:
    """Whether an on-commit callback only keeps a stored file (does nothing else)."""
    return hasattr(callback, "stored_file")


def forget_file(sender, instance, using: str, **kwargs) -> None:
    """Delete a deleted document's file once the deletion commits (connected to every
    concrete `UploadedDocument`'s `post_delete` by `CepaCollabConfig.ready`).

    Storage housekeeping, not a rule: it is a signal because a deletion often comes by
    cascade (a deliverable and its versions, a contribution and its attachments), where no
    service sees the rows go. If the deletion rolls back, the file stays.
    """
    if instance.file.name:
        transaction.on_commit(
            partial(_delete_file, instance.file.storage, instance.file.name), using=using
        )


# --- orphans -----------------------------------------------------------------------------------


def referenced_files() -> set[str]:
    """The names every file field of every record points to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                rows = model._default_manager.exclude(**{field.name: ""})
                names.update(rows.values_list(field.name, flat=True).iterator())
    return names


def _stored_files(storage, folder: str = "") -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in folders:
        yield from _stored_files(storage, f"{folder}/{name}" if folder else name)


def orphan_files(*, older_than: datetime.datetime) -> list[str]:
    """The stored files (under MEDIA_ROOT) that no record points to, last changed before
    `older_than` (a younger one may belong to a transaction still open)."""
    if not default_storage.exists(""):
        return []
    referenced = referenced_files()
    return sorted(
        name
        for name in _stored_files(default_storage)
        if name not in referenced and default_storage.get_modified_time(name) < older_than
    )


def stale_upload_spools(*, older_than: datetime.datetime) -> list[Path]:
    """Django's spooled upload files (FILE_UPLOAD_TEMP_DIR) last changed before
    `older_than`: a request finished long ago, so a worker killed mid-upload left them."""
    if not settings.FILE_UPLOAD_TEMP_DIR:
        return []  # the system's temporary folder is not ours to sweep
    folder, limit = Path(settings.FILE_UPLOAD_TEMP_DIR), older_than.timestamp()
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.is_file() and path.stat().st_mtime < limit
    )


def remove_files(names: list[str]) -> int:
    """Delete the stored files `names`; the number deleted."""
    for name in names:
        _delete_file(default_storage, name)
    return sum(1 for name in names if not default_storage.exists(name))


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
