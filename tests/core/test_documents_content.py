"""Uploads are accepted by content, not by name, within the configured size limit."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from cepa_collab import documents
from tests.factories import PDF_BYTES
from tests.samples import CONTENT_TYPES_XML, docx, odt, pptx, xlsx, zipped


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("report.pdf", PDF_BYTES, documents.PDF),
        ("chapter.docx", docx(), documents.DOCX),
        ("figures.xlsx", xlsx(), documents.XLSX),
        ("slides.pptx", pptx(), documents.PPTX),
        ("chapter.odt", odt(), documents.ODT),
    ],
    ids=["pdf", "docx", "xlsx", "pptx", "odt"],
)
def test_validate_upload_accepts_real_documents(name, data, expected):
    assert documents.validate_upload(upload(name, data)) == expected


def test_validate_upload_goes_by_content_not_by_name():
    # a real DOCX called .pdf is a DOCX (stored and served as one)
    assert documents.validate_upload(upload("chapter.pdf", docx())) == documents.DOCX


def test_validate_upload_leaves_the_file_at_its_start():
    document = upload("chapter.docx", docx())

    documents.validate_upload(document)

    assert document.read(4) == b"PK\x03\x04"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("chapter.docx", zipped([("notes.txt", b"just a zip")])),
        ("chapter.docx", zipped([("[Content_Types].xml", CONTENT_TYPES_XML)])),
        ("chapter.odt", zipped([("mimetype", b"application/epub+zip")], stored_first=True)),
        ("chapter.docx", b"PK\x03\x04 truncated, not really a zip"),
        ("notes.pdf", b"plain text pretending to be a PDF"),
    ],
    ids=["exe-named-pdf", "plain-zip", "ooxml-without-parts", "epub", "broken-zip", "text"],
)
def test_validate_upload_rejects_other_content(name, data):
    with pytest.raises(ValidationError) as excinfo:
        documents.validate_upload(upload(name, data))

    assert excinfo.value.code == "bad_type"
    assert excinfo.value.messages == [
        "This file is not a PDF, DOCX, ODT, XLSX or PPTX document (checked by content)."
    ]


def test_validate_upload_rejects_an_empty_file():
    with pytest.raises(ValidationError) as excinfo:
        documents.validate_upload(upload("empty.pdf", b""))

    assert excinfo.value.code == "empty"
    assert excinfo.value.messages == ["The file is empty."]


def test_validate_upload_rejects_a_file_above_the_limit_with_a_clear_message(settings):
    # given a 2 MB limit
    settings.UPLOAD_MAX_BYTES = 2_000_000
    big = PDF_BYTES + b"0" * 2_500_000

    # when a 2.5 MB PDF is uploaded
    with pytest.raises(ValidationError) as excinfo:
        documents.validate_upload(upload("big.pdf", big))

    # then the message gives its size and the limit
    assert excinfo.value.code == "too_large"
    assert excinfo.value.messages == ["The file is 2.5 MB; the limit is 2 MB."]


def test_validate_upload_accepts_a_file_exactly_at_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES)

    assert documents.validate_upload(upload("exact.pdf", PDF_BYTES)) == documents.PDF


def test_default_upload_limit_is_25_mb(settings):
    assert settings.UPLOAD_MAX_BYTES == 25_000_000


@pytest.mark.parametrize(
    ("title", "number", "extension", "expected"),
    [
        ("Chapter 3: Digital government", 2, "pdf", "chapter-3-digital-government-v2.pdf"),
        ("../../etc/passwd", 1, "docx", "etcpasswd-v1.docx"),
        ('Report "final" \\ draft; name=x.exe', 3, "pdf", "report-final-draft-namexexe-v3.pdf"),
        (
            "Gouvernement numérique — Côte d’Ivoire",
            1,
            "odt",
            "gouvernement-numerique-cote-divoire-v1.odt",
        ),
        ("数字政府", 4, "xlsx", "document-v4.xlsx"),
        ("", 1, "pptx", "document-v1.pptx"),
    ],
    ids=["plain", "path", "quotes", "accents", "non-latin", "empty"],
)
def test_download_name_is_safe(title, number, extension, expected):
    name = documents.download_name(title, number, extension)

    assert name == expected
    assert name.isascii()
    assert not set(name) & set("/\\\"';\r\n ")


def test_download_name_is_bounded():
    assert len(documents.download_name("x" * 500, 12, "pdf")) == len("x" * 80 + "-v12.pdf")


def test_stored_name_is_generated_with_the_extension_the_content_says():
    first, second = documents.stored_name(documents.PDF), documents.stored_name(documents.PDF)

    assert first != second
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", first)
