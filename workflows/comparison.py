"""Comparing two versions of a deliverable, word by word (issue 16, item 5).

A comparison is asked for (`request_comparison`: the page, the API, and each new version's
text against the previous one), computed once by a Celery task (`compute`) from the two
stored texts, and stored (`VersionComparison`): the page reads the stored differences and
renders them (`render`), however long the texts.

The difference is taken in two steps so it stays fast on long texts: paragraphs first
(difflib on whole paragraphs, which rarely repeat), then words inside each run of changed
paragraphs. A changed run longer than `WORD_DIFF_MAX` words on a side is shown as removed
and added whole rather than diffed word by word.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from difflib import SequenceMatcher

from celery import current_app
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows.models import Deliverable, TextStatus, Version, VersionComparison, VersionText

COMPARE_TASK = "workflows.compare_versions"
WORD_DIFF_MAX = 5_000
# An unchanged run longer than twice this many words is shown by its ends.
CONTEXT_WORDS = 25
EQUAL, ADDED, REMOVED = "=", "+", "-"
BREAK = "\n"  # a paragraph break inside an op's text


def paragraphs(text: VersionText) -> list[str]:
    """The text's headings and paragraphs in reading order."""
    out = []
    for section in text.sections:
        if section.get("title"):
            out.append(section["title"])
        out.extend(section.get("paragraphs", []))
    return out


def _words(block: list[str]) -> list[str]:
    tokens: list[str] = []
    for paragraph in block:
        if tokens:
            tokens.append(BREAK)
        tokens.extend(paragraph.split())
    return tokens


