"""Reading uploaded versions and comparing them (issue 16, items 5 and 6).

Cases: the text extraction of a 60-page DOCX, ODT and PDF (generated here with
python-docx, odfpy and fpdf2, about 500 words a page), each in the bounded child process
as the Celery task runs it; the word-level comparison of two 30,000-word versions (the
second with a change every few paragraphs); and the comparison page, which reads the
stored result (target: under 100 ms).

The generators (`document_text`, `docx_bytes`, `odt_bytes`, `pdf_bytes`) are used by the
tests too.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from fpdf import FPDF
from odf.opendocument import OpenDocumentText
from odf.text import H, P

from bench.harness import BenchFailure, Context, expect_ok
from bench.registry import benchmark, dataset
from cepa_collab import documents, extraction
from workflows import comparison, texts
from workflows.models import Deliverable, Version

WORDS_PER_PAGE = 500
PARAGRAPH_WORDS = 100
_VOCABULARY = [
    "public",
    "administration",
    "digital",
    "government",
    "service",
    "delivery",
    "citizens",
    "trust",
    "institutions",
    "accountability",
    "transparency",
    "participation",
    "innovation",
    "policy",
    "data",
    "capacity",
    "local",
    "national",
    "regional",
    "strategy",
    "resilience",
    "inclusion",
    "sustainable",
    "development",
    "goals",
    "evidence",
    "coordination",
    "reform",
    "budget",
    "open",
    "procurement",
    "skills",
    "leadership",
    "agencies",
    "municipalities",
    "platforms",
    "interoperability",
    "privacy",
    "security",
    "engagement",
    "outcomes",
    "performance",
    "measurement",
    "review",
    "chapter",
    "survey",
    "compendium",
    "case",
    "study",
    "transferability",
    "adaptability",
    "impact",
    "methodology",
    "quality",
    "clarity",
    "relevance",
]


def document_text(pages: int, *, seed: int = 16) -> list[tuple[str, list[str]]]:
    """`pages` sections of a heading and paragraphs, WORDS_PER_PAGE words each."""
    rng = random.Random(seed)
    sections = []
    for page in range(1, pages + 1):
        paragraphs = [
            " ".join(rng.choices(_VOCABULARY, k=PARAGRAPH_WORDS)).capitalize() + "."
            for _ in range(WORDS_PER_PAGE // PARAGRAPH_WORDS)
        ]
        sections.append((f"Section {page}", paragraphs))
    return sections


def revised(sections: list[tuple[str, list[str]]], *, every: int = 3, seed: int = 17):
    """A later version: every `every`-th paragraph has a few words replaced, added or cut."""
    rng = random.Random(seed)
    out, count = [], 0
    for title, paragraphs in sections:
        changed = []
        for paragraph in paragraphs:
            count += 1
            words = paragraph.split()
            if count % every == 0:
                at = rng.randrange(len(words))
                words[at : at + 3] = rng.choices(_VOCABULARY, k=rng.randint(0, 6))
            changed.append(" ".join(words))
        out.append((title, changed))
    return out


def docx_bytes(sections) -> bytes:

    document = Document()
    for title, paragraphs in sections:
        document.add_heading(title, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
        document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(sections) -> bytes:

    document = OpenDocumentText()
    for title, paragraphs in sections:
        document.text.addElement(H(outlinelevel=1, text=title))
        for paragraph in paragraphs:
            document.text.addElement(P(text=paragraph))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def pdf_bytes(sections) -> bytes:

    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    for title, paragraphs in sections:
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(0, 4, title, new_x="LMARGIN", new_y="NEXT")
        for paragraph in paragraphs:
            pdf.multi_cell(0, 4, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


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
