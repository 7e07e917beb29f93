"""Configuration from the environment, and complete Czech catalogs."""
import os
import stat
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import Config, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent


def test_secret_key_is_generated_once_with_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORADNA_INSTANCE_PATH", str(tmp_path))
    first = Config().SECRET_KEY
    assert len(first) >= 32
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Config().SECRET_KEY == first


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("PORADNA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("RETENTION_YEARS", "5")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = Config()
    assert config.SECRET_KEY == "from-the-environment"
    assert config.RETENTION_YEARS == 5
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'poradna.sqlite'}"
    assert config.BABEL_DEFAULT_LOCALE == "cs" and config.BABEL_DEFAULT_TIMEZONE == "Europe/Prague"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert Config().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"


def test_database_url_normalisation():
    assert normalise_database_url("postgresql://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("postgresql+psycopg://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a.db") == "sqlite:///a.db"


def test_sqlite_file_database_uses_wal_and_foreign_keys(tmp_path, monkeypatch):
    from app import create_app
    from extensions import db

    monkeypatch.setenv("PORADNA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: no sync per commit
        db.engine.dispose()
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "full")
    app = create_app()
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        db.engine.dispose()
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        create_app()


def _catalog(lang, domain="messages"):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
        return read_po(fh, locale=lang)


def test_czech_catalog_is_complete_and_not_fuzzy():
    catalog = _catalog("cs")
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)]
    assert missing == []
    assert len(catalog) > 200


def test_catalogs_match_the_code():
    """Every message in the code is in the catalog (run `make translations-update` after adding strings)."""
    from babel.messages.extract import extract_from_dir

    in_code = set()
    # the client's documents have a catalog of their own (tests/test_client_documents.py)
    method_map = [("client_docs/**", "ignore"), ("**.py", "python"), ("**.html", "jinja2")]
    for folder in ("admin_views", "models", "services", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
        ):
            in_code.add(message if isinstance(message, str) else message[0])
    for name in ("app.py", "auth.py", "cli.py"):
        from babel.messages.extract import extract

        with open(ROOT / name, "rb") as fh:
            for _line, message, _comments, _context in extract("python", fh, keywords={"_": None, "_l": None}):
                in_code.add(message if isinstance(message, str) else message[0])
    for lang in ("cs", "en"):
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(lang) if m.id}
        assert sorted(in_code - ids) == [], lang


def test_templates_translate_in_the_locale_of_the_moment(app):
    """The templates' _() keeps the request's translations (app._translations) but follows a locale
    forced within the request; the date filters give the language's one format (services/formats.py)."""
    from datetime import date, datetime

    import flask_babel
    from flask import render_template_string

    template = "{{ _('Search') }}|{{ when|datetimeformat }}|{{ day|dateformat }}"
    values = {"when": datetime(2026, 10, 25, 1, 30), "day": date(2026, 2, 3)}
    with app.test_request_context("/"):
        czech = render_template_string(template, **values)
        with flask_babel.force_locale("en"):
            english = render_template_string(template, **values)
            assert english == "Search|25 Oct 2026, 02:30|3 Feb 2026"  # UTC in, the centre's winter time out
        assert render_template_string(template, **values) == czech
        assert czech == "Hledat|25. 10. 2026 2:30|3. 2. 2026"
