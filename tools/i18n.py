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


if __name__ == "__main__":
    if sys.argv[1:] == ["fill-en"]:
        print(f"filled {fill_en()} English messages")
    else:
        sys.exit("usage: python -m tools.i18n fill-en")
