"""The register of clients' data-protection requests."""
from __future__ import annotations

import calendar
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import DataRequest
from models.enums import DataRequestStatus
from services.errors import ServiceError
from services.timeutil import local_now


def one_month_after(day: date) -> date:
    """The GDPR deadline: the same day next month (or that month's last day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def save(session: Session, request: DataRequest, by_id: int | None = None) -> DataRequest:
    """Check a request and fill what follows from it: the client code, the due date, who completed it."""
    if request.client is None and not request.client_code:
        raise ServiceError(_l("Choose the client."), field="client")
    if request.client is not None:
        request.client_code = request.client.code
    if request.received_on is None:
        request.received_on = local_now().date()
    if request.received_on > local_now().date():
        raise ServiceError(_l("A request cannot be received in the future."), field="received_on")
    request.due_on = request.due_on or one_month_after(request.received_on)
    if request.status is None:
        request.status = DataRequestStatus.OPEN
    if request.status in (DataRequestStatus.COMPLETED, DataRequestStatus.REFUSED):
        request.completed_on = request.completed_on or local_now().date()
        request.completed_by_id = request.completed_by_id or by_id
    else:
        request.completed_on = None
        request.completed_by_id = None
    session.flush()
    return request


def open_requests(session: Session, limit: int = 50) -> list[DataRequest]:
    """Open requests, the most urgent first (for the managers' start page)."""
    return (
        session.query(DataRequest)
        .filter(DataRequest.status.in_([DataRequestStatus.OPEN, DataRequestStatus.IN_PROGRESS]))
        .order_by(DataRequest.due_on, DataRequest.id)
        .limit(limit).all()
    )
