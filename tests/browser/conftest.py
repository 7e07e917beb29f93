"""Browser tests: the real app served on 127.0.0.1, driven by Debian's Chromium through Playwright.

- One server per test session, on a database of its own (a temporary SQLite file, or a fresh
  PostgreSQL schema when TEST_DATABASE_URL is set), built by the migrations and filled by
  :mod:`tests.browser.world`. CSRF is on: the browser sends real tokens.
- Every page a journey visits is checked with axe-core (WCAG 2.1 A/AA); a serious or critical
  violation fails the test (see :mod:`tests.browser.ui`).
- A failed test leaves a screenshot and a Playwright trace in ``.ci-artifacts/browser/``
  (open a trace with ``.venv/bin/playwright show-trace FILE``).
- Without Chromium the tests are skipped, with one line saying why. With Chromium but without the
  playwright package or node_modules/axe-core (``make install-test`` installs both, axe-core by
  ``npm ci`` from the lock file) they fail and say what to install: a machine that can run them does.
"""
from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / ".ci-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def _missing(chromium: Path = CHROMIUM) -> str | None:
    """Why the browser tests are skipped here (no Chromium), or None."""
    return None if chromium.exists() else f"{chromium} not found (apt-get install chromium)"


def _not_installed(axe_js: Path = AXE_JS) -> str | None:
    """What a machine with Chromium lacks to run the browser tests (they fail rather than skip), or None."""
    reasons = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reasons.append("the playwright package is not installed (make install-test)")
    if not axe_js.exists():
        reasons.append("node_modules/axe-core is missing (make install-test runs npm ci when npm is installed)")
    return "; ".join(reasons) or None


MISSING = _missing()
NOT_INSTALLED = None if MISSING else _not_installed()
_skipped: list[str] = []


def _is_browser_test(item) -> bool:
    return Path(item.path).resolve().is_relative_to(Path(__file__).resolve().parent)


@pytest.fixture(scope="session", autouse=True)
def _browser_available(request):
    if MISSING:
        _skipped.append(request.node.nodeid)
        pytest.skip(f"browser tests skipped: {MISSING}")
    if NOT_INSTALLED:
        pytest.fail(f"Chromium is installed but the browser tests cannot run: {NOT_INSTALLED}", pytrace=False)


def pytest_terminal_summary(terminalreporter):
    if MISSING and _skipped:
        terminalreporter.write_line(f"browser tests skipped: {MISSING}", yellow=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if _is_browser_test(item):
        setattr(item, f"report_{report.when}", report)
    return report


# --- the server --------------------------------------------------------------------------------

class _Server:
    def __init__(self, app, server, thread, errors):
        self.app, self.server, self.thread, self.errors = app, server, thread, errors
        self.url = f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database nobody else uses: a temporary SQLite file, or a fresh schema on TEST_DATABASE_URL."""
    import os

    import sqlalchemy as sa

    from config import normalise_database_url

    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not normalise_database_url(base).startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'browser.sqlite'}"
        return
    base = normalise_database_url(base)
    schema = f"browser_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def server(database_url, tmp_path_factory):
    """The application served by werkzeug in a thread on a free port of 127.0.0.1."""
    from flask import got_request_exception
    from flask_migrate import upgrade
    from werkzeug.serving import WSGIRequestHandler, make_server

    from app import create_app
    from config import TestConfig
    from extensions import db

    config = TestConfig()
    config.TESTING = False  # behave as in production: error pages, no exception propagation
    config.WTF_CSRF_ENABLED = True
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    config.INSTANCE_PATH = str(tmp_path_factory.mktemp("browser-instance"))
    app = create_app(config)

    errors: list[BaseException] = []
    got_request_exception.connect(lambda sender, exception, **extra: errors.append(exception), app, weak=False)

    with app.app_context():
        upgrade()
        from tests.browser.world import build_world

        app.config["BROWSER_WORLD"] = build_world(db.session)
        db.session.commit()
        db.session.remove()

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield _Server(app, httpd, thread, errors)
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def world(server):
    return server.app.config["BROWSER_WORLD"]


# --- the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture()
def ui(request, browser, server):
    """A fresh browser context (no cookies) with axe-core on every page; artifacts on failure."""
    from tests.browser.ui import UI

    context = browser.new_context(
        bypass_csp=True, locale="cs-CZ", timezone_id="Europe/Prague", viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(15_000)
    context.tracing.start(screenshots=False, snapshots=True)  # DOM snapshots; a PNG is saved on failure
    server.errors.clear()
    session = UI(context, server, AXE_JS.read_text(encoding="utf-8"))
    yield session

    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    problems = []
    if not failed:
        problems = session.unchecked_pages()
        if server.errors:
            problems.append(f"the server raised: {server.errors!r}")
    if failed or problems:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        engine = "postgresql" if server.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
        name = engine + "-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])[:120]
        try:
            session.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the trace still tells the story
            print(f"no screenshot: {exc}")
        context.tracing.stop(path=str(ARTIFACTS / f"{name}-trace.zip"))
        print(f"browser artifacts: {ARTIFACTS / name}.png, {ARTIFACTS / name}-trace.zip")
    else:
        context.tracing.stop()
    context.close()
    server.errors.clear()
    if problems:
        pytest.fail("; ".join(problems))
