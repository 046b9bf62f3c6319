"""Upload attacks (issue 12, findings 1, 3 and 6): zip bombs, polyglots and archives with
members outside their format are refused by bounded checks; a file name in any script is
accepted. The content checks are tested on `documents.validate_upload`; the names through
every upload page and API endpoint, from outside."""

from __future__ import annotations

import tracemalloc
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from cepa_collab import documents
from contributions.models import Attachment
from tests.core.upload_paths import PATHS, upload_paths
from tests.factories import PDF_BYTES
from tests.samples import (
    ODT_TYPE,
    RELS,
    content_types,
    crafted_zip,
    deflated,
    deflated_zeros,
    docx,
    minimal_pdf,
    odt,
    stored,
    zipped,
)

GIB = 2**30
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(data: bytes, name: str = "document") -> tuple[str, int]:
    """The code `validate_upload` refuses `data` with, and the peak memory it took (bytes
    allocated by Python while checking, beyond the upload itself)."""
    document = upload(name, data)
    tracemalloc.start()
    try:
        documents.validate_upload(document)
    except ValidationError as exc:
        code = exc.code
    else:
        code = "accepted"
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return code, peak


def docx_with_main(entry) -> bytes:
    return crafted_zip(
        [
            deflated("[Content_Types].xml", content_types(("word/document.xml", DOCX_MAIN))),
            deflated("_rels/.rels", RELS),
            entry,
        ]
    )


# --- zip bombs (finding 1) ----------------------------------------------------------------


def test_an_odt_whose_mimetype_inflates_to_1_gib_is_refused_without_inflating_it():
    # given a 1 MB ODT whose `mimetype` member inflates to 1 GiB
    zeros, crc = deflated_zeros(GIB)
    bomb = crafted_zip([("mimetype", zipfile.ZIP_DEFLATED, zeros, crc, GIB)])
    assert len(bomb) < 1_100_000

    # then it is refused as a bomb, having taken next to no memory
    code, peak = refusal(bomb, "report.odt")
    assert code == "unpacks_too_large"
    assert peak < 2_000_000


def test_a_docx_whose_document_inflates_to_1_gib_is_refused_without_inflating_it():
    zeros, crc = deflated_zeros(GIB)

    code, peak = refusal(docx_with_main(("word/document.xml", 8, zeros, crc, GIB)))

    assert code == "unpacks_too_large"
    assert peak < 2_000_000


def test_a_bomb_whose_directory_lies_about_its_size_is_refused_reading_no_more_than_declared():
    # given a main part declared as 1,000 bytes whose data inflates to 1 GiB
    zeros, _crc = deflated_zeros(GIB)

    code, peak = refusal(docx_with_main(("word/document.xml", 8, zeros, 0, 1_000)))

    # then reading stops at the declared size (which the data does not match)
    assert code == "bad_type"
    assert peak < 2_000_000


def test_a_member_compressed_beyond_the_ratio_is_refused_even_unread():
    # 2 MiB of zeros, deflated about a thousand times, in a member nothing reads
    zeros, crc = deflated_zeros(2 * 2**20)
    entry = ("word/media/padding.xml", zipfile.ZIP_DEFLATED, zeros, crc, 2 * 2**20)
    archive = crafted_zip(
        [
            deflated("[Content_Types].xml", content_types(("word/document.xml", DOCX_MAIN))),
            deflated("_rels/.rels", RELS),
            deflated("word/document.xml", b"<w:document/>"),
            entry,
        ]
    )

    assert refusal(archive)[0] == "unpacks_too_large"


def test_the_main_part_is_read_no_further_than_the_bound(monkeypatch):
    monkeypatch.setattr(documents, "ZIP_READ_MAX_BYTES", 1_000)
    document = b"<w:document>" + b" " * 2_000 + b"</w:document>"

    assert refusal(docx_with_main(deflated("word/document.xml", document)))[0] == (
        "unpacks_too_large"
    )
    assert refusal(docx_with_main(deflated("word/document.xml", b"<w:document/>")))[0] == (
        "accepted"
    )


def test_the_members_of_an_archive_are_counted_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(documents, "ZIP_MAX_MEMBERS", 10)
    many = [stored(f"word/media/{n}.xml", b"<a/>") for n in range(11)]

    assert refusal(crafted_zip(many))[0] == "unpacks_too_large"


