"""Reading uploaded versions and comparing them (issue 16, items 5 and 6).

Cases: the text extraction of a 60-page DOCX, ODT and PDF (generated here with
python-docx, odfpy and fpdf2, about 500 words a page), each in the bounded child process
as the Celery task runs it; the word-level comparison of two 30,000-word versions (the
second with a change every few paragraphs); and the comparison page, which reads the
stored result (target: under 100 ms).

The documents are written by `bench.text_documents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bench.harness import BenchFailure, Context, expect_ok
from bench.registry import benchmark, dataset
from bench.text_documents import (
    WORDS_PER_PAGE,
    document_text,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    revised,
)
from cepa_collab import documents, extraction
from workflows import comparison, texts
from workflows.models import Deliverable, Version

# --- the cases --------------------------------------------------------------------------------

PAGES = 60
COMPARED_WORDS = 30_000


@dataclass(frozen=True)
class TextsWorld:
    chief: Any
    deliverable: Any
    old_number: int
    new_number: int


def _documents(ctx: Context) -> dict[str, bytes]:
    if "text_documents" not in ctx.data:
        sections = document_text(PAGES)
        ctx.data["text_documents"] = {
            "docx": docx_bytes(sections),
            "odt": odt_bytes(sections),
            "pdf": pdf_bytes(sections),
        }
    return ctx.data["text_documents"]


def _extraction(kind: str):
    def setup(ctx: Context) -> bytes:
        return _documents(ctx)[kind]

    return setup


def _read(kind: str):
    def run(data: bytes) -> None:
        result = extraction.extract_bounded(data, kind)
        if not isinstance(result, extraction.Extracted) or result.words < WORDS_PER_PAGE * PAGES:
            raise BenchFailure(f"{kind}: {result!r:.200}")

    return run


for _kind in ("docx", "odt", "pdf"):
    benchmark(
        f"extract_{_kind}",
        f"Text of a {PAGES}-page {_kind.upper()} ({PAGES * WORDS_PER_PAGE:,} words), "
        "read in the bounded child process as the task does",
        setup=_extraction(_kind),
    )(_read(_kind))


def _paragraph_lists() -> tuple[list[str], list[str]]:
    pages = COMPARED_WORDS // WORDS_PER_PAGE
    old = document_text(pages)
    new = revised(old)
    flatten = lambda sections: [p for title, ps in sections for p in [title, *ps]]  # noqa: E731
    return flatten(old), flatten(new)


@benchmark(
    "compare_30k_words",
    f"Word-level comparison of two {COMPARED_WORDS:,}-word versions (a change in every "
    "third paragraph), as the task computes it",
    setup=lambda ctx: _paragraph_lists(),
)
def compare_30k_words(pair) -> None:
    _ops, added, removed = comparison.diff_words(*pair)
    if not (added and removed):
        raise BenchFailure("no difference found")


@dataset("texts_world", needs=("deliverables",))
def build_texts_world(ctx: Context) -> TextsWorld:
    """Two versions of 30,000 words of one of the deliverables, their texts read and their
    comparison stored, as after the worker's tasks."""
    chief = ctx.data["deliverables"].chief
    deliverable = Deliverable.objects.filter(product__branch__code="e-govb").order_by("pk")[0]
    pages = COMPARED_WORDS // WORDS_PER_PAGE
    old_sections = document_text(pages)
    new_sections = revised(old_sections)
    numbers = []
    with comparison.now():
        for sections in (old_sections, new_sections):
            upload = SimpleUploadedFile(
                "bench.docx", docx_bytes(sections), content_type=documents.DOCX.content_type
            )
            version = documents.store(
                Version, upload, uploaded_by=chief, deliverable=deliverable, notes=""
            )
            texts.version_uploaded(version)
            numbers.append(version.number)
    return TextsWorld(chief, deliverable, numbers[0], numbers[1])


def _compare_page(ctx: Context):
    world: TextsWorld = ctx.data["texts_world"]
    url = (
        f"/deliverables/{world.deliverable.pk}/compare/"
        f"?old={world.old_number}&new={world.new_number}"
    )
    client = ctx.client(world.chief)
    response = expect_ok(client.get(url))
    if b"words added" not in response.content:
        raise BenchFailure("the comparison is not ready")
    return client, url


@benchmark(
    "compare_page",
    f"GET the comparison page of two {COMPARED_WORDS:,}-word versions (stored result) as "
    "the chief (target: under 100 ms)",
    setup=_compare_page,
    needs=("texts_world",),
)
def compare_page(state) -> None:
    client, url = state
    expect_ok(client.get(url))
