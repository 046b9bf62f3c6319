"""The text of an uploaded document, read within bounds: for previews and comparisons.

Generic (no app's records): bytes and their type ("pdf", "docx", "odt", "xlsx", "pptx",
"txt") in, `Extracted` out — the text cut into sections at the document's own headings
(DOCX, ODT), pages (PDF), sheets (XLSX) or slides (PPTX) — or `Unreadable` with a plain
reason (a scanned PDF has no text to read; a damaged or encrypted file cannot be opened).

`extract_bounded` reads in a child process (`python -I`, this file run by path, so nothing
of the project is imported there) with a memory limit (RLIMIT_AS), a CPU limit
(RLIMIT_CPU) and a wall-clock timeout: a crafted file that makes a parser loop or swell
ends that child, never the worker. `extract` reads in this process (the child calls it;
tests may too). The text kept is cut at `MAX_TEXT_CHARS`.
"""

from __future__ import annotations

import importlib
import io
import json
import re
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from types import ModuleType

KINDS = ("pdf", "docx", "odt", "xlsx", "pptx", "txt")

# Bounds of one extraction (a 60-page document takes well under a second and 100 MB).
TIMEOUT_SECONDS = 60
MEMORY_BYTES = 1024 * 2**20
MAX_TEXT_CHARS = 2_000_000  # about 300,000 words: more is cut, and said so
MAX_SHEET_ROWS = 10_000  # rows read from one sheet
# A PDF whose pages carry fewer words than this on average has no text layer worth the
# name: it is a scan (or images of text).
SCANNED_WORDS_PER_PAGE = 3

# Why a text could not be read: stable codes (stored) → plain messages (shown).
SCANNED = "scanned"
ENCRYPTED = "encrypted"
DAMAGED = "damaged"
EMPTY = "empty"
TOO_BIG = "too_big"
TOO_SLOW = "too_slow"
UNSUPPORTED = "unsupported"
REASONS = (SCANNED, ENCRYPTED, DAMAGED, EMPTY, TOO_BIG, TOO_SLOW, UNSUPPORTED)

# How a child out of address space fails: Python's own error, or the loader's when a
# library cannot be mapped.
_OUT_OF_MEMORY = (b"MemoryError", b"failed to map segment", b"Cannot allocate memory")

# What starts a section.
HEADING, PAGE, SHEET, SLIDE = "heading", "page", "sheet", "slide"


