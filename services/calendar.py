"""The week calendar and each worker's private iCalendar (ICS) feed."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session, joinedload

from models import Appointment, Client, Worker
from models.base import utcnow
from models.enums import AppointmentStatus
from services import access
from services.timeutil import local_day_bounds, local_now, to_local

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 90


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(value: str | None) -> date:
    """``2026-W48`` or a date ``2026-11-25`` → the Monday of that week; anything else → this week."""
    if value:
        try:
            if "W" in value:
                year, week = value.split("-W")
                return date.fromisocalendar(int(year), int(week), 1)
            return week_start(date.fromisoformat(value))
        except (ValueError, TypeError):
            pass
    return week_start(local_now().date())


def week(session: Session, user, monday: date, worker_id: int | None = None) -> dict:
    """Appointments of one week (all workers or one), grouped by local day."""
    start = local_day_bounds(monday)[0]
    end = local_day_bounds(monday + timedelta(days=6))[1]
    query = (
        session.query(Appointment)
        .filter(Appointment.starts_at >= start, Appointment.starts_at < end)
        .options(joinedload(Appointment.client), joinedload(Appointment.worker), joinedload(Appointment.office))
        .order_by(Appointment.starts_at, Appointment.worker_id, Appointment.id)
    )
    if worker_id is not None:
        query = query.filter(Appointment.worker_id == worker_id)
    rows = access.scope(query, Appointment, user).limit(2000).all()
    days = {monday + timedelta(days=i): [] for i in range(7)}
    for appointment in rows:
        days.setdefault(to_local(appointment.starts_at).date(), []).append(appointment)
    return {"monday": monday, "days": days, "previous": monday - timedelta(days=7), "next": monday + timedelta(days=7)}


# --- the private feed ------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, worker: Worker) -> str:
    """A new private link token for the worker; any earlier link stops working. Only the hash is stored."""
    token = secrets.token_urlsafe(32)
    worker.calendar_token_hash = _hash(token)
    session.flush()
    return token


def revoke_token(session: Session, worker: Worker) -> None:
    worker.calendar_token_hash = None
    session.flush()


def worker_for_token(session: Session, token: str) -> Worker | None:
    if not token or len(token) > 100:
        return None
    worker = session.query(Worker).filter(Worker.calendar_token_hash == _hash(token)).one_or_none()
    if worker is None or not worker.active:
        return None
    # a link keeps working only while the account may still have one (a social worker): the policy decides
    return worker if access.can_open(worker, "calendar_link") else None


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def ics_feed(session: Session, worker: Worker, host: str = "poradna") -> str:
    """The worker's appointments from 30 days back to 90 days ahead. Client codes only: no names, no notes."""
    from services import clock

    now = clock.now()
    rows = (
        session.query(Appointment)
        .filter(Appointment.worker_id == worker.id,
                Appointment.starts_at >= now - timedelta(days=FEED_PAST_DAYS),
                Appointment.starts_at < now + timedelta(days=FEED_FUTURE_DAYS))
        .options(joinedload(Appointment.client).load_only(Client.id, Client.code), joinedload(Appointment.office))
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(5000).all()
    )
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Poradna//Appointments//CS", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Poradna"]
    stamp = _ics_time(now)
    for appointment in rows:
        cancelled = appointment.status in (AppointmentStatus.CANCELLED_CENTRE, AppointmentStatus.CANCELLED_EMAIL,
                                           AppointmentStatus.CANCELLED_PHONE)
        where = appointment.office.name if appointment.office else appointment.place.title
        lines += [
            "BEGIN:VEVENT",
            f"UID:appointment-{appointment.id}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(appointment.starts_at)}",
            f"DTEND:{_ics_time(appointment.ends_at or appointment.compute_end())}",
            _fold("SUMMARY:" + _ics_escape(f"{appointment.client.code} – {appointment.purpose.title}")),
            _fold("LOCATION:" + _ics_escape(where)),
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
