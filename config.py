"""Configuration read from the environment.

Every setting has a safe default for a developer's machine; production sets
``DATABASE_URL`` and ``SECRET_KEY`` (or lets the app generate one into the
instance folder once, with 0600 permissions).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE = BASE_DIR / "instance"


def instance_path() -> Path:
    return Path(os.environ.get("PORADNA_INSTANCE_PATH", DEFAULT_INSTANCE))


def _secret_key(folder: Path) -> str:
    """Return SECRET_KEY from the environment, else a key generated once into the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _list_env(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, default)
    return [part.strip().lower() for part in raw.split(",") if part.strip()]


class Config:
    """Defaults for running the app; every value can be overridden from the environment."""

    def __init__(self, *, generate_secret: bool = True) -> None:
        folder = instance_path()
        self.INSTANCE_PATH = str(folder)
        self.SECRET_KEY = _secret_key(folder) if generate_secret else "test-secret-key-not-for-production"
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{folder / 'poradna.sqlite'}")
        )
        #: a pooled connection unused for longer than POOL_PING_AFTER seconds is tested before use (a
        #: server restart or an idle timeout then costs nothing but a reconnect); one used within
        #: that time is not, which saves a round trip on every request (app._ping_idle_connections)
        self.SQLALCHEMY_ENGINE_OPTIONS = {}
        self.POOL_PING_AFTER = _int_env("POOL_PING_AFTER", 10)
        #: PostgreSQL: after how many runs on a connection a statement is prepared on the server (psycopg's
        #: prepare_threshold, default 5). A prepared statement's plan is made once (the case file's take
        #: ~14 ms to plan, ~3 ms to run), but psycopg forgets its prepared statements at every rollback,
        #: and a page that only reads ends its transaction so: 0 made every list page prepare its
        #: statements anew and deallocate them (three more round trips). "none" never prepares (for a
        #: transaction-pooling proxy that cannot keep them).
        raw_threshold = os.environ.get("PG_PREPARE_THRESHOLD", "5").strip().lower()
        self.PG_PREPARE_THRESHOLD = None if raw_threshold == "none" else _int_env("PG_PREPARE_THRESHOLD", 5)
        #: SQLite's sync level in WAL mode: NORMAL (a power failure may lose the last commits, never
        #: corrupts) or FULL (a sync at every commit); PostgreSQL, the production database, syncs every commit
        self.SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
        self.RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "3"))
        self.BABEL_DEFAULT_LOCALE = "cs"
        self.BABEL_DEFAULT_TIMEZONE = os.environ.get("PORADNA_TIMEZONE", "Europe/Prague")
        self.LANGUAGES = ["cs", "en"]
        self.BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
        #: the largest request body accepted (bytes): every form of the application is far smaller (a
        #: note holds at most 10 000 characters); a larger one is refused with a translated page (413)
        self.MAX_CONTENT_LENGTH = _int_env("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
        if self.SESSION_COOKIE_SECURE:
            self.SESSION_COOKIE_NAME = "__Host-poradna"  # the browser keeps it to this host, HTTPS, path /
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # --- sign-in and session security (see README, "Security") ---
        #: "production" refuses to start without SECRET_KEY in the environment or with debug on
        self.PORADNA_ENV = os.environ.get("PORADNA_ENV", "development").strip().lower()
        #: signed out after this many minutes without a request, and this many hours after signing in
        self.SESSION_IDLE_MINUTES = _int_env("SESSION_IDLE_MINUTES", 30)
        self.SESSION_MAX_HOURS = _int_env("SESSION_MAX_HOURS", 12)
        #: failed sign-ins (password or code) within LOGIN_WINDOW_MINUTES that lock an account / an address
        self.LOGIN_MAX_FAILURES = _int_env("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_MAX_FAILURES_PER_ADDRESS = _int_env("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
        self.LOGIN_WINDOW_MINUTES = _int_env("LOGIN_WINDOW_MINUTES", 15)
        #: roles that must use two-factor sign-in (comma-separated; empty: optional for everyone)
        self.REQUIRE_2FA_ROLES = _list_env("REQUIRE_2FA_ROLES", "manager,admin")
        self.TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Poradna")
        #: how many reverse proxies in front set X-Forwarded-For/-Proto (the client's address is throttled)
        self.TRUSTED_PROXIES = _int_env("TRUSTED_PROXIES", 0)
        #: 1 keeps full tracebacks in the logs (a developer's machine only: they can carry personal data)
        self.LOG_TRACEBACKS = os.environ.get("LOG_TRACEBACKS", "0") == "1"
        self.FLASK_ADMIN_SWATCH = "default"
        self.FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION = False
        self.ADMIN_PAGE_SIZE = 25
        self.AJAX_LOOKUP_LIMIT = 20
        #: the garbage collector's first threshold in this process (0 keeps Python's 700): a page allocates
        #: tens of thousands of short-lived objects, and at 700 the collector ran dozens of times per page
        #: (a third of a list page's time), walking objects the request still used
        self.GC_THRESHOLD = _int_env("GC_THRESHOLD", 50_000)
        #: a worker's start page lists their clients without contact for longer than this
        self.STALE_CONTACT_MONTHS = int(os.environ.get("STALE_CONTACT_MONTHS", "3"))


class TestConfig(Config):
    """The test suite: a throwaway database, CSRF off unless a test turns it on."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        super().__init__(generate_secret=False)
        self.TESTING = True
        self.WTF_CSRF_ENABLED = False
        self.PORADNA_ENV = "test"
        self.REQUIRE_2FA_ROLES = []  # tests that need it set it; login_as signs in with a password only
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("TEST_DATABASE_URL", "sqlite://")
        )
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            from sqlalchemy.pool import StaticPool

            self.SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
