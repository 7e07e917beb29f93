"""Figures for the start page of each role; a few aggregate queries, whatever the size of the data."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager, joinedload, load_only

from models import Agreement, Appointment, Client, CoverGrant, PublicOffice, RoadmapTask, Visit, Worker
from models.enums import AgreementStatus, AppointmentStatus, ClientStatus, Role, TaskStatus, VisitChannel
from services import access, case_operations, clients, clock, cover, data_requests, scheduling
from services.timeutil import local_day_bounds, to_local


#: A page of the desk: more than a real centre's whole day (a few dozen appointments); a larger day
#: goes on over further pages, and one worker's day can be chosen.
DESK_LIMIT = 100
#: The desk leaves out today's appointments dealt with (arrived, no-show, cancelled) longer ago than
#: this: what reception acts on is who is waiting or late and who comes next. "The whole day" shows them.
DESK_RECENT = timedelta(hours=1)
#: Appointments that will not take place: not part of a day's load.
CANCELLED_STATUSES = (AppointmentStatus.CANCELLED_PHONE, AppointmentStatus.CANCELLED_EMAIL, AppointmentStatus.CANCELLED_CENTRE)
#: What the desk shows of each appointment and its client, worker and office (nothing else is read).
_DESK_COLUMNS = (Appointment.id, Appointment.client_id, Appointment.worker_id, Appointment.office_id,
                 Appointment.starts_at, Appointment.place, Appointment.status)
#: ... and of a worker's own appointments: whether reception marked them arrived and the meeting is
#: still to be written (case_operations.is_arrived) needs the record's texts
_WEEK_COLUMNS = _DESK_COLUMNS + (Appointment.notes, Appointment.evaluation, Appointment.next_steps)
_COVER_COLUMNS = (CoverGrant.id, CoverGrant.client_id, CoverGrant.worker_id, CoverGrant.reason,
                  CoverGrant.granted_at, CoverGrant.expires_at)


def _client_columns():
    """What a start page shows of a client: the code and the name as the appointment book writes it."""
    return [getattr(Client, name) for name in Client.LISTED_COLUMNS]


def _client_shown(relationship):
    """The client of ``relationship`` with the shown columns only."""
    return joinedload(relationship).load_only(*_client_columns())


def _worker_shown(relationship):
    """A worker's name, not their account (password hash, two-factor secret)."""
    return joinedload(relationship).load_only(Worker.id, Worker.full_name)


def _office_shown():
    return joinedload(Appointment.office).load_only(PublicOffice.id, PublicOffice.name_cs, PublicOffice.name_en)


