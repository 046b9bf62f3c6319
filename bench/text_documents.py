"""Documents of many pages written for the benchmarks and the tests of versions' texts
(`bench/cases_texts.py`, `tests/core/test_extraction.py`): about 500 words a page under a
heading per page, as DOCX (python-docx), ODT (odfpy) and PDF (fpdf2), and a revised copy.

Not a case module (its name does not start with ``cases``): importing it registers nothing.
"""

from __future__ import annotations

import io
import random
import textwrap

from docx import Document
from fpdf import FPDF
from odf.opendocument import OpenDocumentText
from odf.text import H, P

WORDS_PER_PAGE = 500
PARAGRAPH_WORDS = 100
PDF_LINE_CHARS = 110  # Helvetica 9 pt across an A4 page
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
    """One page per section; lines wrapped here (fpdf2's own wrapping is ten times slower)."""
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_font("Helvetica", size=9)
    for title, paragraphs in sections:
        pdf.add_page()
        pdf.cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
        for paragraph in paragraphs:
            for line in textwrap.wrap(paragraph, PDF_LINE_CHARS):
                pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())
