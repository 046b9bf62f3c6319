"""CSV exports a spreadsheet opens safely."""

from __future__ import annotations

import unicodedata

# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

# Minus signs NFKC leaves as they are (U+2212, which superscript and subscript minus fold to,
# and the heavy minus sign); dashes and hyphens of every script are caught by their category.
_MINUS_LIKE = frozenset("\u2212\u2796")


def _looks_like_formula(text: str) -> bool:
    # Full-width and small forms (＝＋－＠, ﹦﹢﹣﹫) and the like become ASCII under NFKC;
    # leading spaces (any width) do not hide what follows them.
    folded = unicodedata.normalize("NFKC", text)
    if folded.startswith(FORMULA_PREFIXES):
        return True
    stripped = folded.lstrip()
    if not stripped:
        return False
    first = stripped[0]
    return (
        first in FORMULA_PREFIXES
        or first in _MINUS_LIKE
        or unicodedata.category(first) == "Pd"  # dashes and hyphens of every script
    )


def neutralise(value: object) -> object:
    """A cell a spreadsheet will not run: text starting like a formula (after Unicode
    compatibility folding and leading spaces) gets a leading quote."""
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value
    return value
