"""ISO code lists (countries, languages) with names in the user's language, from Babel's CLDR data."""
from __future__ import annotations

import unicodedata
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


# --- sorting by label, the way the language sorts -----------------------------------------------
# Babel has no collation and PyICU is not available, so the Czech rules (ČSN 97 6030, as ICU's "cs")
# are written here: Č, Ř, Š and Ž are letters of their own after C, R, S and Z; "ch" is one letter
# after H; the other marks (á, ď, é, ě, í, ň, ó, ť, ú, ů, ý, and foreign ones) only break ties
# between words that are otherwise equal, and so does case (lower before upper). Spaces and
# punctuation sort before digits, digits before letters.

_CARON = "\u030c"
#: letters with a caron that Czech sorts as letters of their own
_CZECH_OWN = {"c": "č", "r": "ř", "s": "š", "z": "ž"}
_CZECH_ALPHABET = ["a", "b", "c", "č", "d", "e", "f", "g", "h", "ch", "i", "j", "k", "l", "m", "n", "o", "p", "q",
                   "r", "ř", "s", "š", "t", "u", "v", "w", "x", "y", "z", "ž"]
_ENGLISH_ALPHABET = list("abcdefghijklmnopqrstuvwxyz")
#: letters Unicode does not decompose into a base letter and a mark
_FOLDED = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "þ": "th", "ð": "d"}
_DIGITS, _LETTERS = 100, 200  #: where digits and letters start among the primary weights


def _rank(alphabet: list[str]) -> dict[str, int]:
    return {letter: _LETTERS + i for i, letter in enumerate(alphabet)}


_RANKS = {"cs": _rank(_CZECH_ALPHABET), "en": _rank(_ENGLISH_ALPHABET)}


def _units(text: str, czech: bool):
    """(letter, its marks, is upper case) for each sorting unit of ``text``."""
    chars = unicodedata.normalize("NFD", text)
    i, n = 0, len(chars)
    while i < n:
        char = chars[i]
        i += 1
        marks = ""
        while i < n and unicodedata.combining(chars[i]):
            marks += chars[i]
            i += 1
        lower = char.lower()
        upper = char != lower
        lower = _FOLDED.get(lower, lower)
        if czech and lower == "c" and not marks and i < n and chars[i].lower() == "h" \
                and not (i + 1 < n and unicodedata.combining(chars[i + 1])):
            i += 1
            yield "ch", "", upper
            continue
        if czech and lower in _CZECH_OWN and _CARON in marks:
            yield _CZECH_OWN[lower], marks.replace(_CARON, "", 1), upper
            continue
        yield lower, marks, upper


def collation_key(text: str | None, lang: str = "cs") -> tuple:
    """A sort key ordering ``text`` as a dictionary of ``lang`` does (Czech rules for "cs", plain
    alphabetical order without regard to accents for any other language)."""
    czech = lang == "cs"
    ranks = _RANKS["cs" if czech else "en"]
    primary, secondary, tertiary = [], [], []
    for letter, marks, upper in _units(text or "", czech):
        if letter in ranks:
            weight = ranks[letter]
        elif len(letter) > 1:  # a folded letter written as two (ß → ss)
            for part in letter[:-1]:
                primary.append(ranks.get(part, _LETTERS + 1000 + ord(part)))
                secondary.append(0)
                tertiary.append(upper)
            weight = ranks.get(letter[-1], _LETTERS + 1000 + ord(letter[-1]))
        elif letter.isdigit():
            weight = _DIGITS + int(unicodedata.digit(letter, 0))
        elif letter.isalpha():  # a letter of another script: after the Latin ones, by code point
            weight = _LETTERS + 1000 + ord(letter)
        elif letter.isspace():
            weight = 1
        else:  # punctuation and symbols: before digits, by code point
            weight = 2 + min(ord(letter), 90)
        primary.append(weight)
        secondary.append(sum(map(ord, marks)) if marks else 0)
        tertiary.append(upper)
    return tuple(primary), tuple(secondary), tuple(tertiary), text or ""


def sort_key(lang: str | None = None):
    """``collation_key`` for the current language, to pass as ``key=`` (``sort_key()(label)``)."""
    lang = lang or _locale_name().split("_")[0]
    return lambda text: collation_key(str(text), lang)


def sorted_by_label(items, label=lambda item: item[1], lang: str | None = None) -> list:
    """``items`` in the dictionary order of their labels in ``lang`` (default: the current language)."""
    key = sort_key(lang)
    return sorted(items, key=lambda item: key(label(item)))


@lru_cache(maxsize=8)
def _countries(locale_name: str) -> tuple[tuple[str, str], ...]:
    locale = Locale.parse(locale_name)
    items = [
        (code, name)
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}
    ]
    return tuple(sorted_by_label(items, lang=locale.language))


@lru_cache(maxsize=8)
def _languages(locale_name: str) -> tuple[tuple[str, str], ...]:
    locale = Locale.parse(locale_name)
    items = [(code, locale.languages.get(code, code)) for code in COMMON_LANGUAGES]
    return tuple(sorted_by_label(items, lang=locale.language))


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
