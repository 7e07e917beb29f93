"""Feeds read by other programs: the workers' private iCalendar links (no login, a secret token)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, request

from extensions import db
from services import calendar

bp = Blueprint("feeds", __name__)


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    worker = calendar.worker_for_token(db.session, token)
    if worker is None:
        abort(404)
    body = calendar.ics_feed(db.session, worker, host=request.host.split(":")[0] or "poradna")
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="poradna.ics"', "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex",
    })