@dataclass
class Section:
    """A part of the text under its heading (or "Page 3", "Sheet1", "Slide 2")."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    level: int = 1
    # What starts it: a "heading" of the document, or its "page", "sheet" or "slide"
    # `number` (the reader labels these in their language; `title` is the sheet's name or
    # the slide's title, if any).
    kind: str = HEADING
    number: int = 0

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "level": self.level,
            "paragraphs": self.paragraphs,
            "kind": self.kind,
            "number": self.number,
        }


@dataclass
class Extracted:
    sections: list[Section]
    truncated: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(
            "\n".join(([s.title] if s.title else []) + s.paragraphs) for s in self.sections
        )

    @property
    def words(self) -> int:
        return sum(len(p.split()) for s in self.sections for p in [s.title, *s.paragraphs])


@dataclass
class Unreadable:
    reason: str  # one of REASONS


class _Cut(Exception):
    """The text reached MAX_TEXT_CHARS."""


class _Builder:
    """Sections as a document is read, counting characters against the bound."""

    def __init__(self, first_title: str = "") -> None:
        self.sections: list[Section] = [Section(first_title, level=1)]
        self.chars = 0

    def _count(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > MAX_TEXT_CHARS:
            raise _Cut

    def heading(self, title: str, level: int = 1, kind: str = HEADING, number: int = 0) -> None:
        title = _clean(title)
        self._count(title)
        current = self.sections[-1]
        if current.kind == HEADING and not current.title and not current.paragraphs:
            self.sections.pop()
        self.sections.append(Section(title, level=level, kind=kind, number=number))

    def paragraph(self, text: str) -> None:
        text = _clean(text)
        if text:
            self._count(text)
            self.sections[-1].paragraphs.append(text)

    def done(self, truncated: bool = False) -> Extracted | Unreadable:
        sections = [s for s in self.sections if s.title or s.paragraphs or s.number]
        if not any(s.paragraphs or s.title for s in sections):
            return Unreadable(EMPTY)
        return Extracted(sections, truncated=truncated)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _CONTROL.sub("", text or "")).strip()


# --- each format ------------------------------------------------------------------------------
#
# Each reader loads its one library by name when it runs: the child process that reads a
# PDF imports pypdf only (importing all five libraries took longer than reading 60 pages).


def _library(name: str) -> ModuleType:
    return importlib.import_module(name)


def _pdf(data: bytes, out: _Builder) -> Unreadable | None:
    reader = _library("pypdf").PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                return Unreadable(ENCRYPTED)
        except Exception:
            return Unreadable(ENCRYPTED)
    pages = len(reader.pages)
    words = 0
    for number, page in enumerate(reader.pages, start=1):
        out.heading("", 1, PAGE, number)
        text = page.extract_text() or ""
        words += len(text.split())
        for block in re.split(r"\n\s*\n", text):
            out.paragraph(" ".join(block.split("\n")))
    if pages and words < SCANNED_WORDS_PER_PAGE * pages:
        return Unreadable(SCANNED)
    return None


_HEADING_STYLE = re.compile(r"^(?:heading|título|titre|überschrift)\s*(\d)", re.IGNORECASE)


def _docx(data: bytes, out: _Builder) -> None:
    document = _library("docx").Document(io.BytesIO(data))
    qn = _library("docx.oxml.ns").qn
    names = {style.style_id: style.name or "" for style in document.styles}
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            _docx_paragraph(names, child, out, qn)
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in c.iter(qn("w:t"))) for c in row]
                out.paragraph(" | ".join(c for c in cells if c.strip()))


def _docx_paragraph(names: dict[str, str], element, out: _Builder, qn) -> None:
    text = "".join(t.text or "" for t in element.iter(qn("w:t")))
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    style_id = style.get(qn("w:val")) or "" if style is not None else ""
    name = names.get(style_id, style_id)
    match = _HEADING_STYLE.match(name)
    if name.lower() == "title" and text.strip():
        out.heading(text, 1)
    elif match and text.strip():
        out.heading(text, max(1, min(int(match.group(1)), 6)))
    else:
        out.paragraph(text)


def _odt(data: bytes, out: _Builder) -> None:
    document = _library("odf.opendocument").load(io.BytesIO(data))
    _odt_walk(document.text, out, _library("odf.teletype"), _library("odf.namespaces").TEXTNS)


def _odt_walk(node, out: _Builder, teletype, TEXTNS: str) -> None:
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == (TEXTNS, "h"):
            level = child.getAttrNS(TEXTNS, "outline-level") or "1"
            out.heading(teletype.extractText(child), min(int(level) if level.isdigit() else 1, 6))
        elif child.qname == (TEXTNS, "p"):
            out.paragraph(teletype.extractText(child))
        else:
            _odt_walk(child, out, teletype, TEXTNS)


def _xlsx(data: bytes, out: _Builder) -> None:
    workbook = _library("openpyxl").load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet_number, sheet in enumerate(workbook.worksheets, start=1):
            out.heading(sheet.title, 1, SHEET, sheet_number)
            for number, row in enumerate(sheet.iter_rows(values_only=True)):
                if number >= MAX_SHEET_ROWS:
                    break
                cells = ("" if value is None else str(value) for value in row)
                out.paragraph(" | ".join(cells).strip(" |"))
    finally:
        workbook.close()


def _pptx(data: bytes, out: _Builder) -> None:
    presentation = _library("pptx").Presentation(io.BytesIO(data))
    for number, slide in enumerate(presentation.slides, start=1):
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        out.heading(title, 1, SLIDE, number)
        for shape in slide.shapes:
            if shape == slide.shapes.title or not shape.has_text_frame:
                continue
            for paragraph in shape.text_frame.paragraphs:
                out.paragraph("".join(run.text for run in paragraph.runs))


def _txt(data: bytes, out: _Builder) -> None:
    text = data.decode("utf-8", errors="replace")
    for block in re.split(r"\n\s*\n", text):
        out.paragraph(" ".join(block.splitlines()))


_READERS = {"pdf": _pdf, "docx": _docx, "odt": _odt, "xlsx": _xlsx, "pptx": _pptx, "txt": _txt}


def extract(data: bytes, kind: str) -> Extracted | Unreadable:
    """Read `data` as a document of `kind`, in this process (no bounds but the text's)."""
    reader = _READERS.get(kind)
    if reader is None:
        return Unreadable(UNSUPPORTED)
    out = _Builder()
    try:
        refused = reader(data, out)
    except _Cut:
        return out.done(truncated=True)
    except MemoryError:
        return Unreadable(TOO_BIG)
    except Exception as exc:
        # A library that cannot be loaded in the memory left fails with the loader's error.
        memory = any(sign.decode() in str(exc) for sign in _OUT_OF_MEMORY)
        return Unreadable(TOO_BIG if memory else DAMAGED)
    return refused or out.done()


# --- in a child process -----------------------------------------------------------------------


def _as_json(result: Extracted | Unreadable) -> str:
    if isinstance(result, Unreadable):
        return json.dumps({"reason": result.reason})
    return json.dumps(
        {"sections": [s.as_dict() for s in result.sections], "truncated": result.truncated}
    )


def _from_json(raw: bytes) -> Extracted | Unreadable:
    try:
        loaded = json.loads(raw)
        if "reason" in loaded:
            reason = loaded["reason"]
            return Unreadable(reason if reason in REASONS else DAMAGED)
        sections = [
            Section(
                str(s["title"]),
                [str(p) for p in s["paragraphs"]],
                int(s["level"]),
                str(s["kind"]),
                int(s["number"]),
            )
            for s in loaded["sections"]
        ]
        return Extracted(sections, truncated=bool(loaded["truncated"]))
    except (ValueError, KeyError, TypeError):
        return Unreadable(DAMAGED)


def _limits(memory: int, cpu_seconds: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def extract_bounded(
    data: bytes,
    kind: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    memory: int = MEMORY_BYTES,
) -> Extracted | Unreadable:
    """`extract` in a child process that may use at most `memory` bytes of address space
    and `timeout` seconds (wall clock and CPU); past either, `Unreadable(TOO_SLOW/TOO_BIG)`."""
    if kind not in _READERS:
        return Unreadable(UNSUPPORTED)
    command = [
        sys.executable,
        "-I",
        "-c",
        "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')",
        __file__,
        kind,
    ]
    try:
        done = subprocess.run(  # our interpreter, our file, a known kind
            command,
            input=data,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limits(memory, max(1, int(timeout))),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Unreadable(TOO_SLOW)
    if done.returncode != 0:
        # Killed by RLIMIT_CPU (SIGXCPU) or out of memory before it could answer.
        if done.returncode in (-24, 152) or b"CPU" in done.stderr[-200:]:
            return Unreadable(TOO_SLOW)
        tail = done.stderr[-2000:]
        return Unreadable(TOO_BIG if any(sign in tail for sign in _OUT_OF_MEMORY) else DAMAGED)
    return _from_json(done.stdout)


def _main() -> None:
    kind = sys.argv[-1]
    data = sys.stdin.buffer.read()
    try:
        result = extract(data, kind)
    except MemoryError:
        result = Unreadable(TOO_BIG)
    sys.stdout.write(_as_json(result))


if __name__ == "__main__":
    _main()
