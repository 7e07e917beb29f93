"""Helpers for the tests of the client's documents: their text in a language, and the words of other
languages that must not be on a document (a string left untranslated, or the staff interface's
language leaking onto a page the client takes home)."""
from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("cs", "en", "uk", "ru", "vi")


def doc_text(lang: str, msgid: str, **variables) -> str:
    """``msgid`` of the client_docs catalog as a document in ``lang`` prints it."""
    from services import client_documents

    text = client_documents.translations(lang).ugettext(msgid)
    return text % variables if variables else text


def visible_text(page: str) -> str:
    """What a reader sees on the printed document: no scripts or styles, no language links (each
    language is named in itself there, and they are not printed), tags removed, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<nav class="doc-tools".*?</nav>', " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(page))


def _strings(path: Path, *, ids: bool) -> list[tuple[str | None, str, list[str]]]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        found.append((message.context, msgids[0], msgids if ids else [s for s in strings if s]))
    return found


def _fragments(text: str) -> list[str]:
    """The literal parts of a message, without its placeholders, long enough to be telling: several
    words, or one long word."""
    parts = re.split(r"%\([a-z_]+\)[sd]|%[sd]", text)
    return [p.strip(" .,:;–-()") for p in parts if len(p.strip(" .,:;–-()")) >= 12
            or (" " in p.strip() and len(p.strip(" .,:;–-()")) >= 8)]


@lru_cache(maxsize=None)
def foreign_phrases(lang: str) -> frozenset[str]:
    """Phrases that must not appear on a document in ``lang``: the documents' Czech translations (on a
    document in any other language) or English texts (on a Czech one), and the staff interface's Czech
    texts (but on a Czech document) and English ones (but on an English document). A phrase the
    document's own catalog prints is allowed; public office names (context "office") are printed with
    the Czech name beside on purpose."""
    tr = ROOT / "translations"
    own = set()
    for _context, _msgid, strings in _strings(tr / lang / "LC_MESSAGES" / "client_docs.po", ids=False):
        own.update(strings)
    phrases: set[str] = set()
    documents = ("cs", False) if lang != "cs" else ("en", True)
    for context, _msgid, texts in _strings(tr / documents[0] / "LC_MESSAGES" / "client_docs.po", ids=documents[1]):
        if context != "office":
            phrases.update(f for t in texts if t not in own for f in _fragments(t))
    if lang != "cs":
        for _context, _msgid, texts in _strings(tr / "cs" / "LC_MESSAGES" / "messages.po", ids=False):
            phrases.update(f for t in texts for f in _fragments(t))
    if lang != "en":
        for _context, _msgid, texts in _strings(tr / "en" / "LC_MESSAGES" / "messages.po", ids=True):
            phrases.update(f for t in texts for f in _fragments(t))
    return frozenset(p for p in phrases if not any(p in s for s in own))


def foreign_text(page: str, lang: str, data: list[str] = ()) -> list[str]:
    """The phrases of other languages on the document ``page`` in ``lang``, after removing ``data``
    (what people wrote: names, goals, tasks, notes, the centre's and offices' names and addresses)."""
    text = visible_text(page)
    for value in sorted({v for v in data if v and len(v) > 2}, key=len, reverse=True):
        text = text.replace(value, " ")
        text = text.replace(re.sub(r"\s+", " ", value), " ")
    return sorted(p for p in foreign_phrases(lang) if p in text)


def data_strings(value) -> list[str]:
    """Every string in a structure (an export's data, lists of values), each line of it too."""
    found: list[str] = []
    if isinstance(value, str):
        found.append(value)
        found.extend(line.strip() for line in value.splitlines() if line.strip())
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(data_strings(item))
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            found.extend(data_strings(item))
    return found
