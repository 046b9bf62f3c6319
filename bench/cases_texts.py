"""Reading uploaded versions and comparing them (issue 16, items 5 and 6).

Cases: the text extraction of a 60-page DOCX, ODT and PDF (scale `text_pages`; written by
`bench.text_documents` with python-docx, odfpy and fpdf2, about 500 words a page), each in
the bounded child process as the Celery task runs it; the word-level comparison of two
30,000-word versions (scale `compared_words`; a change in every third paragraph); and the
comparison page, which reads the stored result (target: under 100 ms).
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

KINDS = ("docx", "odt", "pdf")


@dataclass(frozen=True)
class TextDocuments:
    pages: int
    documents: dict[str, bytes]  # kind → a document of `pages` pages
    old: list[str]  # the paragraphs of two versions of `compared_words` words
    new: list[str]


@dataclass(frozen=True)
class TextsWorld:
    chief: Any
    deliverable: Any
    old_number: int
    new_number: int


def _paragraphs(sections) -> list[str]:
    return [p for title, paragraphs in sections for p in [title, *paragraphs]]


@dataset("text_documents", scale={"text_pages": 60, "compared_words": 30_000})
def build_text_documents(ctx: Context) -> TextDocuments:
    """A DOCX, an ODT and a PDF of `text_pages` pages; two versions of `compared_words`."""
    pages = ctx.scale["text_pages"]
    sections = document_text(pages)
    compared = document_text(max(1, ctx.scale["compared_words"] // WORDS_PER_PAGE))
    return TextDocuments(
        pages=pages,
        documents={
            "docx": docx_bytes(sections),
            "odt": odt_bytes(sections),
            "pdf": pdf_bytes(sections),
        },
        old=_paragraphs(compared),
        new=_paragraphs(revised(compared)),
    )


def _extraction(kind: str):
    def setup(ctx: Context) -> tuple[bytes, int]:
        made: TextDocuments = ctx.data["text_documents"]
        return made.documents[kind], made.pages * WORDS_PER_PAGE

    return setup


def _read(kind: str):
    def run(state: tuple[bytes, int]) -> None:
        data, words = state
        result = extraction.extract_bounded(data, kind)
        if not isinstance(result, extraction.Extracted) or result.words < words:
            raise BenchFailure(f"{kind}: {result!r:.200}")

    return run


for _kind in KINDS:
    benchmark(
        f"extract_{_kind}",
        f"Text of a {{text_pages:,}}-page {_kind.upper()} ({WORDS_PER_PAGE} words a page), "
        "read in the bounded child process as the task does",
        setup=_extraction(_kind),
        needs=("text_documents",),
    )(_read(_kind))


@benchmark(
    "compare_words",
    "Word-level comparison of two {compared_words:,}-word versions (a change in every third "
    "paragraph), as the task computes it",
    setup=lambda ctx: ctx.data["text_documents"],
    needs=("text_documents",),
)
def compare_words(made: TextDocuments) -> None:
    _ops, added, removed = comparison.diff_words(made.old, made.new)
    if not (added and removed):
        raise BenchFailure("no difference found")


@dataset("texts_world", needs=("deliverables", "text_documents"))
def build_texts_world(ctx: Context) -> TextsWorld:
    """Two versions of `compared_words` words of one of the deliverables, their texts read
    and their comparison stored, as after the worker's tasks."""
    chief = ctx.data["deliverables"].chief
    deliverable = Deliverable.objects.filter(product__branch__code="e-govb").order_by("pk")[0]
    made: TextDocuments = ctx.data["text_documents"]
    numbers = []
    with comparison.now():
        for paragraphs in (made.old, made.new):
            content = docx_bytes([(paragraphs[0], paragraphs[1:])])
            upload = SimpleUploadedFile(
                "bench.docx", content, content_type=documents.DOCX.content_type
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
    "GET the comparison page of two {compared_words:,}-word versions (stored result) as "
    "the chief (target: under 100 ms)",
    setup=_compare_page,
    needs=("texts_world",),
)
def compare_page(state) -> None:
    client, url = state
    expect_ok(client.get(url))


def _compare_form(ctx: Context):
    world: TextsWorld = ctx.data["texts_world"]
    return ctx.client(world.chief), f"/deliverables/{world.deliverable.pk}/compare/"


@benchmark(
    "compare_page_shell",
    "GET the comparison page with no comparison chosen (its form only), for reference",
    setup=_compare_form,
    needs=("texts_world",),
)
def compare_page_shell(state) -> None:
    client, url = state
    expect_ok(client.get(url))
