"""Fixtures: app, db, client, login_as(role). SQLite in memory by default, PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import contextvars
import os

import pytest
from flask.testing import FlaskClient
import sqlalchemy as sa

from app import create_app
from config import TestConfig
from extensions import db as _db
from models import Base
from models.enums import Role
from tests import factories

PASSWORD = "correct horse battery staple"


def pytest_sessionstart(session):
    from tools.i18n import compile_catalogs

    compile_catalogs()


class IsolatedClient(FlaskClient):
    """Runs every request in its own context, as a real server does.

    Without this a request would reuse the test's application context, and with it ``g``
    (Flask-Login's cached user, Flask-WTF's token) and the test's database session.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        try:
            _db.session.expire_all()  # see what the request committed
        except RuntimeError:
            pass  # no application context in the test
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    os.environ.setdefault("PORADNA_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    application = create_app(TestConfig)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()


@pytest.fixture()
def db(app):
    """The database, emptied after each test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def csrf_app(app):
    """Turn CSRF protection on for one test."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def login_as(client, db):
    """``login_as("worker")`` or ``login_as("manager", "worker")``: create an account with those roles and log in."""

    def _login(*roles, email=None, **fields):
        roles = roles or ("worker",)
        worker = factories.make_worker(
            email=email or f"{'-'.join(roles)}-{factories.next_n()}@test.example",
            roles=[Role(r) for r in roles], password=PASSWORD, **fields,
        )
        db.session.commit()
        response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return worker

    return _login


def count_rows(model, *where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for cond in where:
        query = query.where(cond)
    return _db.session.execute(query).scalar()


@pytest.fixture()
def not_at_midnight():
    """For tests whose data is "today, all day" (walk-in hours 0:00–23:59, an appointment later
    today): started in the last two minutes of the centre's day, they first wait for the next day
    (at most two minutes, rarely), rather than pinning a clock the code under test does not read."""
    import time as _time
    from datetime import datetime as _datetime, time as _clock, timedelta as _timedelta

    from services.timeutil import local_now

    now = local_now()
    if now.time() >= _clock(23, 58):
        midnight = _datetime.combine(now.date() + _timedelta(days=1), _clock.min, tzinfo=now.tzinfo)
        _time.sleep((midnight - now).total_seconds() + 1)


def statements_run(fn) -> list[str]:
    """The SQL statements ``fn()`` sends to the database, in order."""
    statements: list[str] = []

    def grab(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", grab)
    try:
        fn()
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", grab)
    return statements
