"""Helpers for the security tests: a clock the tests move, and page parsing."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest

from services import clock


class MovableClock:
    """Replaces :func:`services.clock.now`; ``shift(minutes=…)`` moves it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def shift(self, **delta) -> None:
        self.current += timedelta(**delta)


@pytest.fixture()
def frozen_clock(monkeypatch):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    fake = MovableClock(now)
    monkeypatch.setattr(clock, "now", fake)
    return fake


def csp_directives(header: str) -> dict[str, list[str]]:
    result = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def script_tags(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE)


def inline_handlers(page: str) -> list[str]:
    """The (unescaped) values of every on…="…" attribute in the page."""
    return [unescape(m.group(2)) for m in re.finditer(r"\s(on[a-z]+)=\"([^\"]*)\"", page)]
