"""Figures for the start page; a few aggregate queries, whatever the size of the data."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Appointment, Client, Worker
from models.enums import AppointmentStatus, Role
from services import access, cover, data_requests
from services.timeutil import local_day_bounds, local_now


def start_page(session: Session, user) -> dict:
    today = local_now().date()
    start, end = local_day_bounds(today)
    data: dict = {"today": today}
    if user.has_role(Role.RECEPTION, Role.MANAGER, Role.WORKER):
        query = (
            session.query(Appointment)
            .filter(Appointment.starts_at >= start, Appointment.starts_at < end)
            .order_by(Appointment.starts_at, Appointment.id)
        )
        if not user.has_role(Role.RECEPTION, Role.MANAGER):
            query = query.filter(Appointment.worker_id == user.id)
        data["appointments_today"] = access.scope(query, Appointment, user).limit(200).all()
    if user.has_role(Role.WORKER):
        week_end = local_day_bounds(today + timedelta(days=7))[1]
        data["my_upcoming"] = (
            session.query(Appointment)
            .filter(Appointment.worker_id == user.id, Appointment.starts_at >= end, Appointment.starts_at < week_end,
                    Appointment.status == AppointmentStatus.PLANNED)
            .order_by(Appointment.starts_at, Appointment.id).limit(50).all()
        )
        data["my_clients"] = dict(
            session.query(Client.status, sa.func.count(Client.id)).filter(Client.worker_id == user.id).group_by(Client.status).all()
        )
    if user.has_role(Role.WORKER):
        data["cover_on_my_clients"] = cover.active_grants(session, for_clients_of=user.id)
    if user.has_role(Role.MANAGER):
        data["cover_today"] = cover.grants_today(session)
        data["data_requests"] = data_requests.open_requests(session)
    if user.has_role(Role.MANAGER):
        data["clients_by_status"] = dict(session.query(Client.status, sa.func.count(Client.id)).group_by(Client.status).all())
    if user.has_role(Role.ADMIN):
        data["active_accounts"] = session.query(sa.func.count(Worker.id)).filter(Worker.active.is_(True)).scalar()
    return data
