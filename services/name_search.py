"""Names as reception hears them: one canonical spelling ("skeleton") of a name, whatever script,
transliteration, diacritics or case it was written in.

Our clients' names come from Ukrainian, Russian, Belarusian, Mongolian, Vietnamese, Arabic and many
other languages. A record may hold a name in Cyrillic (Шевченко), in the Czech transcription
(Ševčenko), in the passport's English romanisation (Shevchenko) or typed on a Czech keyboard without
diacritics (sevcenko). :func:`skeleton_words` writes all of them as the same word (``sevcenko``), and
the same function normalises what is typed in a search box, so that the two meet.

The steps, each chosen so that the spellings people actually use fold onto one another:

1. case folded; apostrophes (Ukrainian ʼ, O'Brien) removed, inside a word;
2. Cyrillic letters (Ukrainian, Russian, Belarusian, Serbian and Macedonian, Kazakh, Mongolian)
   written out the English way (ш → sh, х → kh, я → ya); a soft or hard sign before a vowel is the
   "y" sound the Czech and English spellings write (Дарья → Darya, Darja), elsewhere nothing;
3. Latin letters without a decomposition mapped by hand (đ → d, ł → l, ø → o, ı → i, æ → ae), then
   every diacritic dropped (Ševčenko → Sevcenko, Hương → Huong, Nguyễn → Nguyen);
4. split into words at anything that is not a letter or digit (Al-Hassan → al hassan);
5. the transcriptions folded: shch → sc (щ, Czech šč); sh → s (š); ch, kh → c (č and Czech ch for х,
   English ch for ч and kh for х, and ц's ts); zh → z (ž); ts → c (ц, Czech c); ph → f; x → ks
   (Olexandr, Oleksandr); w → v; q → k; g → h except after n (Ukrainian reads г as h, Russian as g:
   Olha, Olga; but Vietnamese Thang and Thanh stay apart); j and y → i (Julija, Yuliia);
6. repeated letters once (Yuliia → iulia, Anna → ana); an i before e or o at the start of a word (of
   three letters or more: "Jo" typed stays "io", not "o") or after a vowel dropped (the iotation
   Czech writes as j and English as y: Jelena, Yelena, Елена → elena; Andrejev, Андреев → andrev;
   Nguyen → nguen).

The price is a little precision (Ian and Jan, Olga and Olha are one skeleton), never recall between the
spellings above. Names that differ in a letter stay apart: Ševčenko (sevcenko) is not Ševčík (sevcik).

Known limits: the Mongolian romanisation of ж as j (Enkhjargal) does not meet the Cyrillic (Энхжаргал,
enczarhal); a word typed to the middle of a digraph (``kuznet`` for Kuznetsov) is not a prefix of its
skeleton (``kuznec…``) until the next letter is typed.

:func:`client_key` joins the skeletons of a client's first name, surname and alias into the client's
``search_key`` (kept by :func:`listen`; indexed per engine, see :mod:`services.name_index`).
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

#: Cyrillic letters written out the English way (the Latin folding below then meets the Czech way)
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "є": "ye", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "yu", "я": "ya",
    # Serbian and Macedonian
    "ђ": "d", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dzh", "ѓ": "g", "ќ": "k", "ѕ": "dz",
    # Kazakh, Kyrgyz, Tajik
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ұ": "u", "һ": "h", "ӣ": "i", "ӯ": "u", "ҳ": "h", "ҷ": "ch",
    # Mongolian
    "ө": "o", "ү": "u",
}
#: the soft and hard signs: before a vowel the "y" of Darja / Darya, elsewhere nothing
SIGNS = frozenset("ьъ")
CYRILLIC_VOWELS = frozenset("аеёєиіїоуыэюяөү")
#: Latin letters Unicode does not decompose into a base letter and a mark
LATIN_EXTRA = {"đ": "d", "ð": "d", "ł": "l", "ø": "o", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ħ": "h", "ŧ": "t",
               "ŋ": "n", "ß": "ss"}
#: removed inside a word, not a word break (Ukrainian apostrophe, O'Brien)
APOSTROPHES = "'’ʼʹʻʽ`´"

_apostrophes = re.compile(f"[{re.escape(APOSTROPHES)}]")
_word_break = re.compile(r"[\W_]+")
_digraphs = re.compile(r"shch|sh|ch|kh|zh|ts|ph")
_DIGRAPHS = {"shch": "sc", "sh": "s", "ch": "c", "kh": "c", "zh": "z", "ts": "c", "ph": "f"}
_letters = str.maketrans({"x": "ks", "w": "v", "q": "k", "j": "i", "y": "i"})
_g_not_after_n = re.compile(r"(?<!n)g")
_repeated = re.compile(r"(.)\1+")
_iotation = re.compile(r"(?:^(?=i[eo].)|(?<=[aeiou]))i(?=[eo])")

#: a client's search key is at most this long (a name of 100 characters folds to about as many)
KEY_LENGTH = 400


def _transliterate(text: str) -> str:
    out = []
    for index, char in enumerate(text):
        if char in SIGNS:
            following = text[index + 1:index + 2]
            out.append("y" if following and following in CYRILLIC_VOWELS else "")
        else:
            out.append(CYRILLIC.get(char) or LATIN_EXTRA.get(char) or char)
    return "".join(out)


def _fold(word: str) -> str:
    word = _digraphs.sub(lambda m: _DIGRAPHS[m.group(0)], word)
    word = _g_not_after_n.sub("h", word.translate(_letters))
    word = _repeated.sub(r"\1", word)
    word = _iotation.sub("", word)
    return _repeated.sub(r"\1", word)


def skeleton_words(text: str | None) -> list[str]:
    """The canonical words of ``text`` (a name, or what was typed in a search box), in order."""
    if not text:
        return []
    text = _apostrophes.sub("", unicodedata.normalize("NFC", text).casefold())
    text = unicodedata.normalize("NFKD", _transliterate(text))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return [folded for word in _word_break.split(text) if word and (folded := _fold(word))]


def skeleton(text: str | None) -> str:
    """``text``'s canonical words joined by single spaces ("" for nothing)."""
    return " ".join(skeleton_words(text))


def client_key(first_name: str | None, last_name: str | None, alias: str | None) -> str | None:
    """A client's search key: the distinct canonical words of the first name, surname and alias, in
    that order, or None when the client has none (an anonymous person without an alias, an
    anonymised record)."""
    words = list(dict.fromkeys(skeleton_words(first_name) + skeleton_words(last_name) + skeleton_words(alias)))
    key = ""
    for word in words:
        if len(key) + len(word) + 1 > KEY_LENGTH:
            break
        key = f"{key} {word}" if key else word
    return key or None


def words_match(typed: list[str], key: str | None) -> bool:
    """The search rule in Python (what :func:`services.clients.lookup` asks of the
    database): every typed word is found in the key (in any word of it, anywhere in that word)."""
    if not typed or not key:
        return False
    return all(word in key for word in typed)


#: the client columns the key is made of
NAME_COLUMNS = ("first_name", "last_name", "alias")


def _keep_key(mapper, connection, target) -> None:
    """Before a client is inserted or updated: its key from its names as they will be saved."""
    target.search_key = client_key(target.first_name, target.last_name, target.alias)


def listen(client_class) -> None:
    """Keep ``search_key`` in step with the names on every ORM insert and update of a client (once).
    Set-based updates (the anonymisation's) write the key themselves."""
    for name in ("before_insert", "before_update"):
        if not sa.event.contains(client_class, name, _keep_key):
            sa.event.listen(client_class, name, _keep_key)
