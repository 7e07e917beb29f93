"""The README's tour: every picture it shows is committed, small, and taken by the browser tests."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readmes_pictures_exist_are_small_and_are_taken_by_the_browser_journeys():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]+\]\((docs/screenshots/[\w-]+\.png)\)", readme)
    assert {Path(p).stem for p in pictures} >= {"desk", "booking", "case-file", "report"}
    journeys = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests" / "browser").glob("test_*.py"))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "PORADNA_SCREENSHOTS=docs/screenshots" in makefile
    for picture in pictures:
        path = ROOT / picture
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert path.stat().st_size < 300_000, f"{picture}: keep the README's pictures small"
        assert f'ui.screenshot("{path.stem}")' in journeys, f"{picture} is not taken by a browser journey"
