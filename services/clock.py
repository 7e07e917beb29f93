"""The one clock the sign-in and session rules read (tests move it with ``monkeypatch``)."""
from __future__ import annotations

from datetime import datetime

from models.base import utcnow


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return utcnow()
