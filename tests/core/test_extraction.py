"""Reading a document's text within bounds (`cepa_collab.extraction`)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fpdf import FPDF
from pptx import Presentation
from pptx.util import Inches

from bench.text_documents import document_text, docx_bytes, odt_bytes, pdf_bytes
from cepa_collab import extraction
from cepa_collab.extraction import Extracted, Unreadable

SECTIONS = [
    ("Introduction", ["The survey covers every Member State.", "It is published every two years."]),
    ("Method", ["Indices are computed from three components."]),
]


def _titles(result) -> list[str]:
    assert isinstance(result, Extracted), result
    return [section.title for section in result.sections]


def test_docx_headings_start_sections():
    result = extraction.extract(docx_bytes(SECTIONS), "docx")

    assert _titles(result) == ["Introduction", "Method"]
    assert result.sections[0].paragraphs == [
        "The survey covers every Member State.",
        "It is published every two years.",
    ]
    assert result.words == 2 + 6 + 6 + 6  # titles and paragraphs


def test_odt_headings_start_sections():
    result = extraction.extract(odt_bytes(SECTIONS), "odt")

    assert _titles(result) == ["Introduction", "Method"]
    assert result.sections[1].paragraphs == ["Indices are computed from three components."]


def test_pdf_pages_are_sections():
    result = extraction.extract(pdf_bytes(document_text(2)), "pdf")

    assert isinstance(result, Extracted)
    assert [(s.kind, s.number) for s in result.sections] == [("page", 1), ("page", 2)]
    assert result.words == 2 * (500 + 2)


def test_a_pdf_without_text_is_said_to_be_a_scan():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 100)  # a picture, no text
    pdf.add_page()

    assert extraction.extract(bytes(pdf.output()), "pdf") == Unreadable(extraction.SCANNED)


def test_xlsx_sheets_are_sections():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Scores"
    workbook.active.append(["Country", "EGDI"])
    workbook.active.append(["Ghana", 0.6])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = extraction.extract(buffer.getvalue(), "xlsx")

    assert [(s.kind, s.title, s.paragraphs) for s in result.sections] == [
        ("sheet", "Scores", ["Country | EGDI", "Ghana | 0.6"])
    ]


def test_pptx_slides_are_sections():
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = "Findings"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1))
    box.text_frame.text = "Online services grew."
    buffer = io.BytesIO()
    presentation.save(buffer)

    result = extraction.extract(buffer.getvalue(), "pptx")

    assert [(s.kind, s.number, s.title, s.paragraphs) for s in result.sections] == [
        ("slide", 1, "Findings", ["Online services grew."])
    ]


def test_plain_text_paragraphs():
    result = extraction.extract(b"First line\nsame paragraph.\n\nSecond.", "txt")

    assert result.sections[0].paragraphs == ["First line same paragraph.", "Second."]


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (b"not a zip at all", "docx", extraction.DAMAGED),
        (b"%PDF-1.4 broken", "pdf", extraction.DAMAGED),
        (b"", "txt", extraction.EMPTY),
        (b"whatever", "exe", extraction.UNSUPPORTED),
    ],
)
def test_unreadable_files_say_why(data, kind, reason):
    assert extraction.extract(data, kind) == Unreadable(reason)


def test_a_long_text_is_cut_and_says_so(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_TEXT_CHARS", 1000)

    result = extraction.extract(docx_bytes(document_text(3)), "docx")

    assert result.truncated is True
    assert 900 < len(result.text) <= 1100


def test_bounded_extraction_reads_in_a_child_process():
    result = extraction.extract_bounded(docx_bytes(SECTIONS), "docx")

    assert _titles(result) == ["Introduction", "Method"]


def test_bounded_extraction_stops_a_slow_reading():
    result = extraction.extract_bounded(docx_bytes(SECTIONS), "docx", timeout=0.05)

    assert result == Unreadable(extraction.TOO_SLOW)


def test_bounded_extraction_stops_a_reading_that_needs_too_much_memory():
    # 25 MB of address space: the interpreter starts, the XML library does not load.
    result = extraction.extract_bounded(docx_bytes(SECTIONS), "docx", memory=25 * 2**20)

    assert result == Unreadable(extraction.TOO_BIG)
