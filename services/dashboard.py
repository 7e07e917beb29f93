"""Figures for the start page of each role; a few aggregate queries, whatever the size of the data."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager, joinedload

from models import Agreement, Appointment, Client, CoverGrant, RoadmapTask, Visit, Worker
from models.enums import AgreementStatus, AppointmentStatus, ClientStatus, Role, TaskStatus, VisitChannel
from services import access, clock, cover, data_requests, scheduling
from services.timeutil import local_day_bounds, to_local


#: At most this many of today's appointments on the desk at once (then: choose a worker).
DESK_LIMIT = 300


def next_working_day(day: date) -> date:
    """The next day from Monday to Friday after ``day``: what a start page shows when today has no
    appointments (a weekend). Each page reads today and that day in the query it runs for today."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def start_page(session: Session, user, *, search: str | None = None, stale_months: int = 3,
               desk_worker: int | None = None) -> dict:
    """Everything each role's start page shows; ``desk_worker`` narrows the desk's day to one worker."""
    now = clock.now()  # one instant for the whole page (tests pin it)
    today = to_local(now).date()
    start, end = local_day_bounds(today)
    following = next_working_day(today)
    following_start, following_end = local_day_bounds(following)
    data: dict = {"today": today}
    if user.has_role(Role.RECEPTION):  # the desk (managers see the load per worker instead)
        data["walk_in"] = scheduling.walk_in_status(session, now)
        # today's appointments, and the next working day's for a day without any (one query: today's first)
        later = Appointment.starts_at >= end
        day = access.scope(
            session.query(Appointment).filter(
                Appointment.starts_at >= start, Appointment.starts_at < following_end,
                sa.or_(Appointment.starts_at < end, Appointment.starts_at >= following_start)),
            Appointment, user,
        )
        if desk_worker is not None:
            day = day.filter(Appointment.worker_id == desk_worker)
        rows = (day.options(joinedload(Appointment.client), joinedload(Appointment.worker), joinedload(Appointment.office))
                .order_by(later, Appointment.worker_id, Appointment.starts_at, Appointment.id).limit(DESK_LIMIT + 1).all())
        data["desk_day"] = today
        if rows and rows[0].starts_at >= end:  # nothing today (a weekend): the next working day's
            data["desk_day"] = following
        else:
            rows = [a for a in rows if a.starts_at < end]
        data["today_more"] = len(rows) > DESK_LIMIT  # the page says so and offers the choice of a worker
        rows = rows[:DESK_LIMIT]
        data["desk_worker"], data["desk_limit"] = desk_worker, DESK_LIMIT
        by_worker: dict = {}
        for appointment in rows:
            by_worker.setdefault(appointment.worker, []).append(appointment)
        data["today_by_worker"] = sorted(by_worker.items(), key=lambda item: item[0].full_name)
        data["now"] = now
    if search is not None:
        from services import clients

        data["search"] = search
        data["merged"] = {}  # a merged record's code typed: the kept record found, and why
        data["found"] = clients.search(session, search, user, limit=15, merged=data["merged"])
    if user.has_role(Role.WORKER):
        week_end = local_day_bounds(today + timedelta(days=6 - today.weekday()))[1]
        week = (
            session.query(Appointment)
            .filter(Appointment.worker_id == user.id, Appointment.starts_at >= start,
                    Appointment.starts_at < max(week_end, following_end))
            .options(joinedload(Appointment.client), joinedload(Appointment.office))
            .order_by(Appointment.starts_at, Appointment.id).limit(200).all()
        )
        if any(a.starts_at < end for a in week):
            data["my_week"] = [a for a in week if a.starts_at < week_end]
        else:  # nothing today: the rest of the week and the next working day (after a weekend: Monday)
            data["my_week"] = [a for a in week if a.starts_at < week_end or following_start <= a.starts_at]
            data["my_next_day"] = to_local(data["my_week"][0].starts_at).date() if data["my_week"] else None
        from services import case_operations

        #: appointments reception marked as arrived that the worker has yet to record
        data["arrived"] = {a.id for a in data["my_week"] if case_operations.is_arrived(a)}
        mine = sa.select(Client.id).where(Client.worker_id == user.id)
        # the 50 tasks' ids first, from the indexes alone (agreement: client, status, id), then their rows:
        # asked for the agreements' rows in the same step, PostgreSQL scanned every agreement instead
        overdue = (
            sa.select(RoadmapTask.id).join(Agreement, Agreement.id == RoadmapTask.agreement_id)
            .where(Agreement.client_id.in_(mine), Agreement.status == AgreementStatus.ACTIVE,
                   RoadmapTask.status == TaskStatus.OPEN, RoadmapTask.due_on < today)
            .order_by(RoadmapTask.due_on, RoadmapTask.id).limit(50)
        )
        data["overdue_tasks"] = (
            session.query(RoadmapTask).join(Agreement, Agreement.id == RoadmapTask.agreement_id)
            .filter(RoadmapTask.id.in_(overdue))
            .options(contains_eager(RoadmapTask.agreement).joinedload(Agreement.client))
            .order_by(RoadmapTask.due_on, RoadmapTask.id).all()
        )
        since = user.previous_login_at or (now - timedelta(days=7))
        data["since"] = since
        data["walk_ins_since"] = (
            session.query(Visit)
            .filter(Visit.client_id.in_(mine), Visit.channel == VisitChannel.WALK_IN, Visit.occurred_at >= since)
            .options(joinedload(Visit.client), joinedload(Visit.worker))
            .order_by(Visit.occurred_at.desc(), Visit.id.desc()).limit(50).all()
        )
        data["cover_on_my_clients"] = (
            session.query(CoverGrant)
            .filter(CoverGrant.client_id.in_(mine), CoverGrant.worker_id != user.id,  # colleagues, not oneself
                    sa.or_(CoverGrant.granted_at >= since, CoverGrant.expires_at > now))
            .options(joinedload(CoverGrant.client), joinedload(CoverGrant.worker))
            .order_by(CoverGrant.granted_at.desc(), CoverGrant.id.desc()).limit(50).all()
        )
        stale_before = now - timedelta(days=30 * stale_months)
        data["stale_months"] = stale_months
        data["stale_clients"] = (
            session.query(Client)
            .filter(Client.worker_id == user.id, Client.status == ClientStatus.CLIENT,
                    sa.func.coalesce(Client.last_contact_at, Client.created_at) < stale_before)
            .order_by(sa.func.coalesce(Client.last_contact_at, Client.created_at), Client.id).limit(50).all()
        )
    if user.has_role(Role.MANAGER):
        data["cover_today"] = cover.grants_today(session)
        data["data_requests"] = data_requests.open_requests(session)
        # today's load, and the next working day's for a day without any (one query, grouped by the two days)
        later = sa.case((Appointment.starts_at >= end, 1), else_=0)
        loads = (
            session.query(later, Worker.full_name, sa.func.count(Appointment.id),
                          sa.func.coalesce(sa.func.sum(Appointment.duration_minutes), 0))
            .join(Appointment, Appointment.worker_id == Worker.id)
            .filter(Appointment.starts_at >= start, Appointment.starts_at < following_end,
                    sa.or_(Appointment.starts_at < end, Appointment.starts_at >= following_start),
                    Appointment.status.in_((AppointmentStatus.PLANNED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)))
            .group_by(later, Worker.id, Worker.full_name).order_by(later, Worker.full_name).all()
        )
        shown = 0 if any(row[0] == 0 for row in loads) else 1
        data["load"] = [tuple(row[1:]) for row in loads if row[0] == shown]
        data["load_day"] = today if shown == 0 or not data["load"] else following
        month_start = local_day_bounds(today.replace(day=1))[0]
        attended, no_show = session.query(
            sa.func.count(Appointment.id).filter(Appointment.status == AppointmentStatus.ATTENDED),
            sa.func.count(Appointment.id).filter(Appointment.status == AppointmentStatus.NO_SHOW),
        ).filter(Appointment.starts_at >= month_start, Appointment.starts_at < end).one()
        data["no_show"] = {"attended": attended, "no_show": no_show,
                           "rate": (no_show / (attended + no_show)) if (attended + no_show) else None}
    if user.has_role(Role.ADMIN):
        data["active_accounts"] = session.query(sa.func.count(Worker.id)).filter(Worker.active.is_(True)).scalar()
    return data
