"""Catalog chores.

``python -m tools.i18n fill-en [DOMAIN]``   copies each English msgid into its msgstr (messages, client_docs)
``python -m tools.i18n compile``            compiles every catalog (.po → .mo)
``python -m tools.i18n check-client-docs``  fails unless every language's client_docs catalog holds every
                                            string of templates/client_docs, translated and not fuzzy
``python -m tools.i18n apply FILE.json``    fills empty Czech messages from a JSON object
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def fill_en(domain: str = "messages") -> int:
    path = ROOT / "translations" / "en" / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                changed += 1
        elif not message.string:
            message.string = message.id
            changed += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100)
    return changed




def compile_catalogs(force: bool = False) -> list[str]:
    """Compile every ``translations/*/LC_MESSAGES/*.po`` whose ``.mo`` is missing or older."""
    from babel.messages.mofile import write_mo

    done = []
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        done.append(str(po.relative_to(ROOT)))
    return done


CLIENT_DOCS = "client_docs"
CLIENT_DOCS_TEMPLATES = ROOT / "templates" / "client_docs"
#: the keywords of the document templates (Jinja's i18n extension: gettext, ngettext, pgettext)
CLIENT_DOCS_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def client_docs_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string in the document templates."""
    from babel.messages.extract import extract_from_dir

    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            CLIENT_DOCS_TEMPLATES, [("**.html", "jinja2")], keywords=CLIENT_DOCS_KEYWORDS):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def client_docs_problems() -> list[str]:
    """What keeps the client's documents from being whole in some language: a catalog without a string
    of the templates, an empty or fuzzy translation (every plural form counts), or no catalog at all."""
    wanted = client_docs_messages()
    problems = []
    catalogs = sorted((ROOT / "translations").glob(f"*/LC_MESSAGES/{CLIENT_DOCS}.po"))
    if not catalogs:
        return [f"no {CLIENT_DOCS} catalog in translations/"]
    for path in catalogs:
        lang = path.parent.parent.name
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        have = {}
        for message in catalog:
            if message.id:
                have[(message.context, message.id if isinstance(message.id, str) else message.id[0])] = message
        for context, msgid in sorted(wanted - set(have), key=lambda item: item[1]):
            problems.append(f"{lang}: missing {msgid!r}" + (f" (context {context})" if context else ""))
        for key, message in sorted(have.items(), key=lambda item: item[0][1]):
            strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            if message.fuzzy:
                problems.append(f"{lang}: fuzzy {key[1]!r}")
            elif not all(strings):
                problems.append(f"{lang}: untranslated {key[1]!r}")
    return problems


def apply(json_path: str, lang: str = "cs") -> int:
    """Fill empty translations from a JSON object {msgid: msgstr} (a list of forms for plurals)."""
    import json

    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(json_path, encoding="utf-8") as fh:
        given = json.load(fh)
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    done = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else (message.id[0] if message.id else None)
        if key in given and (not message.string or (isinstance(message.string, tuple) and not all(message.string))):
            value = given[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            done += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100)
    return done


if __name__ == "__main__":
    if sys.argv[1:2] == ["fill-en"] and len(sys.argv) <= 3:
        domain = sys.argv[2] if len(sys.argv) == 3 else "messages"
        print(f"filled {fill_en(domain)} English messages of {domain}")
    elif sys.argv[1:] == ["check-client-docs"]:
        found = client_docs_problems()
        for line in found:
            print(line)
        if found:
            sys.exit(f"the client's documents are not complete in every language ({len(found)} problems): "
                     "make client-docs-update, then translate")
        print(f"client_docs: {len(client_docs_messages())} strings, complete in every language")
    elif len(sys.argv) == 3 and sys.argv[1] == "apply":
        print(f"translated {apply(sys.argv[2])} Czech messages")
    elif sys.argv[1:] == ["compile"]:
        print("compiled", ", ".join(compile_catalogs(force=True)) or "nothing")
    else:
        sys.exit("usage: python -m tools.i18n fill-en [DOMAIN] | compile | check-client-docs | apply TRANSLATIONS.json")
