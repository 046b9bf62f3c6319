"""Every catalogue is complete: for each language of the interface but English, the .po
under locale/ has every message that `makemessages` extracts, none missing, empty or fuzzy,
each translation keeps the placeholders of its message, and the .mo is compiled from it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Where `make messages` does not look (the Makefile's --ignore), nor the catalogues themselves.
NOT_EXTRACTED = {".venv", "var", "locale", ".git"}

# %(name)s, %(count)d, %s, %d (not %%), and str.format's {name}.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]?\d*(?:\.\d+)?[sdfir]|%[-#0 +]?\d*(?:\.\d+)?[sdfir]|\{\w*\}"
)


def _po_path(language: str) -> Path:
    return BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def _key(message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return (message.context, msgid)


def _messages(catalog: Catalog) -> list:
    return [message for message in catalog if message.id]


def _forms(message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, (tuple, list)) else [string]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def _label(message) -> str:
    context, msgid = _key(message)
    return f"{context}|{msgid}" if context else msgid


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[tuple[str | None, str], object]:
    """The messages a fresh `makemessages` extracts now, as `make messages` does, into a
    scratch catalogue: the project's folders are linked into a temporary tree whose own
    locale/ (and no other) receives it."""
    root = tmp_path_factory.mktemp("makemessages")
    tree = root / "tree"
    tree.mkdir()
    for entry in BASE_DIR.iterdir():
        if entry.name not in NOT_EXTRACTED:
            (tree / entry.name).symlink_to(entry)
    (root / "scratch_settings.py").write_text(
        "from cepa_collab.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(tree / 'locale')!r}]\n"
    )
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "scratch_settings",
        "PYTHONPATH": os.pathsep.join([str(root), str(BASE_DIR)]),
    }
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "makemessages", "-l", "fr", "--symlinks"]
        + [f"--ignore={name}" for name in sorted(NOT_EXTRACTED)],
        cwd=tree,
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = _read_po(tree / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    return {_key(message): message for message in _messages(fresh)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_exists_with_its_plural_rule(language):
    path = _po_path(language)

    assert path.is_file(), f"{path.relative_to(BASE_DIR)} is missing: run `make messages`"
    catalog = _read_po(path)
    assert catalog.locale is not None
    assert str(catalog.locale) == language
    assert "nplurals=" in (catalog.plural_forms or "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_empty_or_fuzzy(language):
    catalog = _read_po(_po_path(language))

    fuzzy = [_label(m) for m in _messages(catalog) if m.fuzzy]
    empty = [_label(m) for m in _messages(catalog) if not all(_forms(m))]
    wrong_forms = [
        _label(m)
        for m in _messages(catalog)
        if m.pluralizable and len(_forms(m)) != catalog.num_plurals
    ]

    assert not catalog.fuzzy, "the header is fuzzy: msgfmt would leave it out"
    assert fuzzy == []
    assert empty == []
    assert wrong_forms == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_every_message_the_code_and_templates_have(language, extracted):
    catalog = _read_po(_po_path(language))
    present = {_key(message) for message in _messages(catalog)}

    missing = sorted(
        f"{context}|{msgid}" if context else msgid for context, msgid in extracted.keys() - present
    )

    assert missing == []


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "fr"])
def test_the_catalogue_has_every_message_of_the_french_one(language):
    french = {_key(message) for message in _messages(_read_po(_po_path("fr")))}
    catalog = {_key(message) for message in _messages(_read_po(_po_path(language)))}

    assert sorted(f"{c}|{m}" if c else m for c, m in french - catalog) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(language):
    catalog = _read_po(_po_path(language))

    wrong = []
    for message in _messages(catalog):
        if message.pluralizable:
            singular, plural = message.id
            allowed = set(_placeholders(singular)) | set(_placeholders(plural))
            forms = _forms(message)
            # a form may leave the number out ("un élément", "عنصر واحد"), never add one;
            # the general form (the last) says all that the English plural says
            if any(not set(_placeholders(form)) <= allowed for form in forms) or (
                forms and _placeholders(forms[-1]) != _placeholders(plural)
            ):
                wrong.append(_label(message))
        elif message.string and _placeholders(message.string) != _placeholders(message.id):
            wrong.append(_label(message))

    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_compiled_from_the_current_one(language):
    po_path = _po_path(language)
    mo_path = po_path.with_suffix(".mo")
    catalog = _read_po(po_path)
    assert mo_path.is_file(), f"{mo_path.relative_to(BASE_DIR)} is missing: run `make messages`"
    with mo_path.open("rb") as handle:
        compiled = read_mo(handle)

    expected = {
        _key(m): tuple(_forms(m)) for m in _messages(catalog) if not m.fuzzy and all(_forms(m))
    }
    actual = {_key(m): tuple(_forms(m)) for m in _messages(compiled)}

    assert actual == expected
