"""The private iCalendar feed works only for an active account that still has the social-worker role."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models.enums import Role
from services import calendar
from tests import factories


def _feed_path(db, worker):
    token = calendar.issue_token(db.session, worker)
    factories.make_appointment(worker=worker, starts_at=datetime.now(timezone.utc) + timedelta(days=1))
    db.session.commit()
    return f"/calendar/{token}.ics"


def test_the_feed_answers_a_social_worker(client, db):
    worker = factories.make_worker(roles=[Role.WORKER, Role.MANAGER])
    path = _feed_path(db, worker)
    response = client.get(path)
    assert response.status_code == 200 and "BEGIN:VEVENT" in response.get_data(as_text=True)


@pytest.mark.parametrize("change", ["no_longer_a_worker", "deactivated", "no_roles"])
def test_the_feed_is_a_404_once_the_account_may_no_longer_have_it(change, client, db):
    worker = factories.make_worker(roles=[Role.WORKER])
    path = _feed_path(db, worker)
    assert client.get(path).status_code == 200
    if change == "no_longer_a_worker":
        worker.roles = [Role.RECEPTION.value, Role.MANAGER.value]
    elif change == "deactivated":
        worker.active = False
    else:
        worker.roles = []
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 404
    assert "BEGIN:VCALENDAR" not in response.get_data(as_text=True)