def test_the_declared_sizes_of_all_members_together_are_bounded(monkeypatch):
    monkeypatch.setattr(documents, "ZIP_MAX_TOTAL_BYTES", 100)

    assert refusal(docx(("word/styles.xml", b"<w:styles>" + b" " * 200 + b"</w:styles>")))[0] == (
        "unpacks_too_large"
    )


def test_xml_with_entities_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document>&b;</w:document>'
    )

    assert refusal(docx_with_main(deflated("word/document.xml", laughs)))[0] == "bad_type"


# --- structure and polyglots (finding 6) --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (minimal_pdf(head=b"%<html><script>alert(document.domain)</script></html>\n"), "web"),
        (minimal_pdf() + b"<!DOCTYPE html><body onload=alert(1)>", "web"),
        (b"%PDF-1.7\n%%EOF\n", "bad"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "bad"),
        (minimal_pdf((b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>")), "bad"),
    ],
    ids=["html-at-start", "html-at-end", "no-xref", "no-catalogue", "no-page"],
)
def test_a_pdf_must_parse_and_hold_no_html(data, code):
    expected = {"web": "web_content", "bad": "bad_type"}[code]

    assert refusal(data, "report.pdf")[0] == expected


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (docx(("index.html", b"<html><script>alert(1)</script></html>")), "web_content"),
        (zipped([("index.html", b"<html></html>")]), "web_content"),
        (docx(("payload.bin", b"MZ")), "bad_type"),
        (
            zipped(
                [
                    ("[Content_Types].xml", content_types(("word/document.xml", "text/plain"))),
                    ("_rels/.rels", RELS),
                    ("word/document.xml", b"<w:document/>"),
                ]
            ),
            "bad_type",
        ),
        (
            zipped(
                [
                    (
                        "[Content_Types].xml",
                        content_types(
                            ("word/document.xml", "application/vnd.ms-word.document.macroEnabled")
                        ),
                    ),
                    ("_rels/.rels", RELS),
                    ("word/document.xml", b"<w:document/>"),
                ]
            ),
            "bad_type",
        ),
        (docx_with_main(deflated("word/document.xml", b"<w:document>")), "bad_type"),
        (docx_with_main(deflated("word/document.xml", b"<w:body/>")), "bad_type"),
        (
            zipped(
                [
                    ("[Content_Types].xml", content_types(("word/document.xml", DOCX_MAIN))),
                    ("word/document.xml", b"<w:document/>"),
                ]
            ),
            "bad_type",
        ),
        (
            crafted_zip(
                [
                    deflated(
                        "[Content_Types].xml", content_types(("word/document.xml", DOCX_MAIN))
                    ),
                    deflated("_rels/.rels", RELS),
                    deflated("word/document.xml", b"<w:document/>"),
                    deflated("word/document.xml", b"<html/>"),
                ]
            ),
            "bad_type",
        ),
    ],
    ids=[
        "docx-with-index-html",
        "zip-of-index-html",
        "member-outside-the-package",
        "main-part-of-another-type",
        "macro-enabled",
        "main-part-broken",
        "main-part-not-a-document",
        "no-relationships",
        "two-members-of-one-name",
    ],
)
def test_an_office_package_must_be_what_it_says_and_nothing_else(data, code):
    assert refusal(data, "chapter.docx")[0] == code


@pytest.mark.parametrize(
    "data",
    [
        zipped(
            [("content.xml", b"<office:document-content/>"), ("mimetype", ODT_TYPE)],
        ),
        zipped(
            [
                ("mimetype", ODT_TYPE),
                ("content.xml", b"<office:document-content/>"),
                ("META-INF/manifest.xml", b"<manifest:manifest/>"),
            ]
        ),
        zipped(
            [("mimetype", ODT_TYPE), ("META-INF/manifest.xml", b"<manifest:manifest/>")],
            stored_first=True,
        ),
        zipped(
            [
                ("mimetype", ODT_TYPE + b" "),
                ("content.xml", b"<office:document-content/>"),
                ("META-INF/manifest.xml", b"<manifest:manifest/>"),
            ],
            stored_first=True,
        ),
        zipped(
            [
                ("mimetype", ODT_TYPE),
                ("content.xml", b"<office:document-content>"),
                ("META-INF/manifest.xml", b"<manifest:manifest/>"),
            ],
            stored_first=True,
        ),
    ],
    ids=["mimetype-not-first", "mimetype-compressed", "no-content", "mimetype-padded", "broken"],
)
def test_an_odt_must_have_its_mimetype_first_and_stored_and_its_content(data):
    assert refusal(data, "chapter.odt")[0] == "bad_type"