class _Ops:
    def __init__(self) -> None:
        self.ops: list[list[str]] = []
        self.added = 0
        self.removed = 0

    def add(self, op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        words = sum(1 for token in tokens if token != BREAK)
        if op == ADDED:
            self.added += words
        elif op == REMOVED:
            self.removed += words
        text = " ".join(tokens).replace(f" {BREAK} ", BREAK)
        if self.ops and self.ops[-1][0] == op:
            # Same kind across two runs of paragraphs: a paragraph break between them.
            self.ops[-1][1] += BREAK + text
        else:
            self.ops.append([op, text])


def diff_words(old: list[str], new: list[str]) -> tuple[list[list[str]], int, int]:
    """The ops ([op, text], op "=", "+" or "-") that turn paragraphs `old` into `new`, and
    the counts of words added and removed."""
    out = _Ops()
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.add(EQUAL, _words(old[i1:i2]))
        elif tag == "delete":
            out.add(REMOVED, _words(old[i1:i2]))
        elif tag == "insert":
            out.add(ADDED, _words(new[j1:j2]))
        else:
            a, b = _words(old[i1:i2]), _words(new[j1:j2])
            if len(a) > WORD_DIFF_MAX or len(b) > WORD_DIFF_MAX:
                out.add(REMOVED, a)
                out.add(ADDED, b)
                continue
            words = SequenceMatcher(None, a, b, autojunk=False)
            for wtag, a1, a2, b1, b2 in words.get_opcodes():
                if wtag == "equal":
                    out.add(EQUAL, a[a1:a2])
                else:
                    out.add(REMOVED, a[a1:a2])
                    out.add(ADDED, b[b1:b2])
    return out.ops, out.added, out.removed


# --- asking, computing -----------------------------------------------------------------------


# Inside `now()`, texts are read and comparisons computed at once, in this process, rather
# than by the worker after commit: for the demo, whose few small files are its own.
_NOW: ContextVar[bool] = ContextVar("texts_now", default=False)


@contextmanager
def now() -> Iterator[None]:
    token = _NOW.set(True)
    try:
        yield
    finally:
        _NOW.reset(token)


def is_now() -> bool:
    return _NOW.get()


def _enqueue(pk: int) -> None:
    if is_now():
        compute(pk)
        return
    transaction.on_commit(lambda: current_app.tasks[COMPARE_TASK].delay(comparison_id=pk))


def request_comparison(deliverable: Deliverable, old: Version, new: Version) -> VersionComparison:
    """The comparison of `old` with `new` (versions of `deliverable`), asked for once: a new
    one is computed after commit. The caller has checked who asks (`visible_versions`)."""
    if old.deliverable_id != deliverable.pk or new.deliverable_id != deliverable.pk:
        raise ValueError("Versions of another deliverable.")
    found = VersionComparison.objects.defer("ops").filter(old=old, new=new).first()
    if found is not None:
        return found
    comparison, created = VersionComparison.objects.get_or_create(
        old=old, new=new, defaults={"deliverable": deliverable}
    )
    if created:
        _enqueue(comparison.pk)
    return comparison


def texts_ready(version: Version) -> None:
    """`version`'s text is stored: compute the comparisons that waited for it."""
    waiting = VersionComparison.objects.filter(status=TextStatus.PENDING).filter(
        old=version
    ) | VersionComparison.objects.filter(status=TextStatus.PENDING, new=version)
    for pk in waiting.values_list("pk", flat=True):
        _enqueue(pk)


def compute(comparison_id: int) -> VersionComparison | None:
    """Compute and store a pending comparison once both texts are read; `None` when it is
    gone, waits (stays pending) while a text is still being read."""
    comparison = (
        VersionComparison.objects.select_related("old__text", "new__text")
        .filter(pk=comparison_id)
        .first()
    )
    if comparison is None or comparison.status != TextStatus.PENDING:
        return comparison
    texts = [getattr(comparison.old, "text", None), getattr(comparison.new, "text", None)]
    if any(text is None or text.status == TextStatus.PENDING for text in texts):
        return comparison  # `texts_ready` asks again when the text is in
    if any(text.status == TextStatus.UNREADABLE for text in texts):
        comparison.status = TextStatus.UNREADABLE
        comparison.save(update_fields=["status", "updated_at"])
        return comparison
    ops, added, removed = diff_words(paragraphs(texts[0]), paragraphs(texts[1]))
    # Claim, then store: another run of the same task stores nothing twice.
    VersionComparison.objects.filter(pk=comparison.pk, status=TextStatus.PENDING).update(
        status=TextStatus.READY, ops=ops, shown=condense(ops), added=added, removed=removed
    )
    comparison.refresh_from_db()
    return comparison


# --- reading -----------------------------------------------------------------------------------


GAP = "…"


def _cut(text: str) -> list[list]:
    """An unchanged run as shown: whole, or its first and last CONTEXT_WORDS words around
    ["…", the number of words left out]."""
    tokens = text.replace(BREAK, f" {BREAK} ").split(" ")
    positions = [i for i, token in enumerate(tokens) if token and token != BREAK]
    if len(positions) <= 2 * CONTEXT_WORDS + 10:
        return [[EQUAL, text]]
    head = " ".join(tokens[: positions[CONTEXT_WORDS - 1] + 1]).replace(f" {BREAK} ", BREAK)
    tail = " ".join(tokens[positions[-CONTEXT_WORDS] :]).replace(f" {BREAK} ", BREAK)
    return [[EQUAL, head], [GAP, len(positions) - 2 * CONTEXT_WORDS], [EQUAL, tail]]


def condense(ops: list[list[str]]) -> list[list]:
    """The ops as the page shows them (stored once, beside the full ops)."""
    shown: list[list] = []
    for op, text in ops:
        shown.extend(_cut(text) if op == EQUAL else [[op, text]])
    return shown


def _paragraphs_html(text: str) -> str:
    return escape(text).replace(BREAK, "<br><br>")


def render(comparison: VersionComparison) -> SafeString:
    """The stored differences as HTML: removed words in `del`, added in `ins`, each with a
    hidden label for screen readers; long unchanged runs shortened to their ends."""
    removed, added = escape(_("removed:")), escape(_("added:"))
    parts = []
    for op, value in comparison.shown:
        if op == EQUAL:
            parts.append(_paragraphs_html(value))
        elif op == GAP:
            label = ngettext("%(count)d unchanged word", "%(count)d unchanged words", value)
            parts.append(
                f'<span class="text-diff__gap">[… {escape(label % {"count": value})} …]</span>'
            )
        elif op == REMOVED:
            parts.append(
                f'<del><span class="visually-hidden">{removed} </span>'
                f"{_paragraphs_html(value)}</del>"
            )
        else:
            parts.append(
                f'<ins><span class="visually-hidden">{added} </span>{_paragraphs_html(value)}</ins>'
            )
    return mark_safe(" ".join(parts))  # every piece of text escaped above
