"""ISO code lists (countries, languages) with names in the user's language, from Babel's CLDR data."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale

#: ISO 639-1 languages offered in forms: those most spoken by the centre's clients first, then the rest.
COMMON_LANGUAGES = ["uk", "ru", "vi", "en", "ar", "fa", "mn", "es", "fr", "ro", "bg", "tr", "zh", "hi", "ka", "hy", "be", "kk", "uz", "tl", "pt", "de", "cs", "sk", "pl", "sr", "sq", "so", "ti", "am", "ps", "ur", "bn", "ne", "ky", "tg", "az", "ku", "he", "ja", "ko", "th", "id", "it", "hu", "el", "lt", "lv", "et", "sw", "ha", "yo", "ig"]


def _locale_name() -> str:
    try:
        from flask_babel import get_locale

        loc = get_locale()
        return str(loc) if loc else "cs"
    except (RuntimeError, KeyError, AttributeError):
        return "cs"


@lru_cache(maxsize=8)
def _countries(locale_name: str) -> tuple[tuple[str, str], ...]:
    locale = Locale.parse(locale_name)
    items = [
        (code, name)
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}
    ]
    return tuple(sorted(items, key=lambda item: item[1]))


@lru_cache(maxsize=8)
def _languages(locale_name: str) -> tuple[tuple[str, str], ...]:
    locale = Locale.parse(locale_name)
    items = [(code, locale.languages.get(code, code)) for code in COMMON_LANGUAGES]
    return tuple(sorted(items, key=lambda item: item[1]))


def country_choices() -> list[tuple[str, str]]:
    return list(_countries(_locale_name()))


def language_choices() -> list[tuple[str, str]]:
    return list(_languages(_locale_name()))


@lru_cache(maxsize=8)
def _country_names(locale_name: str) -> dict[str, str]:
    return dict(_countries(locale_name))


@lru_cache(maxsize=8)
def _language_names(locale_name: str) -> dict[str, str]:
    return dict(Locale.parse(locale_name).languages)


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _country_names(_locale_name()).get(code.upper(), code)


def language_name(code: str | None) -> str:
    if not code:
        return ""
    return _language_names(_locale_name()).get(code, code)
