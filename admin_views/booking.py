"""Booking from free slots: the slot picker of the booking page and the free time of the week calendar.

A slot is a link whose address carries ``worker_id=`` and ``starts_at=YYYY-MM-DDTHH:MM`` (and the
length and the window shown, so the page comes back as it was); the booking form opens with them
filled in and the Save button books. The double-booking guard still decides when it is saved.
"""
from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from flask import g, request
from flask_login import current_user

from admin_views.common import social_workers
from extensions import db
from models import Client
from models.enums import Role
from services import access, inputs, slots


def booking_client() -> Client | None:
    """The client of ``?client_id=N`` (the Book buttons) as the user may see them, read once a request."""
    if "booking_client" not in g:
        client_id = inputs.to_id(request.args.get("client_id"))
        g.booking_client = None if client_id is None else access.scope(
            db.session.query(Client), Client, current_user).filter(Client.id == client_id).one_or_none()
    return g.booking_client


class StaffMember(NamedTuple):
    id: int
    full_name: str


def staff_members(form=None) -> list[StaffMember]:
    """The social workers to choose from (id and name): the booking form's own worker choices when the page
    has the form (its list is read once for the select and the picker), else as the forms read them."""
    field = form["worker"] if form is not None and "worker" in form else None
    if field is not None:
        return [StaffMember(int(choice[0]), str(choice[1])) for choice in field.iter_choices() if choice[0] != "__None"]
    return [StaffMember(w.id, w.full_name) for w in social_workers()]


def chosen_worker(form=None, default_id: int | None = None) -> tuple[StaffMember | None, list[StaffMember]]:
    """The social worker of ``?worker_id=N`` if it is one, else ``default_id``'s, else the user when a worker."""
    if "booking_worker" in g:
        return g.booking_worker
    workers = staff_members(form)
    wanted = inputs.to_id(request.args.get("worker_id"))
    if wanted is None and default_id is not None:
        wanted = default_id
    if wanted is None and current_user.has_role(Role.WORKER):
        wanted = current_user.id
    g.booking_worker = next((w for w in workers if w.id == wanted), None), workers
    return g.booking_worker


class SlotPickerMixin:
    """``slot_picker()`` for the booking page's template; ``prefill_from_slot(form)`` for ``create_form``."""

    def prefill_from_slot(self, form) -> None:
        """A slot link's worker, start and length in the new booking form (on the first GET only)."""
        if request.method != "GET":
            return
        client = booking_client()
        if client is not None:
            form.client.data = client
        worker, _workers = chosen_worker(form, client.worker_id if client is not None else None)
        if worker is not None and "worker" in form:
            form.worker.process_formdata([str(worker.id)])  # the worker object of the select's own list
        starts_at = slots.parse_start(request.args.get("starts_at"))
        if starts_at is not None and "starts_at" in form:
            form.starts_at.data = starts_at
            form.duration_minutes.data = slots.length_or_default(request.args.get("length"))

    def slot_picker(self, form=None) -> dict:
        client = booking_client()
        worker, workers = chosen_worker(form, client.worker_id if client is not None else None)
        length = slots.length_or_default(request.args.get("length"))
        first = slots.first_day_or_today(request.args.get("week"))
        today = slots.first_day_or_today(None)
        free = slots.free_time(db.session, worker.id, first, length=length) if worker is not None else None
        base = {"client_id": client.id if client is not None else None, "length": length,
                "worker_id": worker.id if worker is not None else None, "url": request.args.get("url")}
        return {
            "client": client, "worker": worker, "workers": workers, "length": length, "lengths": slots.LENGTHS,
            "first": first, "free": free, "chosen": request.args.get("starts_at") or "", "base": base,
            "previous": max(first - timedelta(days=7), today) if first > today else None,
            "next": first + timedelta(days=7),
        }


def week_free_time(worker_id: int | None, monday) -> dict | None:
    """The week calendar's free time of one worker (None for the whole centre): each slot links to the
    booking page with the worker and the start filled in (and the client when the calendar was opened
    for one, ``?client_id=N``)."""
    if worker_id is None:
        return None
    client = booking_client()
    length = slots.length_or_default(request.args.get("length"))
    free = slots.free_time(db.session, worker_id, monday, days=7, length=length)
    return {"free": free, "length": length, "lengths": slots.LENGTHS,
            "base": {"worker_id": worker_id, "length": length, "client_id": client.id if client is not None else None}}
