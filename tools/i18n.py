"""Catalog chores: ``python -m tools.i18n fill-en`` copies each English msgid into its msgstr."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def fill_en() -> int:
    path = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
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
    if sys.argv[1:] == ["fill-en"]:
        print(f"filled {fill_en()} English messages")
    elif len(sys.argv) == 3 and sys.argv[1] == "apply":
        print(f"translated {apply(sys.argv[2])} Czech messages")
    elif sys.argv[1:] == ["compile"]:
        print("compiled", ", ".join(compile_catalogs(force=True)) or "nothing")
    else:
        sys.exit("usage: python -m tools.i18n fill-en | compile | apply TRANSLATIONS.json")
