"""Names of countries and regions in the reader's language.

The database keeps one English name per Member State (pycountry's) and per region; readers
of other languages get the names of the Unicode CLDR, which Babel carries: a country by its
ISO 3166-1 alpha-2 code, a region by its UN M49 code. The CLDR's names are the short
everyday ones ("Sénégal", "Russie", "السنغال"), complete for every Member State in each of
our languages. (pycountry's own iso3166-1 catalogues were tried first: their Arabic one
leaves "Syria" or "Iran" untranslated and names Moldova "the Maldives", and their French and
Spanish ones put the long forms inside out: "Russie, Fédération de".)

The "Arab region" of the UN e/m-Government Knowledge Repository is no M49 area: its name is
in our own catalogues. Names are cached per (code, language).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import babel
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

# Our regions (`cepa_collab.reference_data.REGIONS`) as UN M49 areas; None: no M49 area.
REGION_M49 = {
    "africa": "002",
    "americas": "019",
    "asia": "142",
    "europe": "150",
    "arab": None,
}
# The English names of the regions without an M49 area, for our own catalogues.
REGION_NAMES = {"arab": gettext_noop("Arab region")}


def _language(language: str | None) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0].lower()


@lru_cache(maxsize=16)
def _locale(language: str) -> babel.Locale | None:
    try:
        return babel.Locale.parse(translation.to_locale(language))
    except (ValueError, babel.UnknownLocaleError):
        return None


@lru_cache(maxsize=2048)
def _territory(code: str, language: str) -> str | None:
    locale = _locale(language)
    return locale.territories.get(code) if locale is not None else None


def country_name(iso2: str, default: str, language: str | None = None) -> str:
    """A Member State's name in `language` (the active one by default); `default` (its
    stored English name) in English or when the CLDR does not know the code."""
    language = _language(language)
    if language == "en" or not iso2:
        return default
    return _territory(iso2.upper(), language) or default


@lru_cache(maxsize=256)
def _own_region_name(code: str, language: str) -> str | None:
    name = REGION_NAMES.get(code)
    if name is None:
        return None
    with translation.override(language):
        return translation.gettext(name)


def region_name(code: str, default: str, language: str | None = None) -> str:
    """A region's name in `language` (the active one by default); `default` (its stored
    English name) in English or for a region we do not know."""
    language = _language(language)
    if language == "en":
        return default
    m49 = REGION_M49.get(code)
    if m49 is not None:
        return _territory(m49, language) or default
    return _own_region_name(code, language) or default


def sort_key(name: str) -> tuple[str, str]:
    """How a name sorts without ICU: case-insensitive, a letter with an accent or a vowel
    sign among the plain ones ("Égypte" among the E)."""
    plain = "".join(
        char for char in unicodedata.normalize("NFD", name) if not unicodedata.combining(char)
    )
    return (plain.casefold(), name)


def sorted_by_name(places) -> list:
    """Countries or regions sorted by their names in the active language, as a reader of
    that language looks them up (SQL's `ORDER BY name` sorts the English names)."""
    return sorted(places, key=lambda place: sort_key(str(place)))


class ByNameIterator(forms.models.ModelChoiceIterator):
    """The choices of a `PlaceChoiceField`, by name in the active language."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for place in sorted_by_name(self.queryset):
            yield self.choice(place)


class PlaceChoiceField(forms.ModelChoiceField):
    """A choice of Member States or regions, listed by their names in the reader's language
    (a plain ModelChoiceField lists them in SQL's order of the English names)."""

    iterator = ByNameIterator
