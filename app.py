"""Poradna: the case-records back office of a social-counselling service for foreigners.

``flask`` finds :func:`create_app` here when run from the repository root.
"""
from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

from flask import Flask, render_template, session
from flask_babel import gettext as _
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Config
from extensions import babel, csrf, db, login_manager, migrate


def _select_locale() -> str:
    from flask import current_app, has_request_context

    chosen = session.get("locale") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _configure_sqlite(engine: Engine, url: str, synchronous: str = "NORMAL") -> None:
    """Foreign keys on for every connection; WAL, its sync level and a busy timeout for a file database."""
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):  # pragma: no cover - exercised by every test
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # erased personal data is overwritten, not left in free pages
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            # in WAL mode NORMAL syncs the log at checkpoints, not at every commit: the database is never
            # corrupted, but a power failure (not a crash of the app) may lose the last commits. Every
            # audited page view commits, and a sync per commit is slow on a shared disk.
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _configure_postgresql(engine: Engine, prepare_threshold: int | None) -> None:
    """psycopg's ``prepare_threshold`` on every connection (config ``PG_PREPARE_THRESHOLD``)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        if hasattr(dbapi_connection, "prepare_threshold"):  # psycopg 3
            dbapi_connection.prepare_threshold = prepare_threshold


def _ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections idle longer than ``idle_seconds`` only.

    ``pool_pre_ping`` tests every connection taken from the pool, a round trip to the server on
    every request. A connection back in the pool a moment ago is as alive as a test would show; one
    idle for longer is tested, and a dead one is replaced before the request uses it (SQLAlchemy's
    "custom pessimistic ping": raising DisconnectionError at checkout makes the pool reconnect)."""
    import time

    from sqlalchemy import exc

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, connection_record):
        connection_record.info["poradna_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, connection_record, connection_proxy):
        idle_since = connection_record.info.get("poradna_idle_since")
        if idle_since is not None and time.monotonic() - idle_since < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # leave no transaction open behind the test
        except Exception as error:  # any failure: the pool drops this connection and opens another
            raise exc.DisconnectionError() from error


def create_app(config=None) -> Flask:
    """Build the application. ``config``: a Config instance or class, or a dict of overrides."""
    if config is None:
        cfg = Config()
    elif isinstance(config, dict):
        cfg = Config()
        for key, value in config.items():
            setattr(cfg, key, value)
    elif isinstance(config, type):
        cfg = config()
    else:
        cfg = config

    app = Flask(__name__, instance_path=cfg.INSTANCE_PATH, instance_relative_config=False)
    app.config.from_object(cfg)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO if not app.testing else logging.WARNING)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            _configure_sqlite(db.engine, app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLITE_SYNCHRONOUS", "NORMAL"))
        else:
            if db.engine.dialect.name == "postgresql":
                _configure_postgresql(db.engine, app.config.get("PG_PREPARE_THRESHOLD", 5))
            if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
                _ping_idle_connections(db.engine, app.config.get("POOL_PING_AFTER", 10))

    from models import Client, Worker
    from services import audit, name_index, name_search, phone_index, writes

    audit.listen()  # audit entries are append-only
    writes.listen()  # what a save may not change (services/writes.py), on every flush
    name_index.listen(Client.__table__)  # SQLite's search indexes of names and phone numbers come and go with the table
    phone_index.listen(Client.__table__)
    name_search.listen(Client)  # a client's search key follows its names on every save
    _worker_by_id = sa.select(Worker).where(Worker.id == sa.bindparam("worker_id"))

    @login_manager.user_loader
    def load_user(user_id: str):
        """The session holds "<id>:<session version>": a raised version (password change, lockout,
        logout elsewhere, deactivation) or a disabled account ends the session."""
        head, _, version = str(user_id).partition(":")
        try:
            worker_id, version = int(head), int(version)
        except (TypeError, ValueError):
            return None
        # one statement, built once: session.get builds and keys its query anew on every request
        worker = db.session.execute(_worker_by_id, {"worker_id": worker_id}).scalar_one_or_none()
        if worker is None or not worker.active or version != (worker.session_version or 1):
            return None
        return worker

    import auth

    app.register_blueprint(auth.bp)
    import feeds

    app.register_blueprint(feeds.bp)

    from admin_views import init_admin

    init_admin(app)

    from cli import register_cli

    register_cli(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    import security

    security.init_app(app)  # headers and CSP nonces, session lifetimes, the two-factor gate, log redaction
    _tune_gc(app.config.get("GC_THRESHOLD", 0))
    return app


_gc_frozen = False


def _tune_gc(threshold: int) -> None:
    """Collect garbage less often than Python's default, and never walk what start-up built.

    What the process built to start (modules, mappers, compiled templates) lives as long as the
    process: ``gc.freeze()`` moves it out of the collector's sight, once per process. A higher first
    threshold lets a request's objects die by reference counting before the collector looks at them;
    cycles are still collected (memory over 500 requests is a benchmark line)."""
    global _gc_frozen
    if threshold > 0:
        gc.set_threshold(threshold)
    if not _gc_frozen:
        gc.freeze()
        _gc_frozen = True


def _translations():
    """Flask-Babel's ``get_translations()``: the application's domain keeps them for the rest of the
    request (extensions.PoradnaBabel)."""
    from flask_babel import get_translations

    return get_translations()


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_decimal, format_percent

    # the templates' _() and friends, as Flask-Babel installs them, on the kept translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def _helpers():
        def current_locale_code() -> str:
            locale = get_locale()
            return locale.language if locale else "cs"

        return {"current_locale_code": current_locale_code}

    from services import formats

    def datetimeformat(value, fmt="short"):
        """The one date-and-time format of the language (``fmt`` names a Babel pattern of old: one with the
        day of the week shows it, one of the time alone shows the time)."""
        if fmt in ("HH:mm", "H:mm", "time"):
            return formats.time_text(value)
        if "EEEE" in fmt:
            return formats.weekday_text(value)
        return formats.datetime_text(value)

    def dateformat(value, fmt="medium"):
        return formats.weekday_text(value) if "EEEE" in fmt else formats.date_text(value)

    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["dateformat"] = dateformat
    app.jinja_env.filters["datetime_text"] = formats.datetime_text
    app.jinja_env.filters["date_text"] = formats.date_text
    app.jinja_env.filters["time_text"] = formats.time_text
    app.jinja_env.filters["weekday_text"] = formats.weekday_text
    app.jinja_env.filters["numberformat"] = lambda value: format_decimal(value or 0)
    app.jinja_env.filters["percentformat"] = lambda value: format_percent(value or 0, "#,##0.0 %")


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood. Go back and try again."),
        403: lambda: _("You do not have access to this page."),
        404: lambda: _("The page or record does not exist."),
        405: lambda: _("This action is not allowed here."),
        413: lambda: _("What was sent is too large (more than %(size)s MB). Nothing was saved: go back, shorten "
                       "the text and send it again.", size=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
        500: lambda: _("Something went wrong on our side. Nothing was saved; please try again."),
    }

    def _render(code: int, message: str | None = None):
        return render_template("error.html", code=code, message=message or messages[code]()), code

    for code in messages:
        app.register_error_handler(code, lambda exc, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        logging.getLogger(__name__).warning("CSRF refused: %s", exc.description)
        return _render(400, _("The form has expired or was not sent from this site. Reload the page and try again."))