def next_working_day(day: date) -> date:
    """The next day from Monday to Friday after ``day``: what a start page shows when today has no
    appointments (a weekend). Each page reads today and that day in the query it runs for today."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def start_page(session: Session, user, *, search: str | None = None, stale_months: int = 3,
               desk_worker: int | None = None, desk_page: int = 1, desk_whole_day: bool = False) -> dict:
    """Everything each role's start page shows; ``desk_worker`` narrows the desk's day to one worker,
    ``desk_page`` is the page of a day longer than DESK_LIMIT, ``desk_whole_day`` brings back the
    appointments dealt with earlier in the day."""
    now = clock.now()  # one instant for the whole page (tests pin it)
    today = to_local(now).date()
    start, end = local_day_bounds(today)
    following = next_working_day(today)
    following_start, following_end = local_day_bounds(following)
    data: dict = {"today": today}
    if user.has_role(Role.RECEPTION):  # the desk (managers see the load per worker instead)
        data["walk_in"] = scheduling.walk_in_status(session, now)
        data.update(_desk(session, user, now, (start, end), (following_start, following_end), following,
                          worker=desk_worker, page=desk_page, whole_day=desk_whole_day))
        data["now"] = now
    if search is not None:
        data["search"] = search
        data["merged"] = {}  # a merged record's code typed: the kept record found, and why
        data["found"] = clients.search(session, search, user, limit=15, merged=data["merged"])
    if user.has_role(Role.WORKER):
        week_end = local_day_bounds(today + timedelta(days=6 - today.weekday()))[1]
        week = (
            session.query(Appointment)
            .filter(Appointment.worker_id == user.id, Appointment.starts_at >= start,
                    Appointment.starts_at < max(week_end, following_end))
            .options(load_only(*_WEEK_COLUMNS), _client_shown(Appointment.client), _office_shown())
            .order_by(Appointment.starts_at, Appointment.id).limit(200).all()
        )
        if any(a.starts_at < end for a in week):
            data["my_week"] = [a for a in week if a.starts_at < week_end]
        else:  # nothing today: the rest of the week and the next working day (after a weekend: Monday)
            data["my_week"] = [a for a in week if a.starts_at < week_end or following_start <= a.starts_at]
            data["my_next_day"] = to_local(data["my_week"][0].starts_at).date() if data["my_week"] else None
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
            .options(load_only(RoadmapTask.id, RoadmapTask.agreement_id, RoadmapTask.due_on, RoadmapTask.description,
                               RoadmapTask.responsible),
                     contains_eager(RoadmapTask.agreement).load_only(Agreement.id, Agreement.client_id)
                     .joinedload(Agreement.client).load_only(*_client_columns()))
            .order_by(RoadmapTask.due_on, RoadmapTask.id).all()
        )
        since = user.previous_login_at or (now - timedelta(days=7))
        data["since"] = since
        data["walk_ins_since"] = (
            session.query(Visit)
            .filter(Visit.client_id.in_(mine), Visit.channel == VisitChannel.WALK_IN, Visit.occurred_at >= since)
            .options(load_only(Visit.id, Visit.client_id, Visit.worker_id, Visit.occurred_at, Visit.urgent),
                     _client_shown(Visit.client), _worker_shown(Visit.worker))
            .order_by(Visit.occurred_at.desc(), Visit.id.desc()).limit(50).all()
        )
        data["cover_on_my_clients"] = (
            session.query(CoverGrant)
            .filter(CoverGrant.client_id.in_(mine), CoverGrant.worker_id != user.id,  # colleagues, not oneself
                    sa.or_(CoverGrant.granted_at >= since, CoverGrant.expires_at > now))
            .options(load_only(*_COVER_COLUMNS), _client_shown(CoverGrant.client), _worker_shown(CoverGrant.worker))
            .order_by(CoverGrant.granted_at.desc(), CoverGrant.id.desc()).limit(50).all()
        )
        stale_before = now - timedelta(days=30 * stale_months)
        data["stale_months"] = stale_months
        data["stale_clients"] = (
            session.query(Client).options(load_only(*_client_columns(), Client.last_contact_at, Client.created_at))
            .filter(Client.worker_id == user.id, Client.status == ClientStatus.CLIENT,
                    sa.func.coalesce(Client.last_contact_at, Client.created_at) < stale_before)
            .order_by(sa.func.coalesce(Client.last_contact_at, Client.created_at), Client.id).limit(50).all()
        )
    if user.has_role(Role.MANAGER):
        data["cover_today"] = cover.grants_today(session)
        data["data_requests"] = data_requests.open_requests(session)
        # today's load, and the next working day's for a day without any (one query, grouped by the two
        # days): summed per worker from the index on the day alone, then named; "not cancelled" rather
        # than its three statuses, or SQLite seeks the status index status by status and reads the table
        later = sa.case((Appointment.starts_at >= end, 1), else_=0)
        per_worker = (
            sa.select(later.label("later"), Appointment.worker_id, sa.func.count(Appointment.id).label("count"),
                      sa.func.coalesce(sa.func.sum(Appointment.duration_minutes), 0).label("minutes"))
            .where(Appointment.starts_at >= start, Appointment.starts_at < following_end,
                   sa.or_(Appointment.starts_at < end, Appointment.starts_at >= following_start),
                   Appointment.status.not_in(CANCELLED_STATUSES))
            .group_by(later, Appointment.worker_id).subquery()
        )
        loads = session.execute(
            sa.select(per_worker.c.later, Worker.full_name, per_worker.c.count, per_worker.c.minutes)
            .join(Worker, Worker.id == per_worker.c.worker_id).order_by(per_worker.c.later, Worker.full_name)
        ).all()
        shown = 0 if any(row[0] == 0 for row in loads) else 1
        data["load"] = [tuple(row[1:]) for row in loads if row[0] == shown]
        data["load_day"] = today if shown == 0 or not data["load"] else following
        month_start = local_day_bounds(today.replace(day=1))[0]
        # counted per status from the index on status and start alone (no table read)
        counts = dict(
            session.query(Appointment.status, sa.func.count())
            .filter(Appointment.status.in_((AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)),
                    Appointment.starts_at >= month_start, Appointment.starts_at < end)
            .group_by(Appointment.status).all()
        )
        attended, no_show = counts.get(AppointmentStatus.ATTENDED, 0), counts.get(AppointmentStatus.NO_SHOW, 0)
        data["no_show"] = {"attended": attended, "no_show": no_show,
                           "rate": (no_show / (attended + no_show)) if (attended + no_show) else None}
    if user.has_role(Role.ADMIN):
        data["active_accounts"] = session.query(sa.func.count(Worker.id)).filter(Worker.active.is_(True)).scalar()
    return data


def _desk(session: Session, user, now, today_bounds, following_bounds, following: date, *, worker: int | None,
          page: int, whole_day: bool) -> dict:
    """The desk's day in time order, a page of DESK_LIMIT at a time, grouped per worker: today's, or the
    next working day's when today has none (a weekend); one query for both days, today's first."""
    (start, end), (following_start, following_end) = today_bounds, following_bounds
    today = to_local(now).date()
    day = access.scope(
        session.query(Appointment).filter(
            Appointment.starts_at >= start, Appointment.starts_at < following_end,
            sa.or_(Appointment.starts_at < end, Appointment.starts_at >= following_start)),
        Appointment, user,
    )
    if worker is not None:
        day = day.filter(Appointment.worker_id == worker)
    shown = day
    if not whole_day:  # still planned (waiting, late, to come), or dealt with within the last hour
        shown = shown.filter(sa.or_(Appointment.status == AppointmentStatus.PLANNED,
                                    Appointment.starts_at >= now - DESK_RECENT))
    # the page's ids first, from the index on the day (start, id, status) alone, then their rows: asked
    # for the rows in the same step, PostgreSQL read every appointment of the day and sorted them
    page_ids = (shown.with_entities(Appointment.id).order_by(Appointment.starts_at, Appointment.id)
                .offset((page - 1) * DESK_LIMIT).limit(DESK_LIMIT + 1))
    rows = (session.query(Appointment).filter(Appointment.id.in_(page_ids.subquery().select()))
            .options(load_only(*_DESK_COLUMNS), _client_shown(Appointment.client),
                     _worker_shown(Appointment.worker), _office_shown())
            .order_by(Appointment.starts_at, Appointment.id).all())
    desk_day, done = today, False
    todays = [a for a in rows if a.starts_at < end]
    if todays or page > 1:
        rows = todays
    elif not whole_day and session.query(day.filter(Appointment.starts_at < end).exists()).scalar():
        rows, done = [], True  # today had appointments, all of them dealt with: say so, not the next day
    elif rows:  # nothing today (a weekend): the next working day's
        desk_day = following
    more = len(rows) > DESK_LIMIT  # the page says so and links to the next page
    by_worker: dict = {}
    for appointment in rows[:DESK_LIMIT]:
        by_worker.setdefault(appointment.worker, []).append(appointment)
    return {"desk_day": desk_day, "desk_done": done, "today_more": more, "desk_page": page,
            "desk_whole_day": whole_day, "desk_worker": worker, "desk_limit": DESK_LIMIT,
            "today_by_worker": sorted(by_worker.items(), key=lambda item: item[0].full_name)}
