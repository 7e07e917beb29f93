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
from models import Base


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


def _diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(migration_url):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = migration_url
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    app = create_app(config)
    with app.app_context():
        upgrade()
        engine = db.engine
        assert _diff(engine) == []
        with engine.connect() as conn:
            topics = conn.execute(sa.text("SELECT count(*) FROM topic")).scalar()
            offices = conn.execute(sa.text("SELECT count(*) FROM public_office")).scalar()
        assert topics >= 9 and offices >= 7  # the default code lists
        downgrade(revision="base")
        tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _diff(engine) == []
        db.session.remove()
        engine.dispose()