def test_an_odt_holding_a_web_page_is_refused():
    assert refusal(odt(("Pictures/index.htm", b"<html/>")), "chapter.odt")[0] == "web_content"


def test_refusals_say_why():
    with pytest.raises(ValidationError) as bomb:
        documents.validate_upload(
            upload("bomb.odt", crafted_zip([("mimetype", 8, *deflated_zeros(GIB), GIB)]))
        )
    with pytest.raises(ValidationError) as polyglot:
        documents.validate_upload(upload("page.pdf", minimal_pdf(head=b"%<html>\n")))

    assert bomb.value.messages == [
        "This file unpacks to too much data to be checked safely; it was not accepted."
    ]
    assert polyglot.value.messages == [
        "This file holds web page content besides the document; it was not accepted."
    ]


# --- file names in any script (finding 3), through every upload page and endpoint ---------

NAMES = ["تقرير.pdf", "报告.pdf", "Отчёт.pdf", "Αναφορά.pdf", "रिपोर्ट.pdf", "!!!.pdf", ".pdf"]


def expected_disposition(name: str) -> str:
    stem = name.rsplit(".", 1)[0].strip()
    exact = f"{stem or 'document'}.pdf"
    fallback = documents.ascii_name(exact)
    if fallback == exact:
        return f'attachment; filename="{fallback}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(exact, safe='')}"


@upload_paths
def test_a_file_name_in_any_script_is_accepted_on_the_page(path, paths, client):
    client.force_login(getattr(paths, path.who))

    for name in NAMES:
        response = path.page_post(client, paths, SimpleUploadedFile(name, PDF_BYTES))

        assert response.status_code == 302, (name, response.content[:2000])
        latest = path.documents(paths).latest("pk")
        assert latest.original_name == name
        assert latest.file.name.endswith(".pdf")


@upload_paths
def test_a_file_name_in_any_script_is_accepted_by_the_api(path, paths):
    api = APIClient()
    api.force_authenticate(getattr(paths, path.who))

    for name in NAMES:
        response = path.api_send(api, paths, SimpleUploadedFile(name, PDF_BYTES))

        assert response.status_code in (200, 201), (name, response.content)
        assert path.documents(paths).latest("pk").original_name == name


@pytest.mark.parametrize("name", NAMES)
def test_a_document_downloads_under_its_uploaded_name_in_any_script(name, paths, client):
    # an attachment is downloaded under the name it was uploaded with
    api = APIClient()
    api.force_authenticate(paths.cepa_member)
    PATHS["attachment"].api_send(api, paths, SimpleUploadedFile(name, PDF_BYTES))
    attachment = Attachment.objects.get(contribution=paths.contribution)
    client.force_login(paths.cepa_member)

    response = client.get(
        reverse("contributions:attachment", args=[paths.contribution.pk, attachment.pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == expected_disposition(name)
    assert response["Content-Disposition"].isascii()
    response.close()


# --- every path refuses them, naming the field -------------------------------------------


def hostile_files() -> dict[str, tuple[bytes, str]]:
    zeros, crc = deflated_zeros(GIB)
    return {
        "bomb.odt": (
            crafted_zip([("mimetype", zipfile.ZIP_DEFLATED, zeros, crc, GIB)]),
            "This file unpacks to too much data to be checked safely; it was not accepted.",
        ),
        "page.pdf": (
            minimal_pdf(head=b"%<html><script>alert(document.domain)</script></html>\n"),
            "This file holds web page content besides the document; it was not accepted.",
        ),
        "site.docx": (
            docx(("index.html", b"<html><script>alert(1)</script></html>")),
            "This file holds web page content besides the document; it was not accepted.",
        ),
    }


@upload_paths
def test_every_path_refuses_bombs_and_polyglots_naming_the_field(path, paths, client):
    client.force_login(getattr(paths, path.who))
    api = APIClient()
    api.force_authenticate(getattr(paths, path.who))
    before = path.documents(paths).count()

    for name, (data, message) in hostile_files().items():
        page = path.page_post(client, paths, SimpleUploadedFile(name, data))
        sent = path.api_send(api, paths, SimpleUploadedFile(name, data))

        assert page.status_code == 400, name
        assert page.context["form"].errors[path.field] == [message]
        field = "file" if path.field == "attachments" else path.field
        assert (sent.status_code, sent.json()) == (400, {field: [message]}), name
    assert path.documents(paths).count() == before
