"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL, and downgrade cleanly."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from config import TestConfig
from extensions import db
from models import Base, Client


@pytest.fixture()
def migration_url(app, tmp_path):
    """A database of its own: a file for SQLite, a fresh schema for PostgreSQL."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def _not_search_index(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name and name.startswith(("client_name_fts", "client_search_key_fts", "client_phone_fts")):  # SQLite's name (0009, 0012) and phone (0010) indexes
        return False
    return not (type_ == "index" and name and name.endswith(("_trgm", "_search")))  # one engine each, revision 0007


def _search_indexes(engine) -> set[str]:
    return {ix["name"] for ix in sa.inspect(engine).get_indexes("client") if ix["name"].endswith(("_trgm", "_search"))}


def _diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_search_index})
        return compare_metadata(context, Base.metadata)


def _app(url):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    return create_app(config)


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(migration_url):
    app = _app(migration_url)
    with app.app_context():
        upgrade()
        engine = db.engine
        assert _diff(engine) == []
        with engine.connect() as conn:
            topics = conn.execute(sa.text("SELECT count(*) FROM topic")).scalar()
            offices = conn.execute(sa.text("SELECT count(*) FROM public_office")).scalar()
        assert topics >= 9 and offices >= 7  # the default code lists
        postgres = engine.dialect.name == "postgresql"
        assert _search_indexes(engine) == ({"ix_client_search_key_trgm", "ix_client_phone_digits_trgm"} if postgres else set())
        tables = set(sa.inspect(engine).get_table_names())
        assert postgres or ({"client_search_key_fts", "client_phone_fts"} <= tables and "client_name_fts" not in tables)
        downgrade(revision="0010")  # revision 0012 gives back the indexes of the raw names it replaced
        assert _search_indexes(engine) == ({"ix_client_first_name_trgm", "ix_client_last_name_trgm", "ix_client_alias_trgm",
                                            "ix_client_phone_digits_trgm"} if postgres else {"ix_client_name_search"})
        tables = set(sa.inspect(engine).get_table_names())
        assert postgres or ({"client_name_fts", "client_phone_fts"} <= tables and "client_search_key_fts" not in tables)
        assert "search_key" not in {c["name"] for c in sa.inspect(engine).get_columns("client")}
        downgrade(revision="0006")
        assert _search_indexes(engine) == set()
        assert not {"client_name_fts", "client_search_key_fts", "client_phone_fts"} & set(sa.inspect(engine).get_table_names())
        upgrade()
        downgrade(revision="base")
        tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _diff(engine) == []
        db.session.remove()
        engine.dispose()


def test_revision_0011_adds_the_record_versions_and_its_downgrade_keeps_the_search_indexes(migration_url):
    """0011 adds ``version`` to the client and case records (existing rows start at 1) and the erasure
    state; its downgrade removes them in place: on SQLite a copy of the client table would have
    dropped the name and phone search indexes' triggers (revisions 0009 and 0010)."""
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = migration_url
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    app = create_app(config)
    versioned = ("client", "appointment", "visit", "intake", "agreement", "roadmap_task")
    with app.app_context():
        upgrade(revision="0010")
        engine = db.engine
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO client (code, status, is_anonymous, languages, legal_hold, created_at) "
                                 "VALUES ('2020-00001', 'interested', false, '', false, CURRENT_TIMESTAMP)"))
        upgrade(revision="0011")
        inspector = sa.inspect(engine)
        assert all("version" in {c["name"] for c in inspector.get_columns(table)} for table in versioned)
        assert "erasure_state" in inspector.get_table_names()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version FROM client")).scalar() == 1
        downgrade(revision="0010")
        inspector = sa.inspect(engine)
        assert not any("version" in {c["name"] for c in inspector.get_columns(table)} for table in versioned)
        assert "erasure_state" not in inspector.get_table_names()
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                triggers = set(conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            assert {"client_name_fts_update", "client_phone_fts_update"} <= triggers
        else:
            assert _search_indexes(engine) >= {"ix_client_last_name_trgm", "ix_client_phone_digits_trgm"}
        upgrade()
        assert _diff(engine) == []
        db.session.remove()
        engine.dispose()


def test_revision_0012_fills_the_search_key_of_existing_clients_and_gives_it_back(migration_url):
    app = _app(migration_url)
    with app.app_context():
        upgrade(revision="0010")
        engine = db.engine
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO client (code, status, is_anonymous, first_name, last_name, alias, languages, legal_hold, created_at, phone) "
                "VALUES ('2026-00001', 'interested', false, 'Тарас', 'Шевченко', NULL, '', false, CURRENT_TIMESTAMP, '+420 777 123 456'), "
                "('2026-00002', 'interested', true, NULL, NULL, 'Babička z Kladna', '', false, CURRENT_TIMESTAMP, NULL), "
                "('2026-00003', 'interested', true, NULL, NULL, NULL, '', false, CURRENT_TIMESTAMP, NULL)"))
        upgrade()
        with engine.connect() as conn:
            keys = dict(conn.execute(sa.text("SELECT code, search_key FROM client")).all())
        assert keys == {"2026-00001": "taras sevcenko", "2026-00002": "babicka z kladna", "2026-00003": None}
        from services import clients

        def codes_found(text):
            found = clients.lookup(db.session, text)
            return db.session.execute(sa.select(Client.code).where(found.condition), found.params).scalars().all()

        assert codes_found("shevchenko") == ["2026-00001"]
        assert codes_found("777123") == ["2026-00001"]
        db.session.remove()
        downgrade(revision="0010")
        with engine.begin() as conn:  # the phone index still follows the table after SQLite's table rebuild
            conn.execute(sa.text("UPDATE client SET phone = '+420 608 000 111' WHERE code = '2026-00001'"))
        upgrade()
        assert codes_found("608000") == ["2026-00001"]
        db.session.remove()
        engine.dispose()
