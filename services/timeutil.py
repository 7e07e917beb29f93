"""Time zones: stored in UTC, shown and entered in the centre's zone (Europe/Prague)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def centre_zone() -> ZoneInfo:
    try:
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Prague"))
    except RuntimeError:
        return ZoneInfo("Europe/Prague")


def local_now() -> datetime:
    return datetime.now(centre_zone())


def to_local(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    """``value`` in the centre's zone (``zone``: :func:`centre_zone` read once by a caller converting many)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone or centre_zone())


def local_to_utc(value: datetime | None, zone: ZoneInfo | None = None) -> datetime | None:
    """A naive wall-clock time typed by a person in the centre → aware UTC (``zone`` as for :func:`to_local`)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or centre_zone())
    return value.astimezone(timezone.utc)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the centre's calendar day starts and the next one starts."""
    start = datetime.combine(day, time.min).replace(tzinfo=centre_zone())
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=centre_zone())
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
