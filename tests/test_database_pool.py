"""A pooled connection the server dropped while it sat idle is replaced before a request uses it
(PostgreSQL; app._ping_idle_connections), and one used a moment ago is not tested again."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from config import TestConfig
from extensions import db


def _app(ping_after: int):
    config = TestConfig()
    if not config.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
        pytest.skip("a server that drops connections: PostgreSQL (TEST_DATABASE_URL)")
    config.POOL_PING_AFTER = ping_after
    return create_app(config)


def _drop_pooled_connection(engine) -> int:
    with engine.connect() as conn:  # back in the pool when this block ends
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
    killer.dispose()
    return pid


def test_a_connection_idle_past_the_limit_is_tested_and_replaced():
    app = _app(ping_after=0)
    with app.app_context():
        dropped = _drop_pooled_connection(db.engine)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != dropped
        db.engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_tested():
    app = _app(ping_after=3600)
    with app.app_context():
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args, **kwargs: statements.append(args[2]))
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        _drop_pooled_connection(db.engine)
        # not tested (no round trip): the dead connection reaches the caller, as it would without a test
        with pytest.raises(sa.exc.OperationalError):
            with db.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 2")
        with db.engine.connect() as conn:  # and the pool replaces it afterwards
            assert conn.exec_driver_sql("SELECT 3").scalar() == 3
        db.engine.dispose()


@pytest.mark.parametrize("raw, expected", [("", 5), ("0", 0), ("3", 3), ("none", None), (" None ", None)])
def test_the_prepare_threshold_is_read_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("PG_PREPARE_THRESHOLD", raw)
    assert TestConfig().PG_PREPARE_THRESHOLD == expected


@pytest.mark.parametrize("threshold", [0, None])
def test_connections_prepare_statements_as_configured(threshold):
    """Statements are prepared on the server from their first run (the case file's plans are made once
    per connection), or never."""
    config = TestConfig()
    if not config.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
        pytest.skip("prepared statements: PostgreSQL (TEST_DATABASE_URL)")
    config.PG_PREPARE_THRESHOLD = threshold
    app = create_app(config)
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.connection.dbapi_connection.prepare_threshold == threshold
            for _ in range(2):
                conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relname = :name"), {"name": "poradna"}).scalar()
            prepared = conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements WHERE strpos(statement, :part) > 0"),
                                    {"part": "relname = $1"}).scalar()
            assert (prepared > 0) == (threshold is not None)
        db.engine.dispose()
