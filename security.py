"""The web layer's security: headers and the Content-Security-Policy nonce, session lifetimes,
the two-factor gate, logs without tracebacks or personal data, reverse proxies and the production
start-up checks. :func:`init_app` wires it all into the application.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, logout_user
from markupsafe import Markup

from csp import csp_nonce
from services import clock

log = logging.getLogger(__name__)

#: endpoints a signed-in person who still has to set up two-factor sign-in may open
ENROLMENT_ENDPOINTS = frozenset({"account.two_factor_view", "auth.logout", "auth.logout_confirm", "auth.set_locale", "static", "admin.static"})
#: placeholder keys that must never sign production sessions
WEAK_SECRET_KEYS = frozenset({"", "secret", "changeme", "change-me", "dev", "development", "test", "please-change-me",
                              "test-secret-key-not-for-production"})
MIN_SECRET_KEY_LENGTH = 32


# --- Content-Security-Policy -------------------------------------------------------------------

def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _inline_handler_hashes() -> list[str]:
    """Hashes of the few inline event handlers Flask-Admin 2.2's own templates write.

    Flask-Admin puts ``onclick`` attributes on the delete button (a confirmation), on the list
    actions and on the filter menu, and ``javascript:void(0)`` links on its menus. They cannot carry
    a nonce; CSP level 3 allows exactly these texts through ``'unsafe-hashes'`` while every other
    inline handler, ``javascript:`` link and inline ``<script>`` without the nonce stays blocked.
    The texts depend on the language and on the actions defined.
    """
    from flask_admin.babel import gettext as admin_gettext

    locale = str(get_locale() or "")
    cache = current_app.extensions.setdefault("poradna_csp_hashes", {})
    if locale not in cache:
        # "javascript:void(0)": the href of Flask-Admin's menu toggles; it does nothing, but a click on one
        # would otherwise log a violation
        texts = {"return false;", "javascript:void(0)"}
        confirm = admin_gettext("Are you sure you want to delete this record?")
        if "'" not in confirm and "\\" not in confirm:
            texts.add(f"return faHelpers.safeConfirm('{confirm}');")
        views = [view for admin in current_app.extensions.get("admin", ()) for view in admin._views]
        for view in views:
            for name, _text in getattr(view, "_actions", ()) or ():
                if re.fullmatch(r"[A-Za-z0-9_]+", name):
                    texts.add(f"return modelActions.execute('{name}');")
        cache[locale] = sorted(_sha256(text) for text in texts)
    return cache[locale]


def content_security_policy(nonce: str) -> str:
    script = " ".join(["'self'", f"'nonce-{nonce}'", "'unsafe-hashes'", *_inline_handler_hashes()])
    return "; ".join([
        "default-src 'self'",
        f"script-src {script}",
        "style-src 'self' 'unsafe-inline'",  # Flask-Admin and its widgets write style attributes
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _is_static(endpoint: str | None) -> bool:
    return bool(endpoint) and (endpoint == "static" or endpoint.endswith(".static"))


def _security_headers(response):
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not _is_static(request.endpoint):
        # every page may show client data or a secret (a QR code, recovery codes, a calendar link)
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


# --- sessions ----------------------------------------------------------------------------------

def start_session() -> None:
    """Stamp a new login session (called right after ``login_user``)."""
    now = int(clock.now().timestamp())
    session["_auth_at"] = now
    session["_seen"] = now


def keep_locale_and_clear() -> None:
    locale = session.get("locale")
    session.clear()
    g.pop("csrf_token", None)  # a new CSRF token with the new session
    if locale:
        session["locale"] = locale


def _actor_id_in_session() -> int | None:
    raw = str(session.get("_user_id") or "")
    head = raw.split(":", 1)[0]
    return int(head) if head.isdigit() else None


#: seconds between updates of a session's last request time: a session idle for SESSION_IDLE_MINUTES
#: ends up to this much early, and a page view within it does not re-sign and re-send the cookie
SEEN_RESOLUTION = 30


def _session_lifetimes():
    """Sign out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after signing in."""
    if _is_static(request.endpoint) or "_user_id" not in session:
        return None
    now = int(clock.now().timestamp())
    idle = max(1, int(current_app.config.get("SESSION_IDLE_MINUTES", 30))) * 60
    absolute = max(1, int(current_app.config.get("SESSION_MAX_HOURS", 12))) * 3600
    auth_at, seen = session.get("_auth_at"), session.get("_seen")
    if isinstance(auth_at, int) and isinstance(seen, int) and now - seen <= idle and now - auth_at <= absolute:
        if now - seen >= SEEN_RESOLUTION:  # the cookie is signed and sent again only when this changes
            session["_seen"] = now
        return None
    reason = "idle" if isinstance(seen, int) and now - seen > idle else "lifetime"
    actor = _actor_id_in_session()
    if actor is not None:
        from extensions import db
        from models.enums import AuditAction
        from services import audit

        audit.record(db.session, AuditAction.SESSION_ENDED, entity="worker", entity_id=actor, actor_id=actor,
                     details={"reason": reason})
        db.session.commit()
    logout_user()
    keep_locale_and_clear()
    from auth import signed_out_message

    flash(signed_out_message(reason, idle // 60), "info")
    if request.blueprint == "auth":
        return None
    target = request.full_path if request.method == "GET" and request.query_string else request.path
    return redirect(url_for("auth.login", next=target if request.method == "GET" else None))


def _two_factor_gate():
    """A person whose role requires two-factor sign-in sets it up before anything else."""
    if _is_static(request.endpoint) or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return None
    from services import twofactor

    if twofactor.needs_enrolment(current_user):
        from auth import enrolment_required_message

        flash(enrolment_required_message(), "warning")
        return redirect(url_for("account.two_factor_view"))
    return None


def client_address() -> str:
    """The client's address (behind TRUSTED_PROXIES reverse proxies, from X-Forwarded-For)."""
    return (request.remote_addr or "unknown")[:64]


# --- logs --------------------------------------------------------------------------------------

_QUERY_IN_REQUEST_LINE = re.compile(r'("[A-Z]+ [^\s?"]*)\?[^\s"]*')


class _RedactingRecordFactory:
    """Every log record leaves without a traceback or exception text (they can carry SQL parameters,
    names, notes): only the exception's class and where it was raised. Query strings (searches by
    name or phone) are cut from the development server's request lines."""

    def __init__(self, base):
        self.base = base

    def __call__(self, *args, **kwargs):
        record = self.base(*args, **kwargs)
        try:
            redact_record(record)
        except Exception:  # never lose a log line over redaction
            record.exc_info = None
            record.exc_text = None
        return record


def redact_record(record: logging.LogRecord) -> None:
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        names = []
        seen = exc
        while seen is not None and len(names) < 5:
            names.append(type(seen).__name__)
            seen = seen.__cause__ or seen.__context__
        where = ""
        tb = record.exc_info[2]
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            code = tb.tb_frame.f_code
            where = f" at {code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno} in {code.co_name}"
        record.msg = f"{record.msg} [{' <- '.join(names)}{where}]"
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None
    if record.name == "werkzeug" and isinstance(record.msg, str):
        if record.args:
            try:
                record.msg = record.msg % record.args
            except (TypeError, ValueError):
                pass
            record.args = None
        record.msg = _QUERY_IN_REQUEST_LINE.sub(r"\1?…", record.msg)


def install_log_redaction() -> None:
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecordFactory):
        logging.setLogRecordFactory(_RedactingRecordFactory(factory))


# --- production --------------------------------------------------------------------------------

def check_production(app: Flask) -> None:
    """PORADNA_ENV=production refuses to start without a real SECRET_KEY from the environment or with
    debug on (``make run`` and ``flask run`` on a developer's machine are not production)."""
    if app.config.get("PORADNA_ENV") != "production":
        return
    problems = []
    key = str(app.config.get("SECRET_KEY") or "").strip()
    from_env = bool(os.environ.get("SECRET_KEY", "").strip())
    if not from_env or key.lower() in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
        problems.append(f"set SECRET_KEY in the environment to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
                        "(python -c 'import secrets; print(secrets.token_hex(32))')")
    if app.debug or app.config.get("DEBUG"):
        problems.append("turn debug off (unset FLASK_DEBUG)")
    if app.config.get("TESTING"):
        problems.append("TESTING must be off")
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems) + ".")
    if not app.config.get("SESSION_COOKIE_SECURE"):
        log.warning("production without SESSION_COOKIE_SECURE=1: serve over HTTPS and set it")


# --- return addresses ------------------------------------------------------------------------

def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: the one check for every return address a
    request carries (``next`` after sign-in, the language switch and the desk's forms, Flask-Admin's
    ``url``). Refused: absolute URLs (``https://…``, ``javascript:…``), scheme-relative ``//host``,
    backslashes (browsers read ``/\\host`` as ``//host``) and control characters (a tab in ``/<tab>/host``
    is dropped by browsers)."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def safe_redirect(target: str | None, fallback: str):
    """A redirect to ``target`` when it is a safe return address (:func:`safe_next`), else to ``fallback``."""
    return redirect(safe_next(target) or fallback)


# --- input in the address ----------------------------------------------------------------------

def _refuse_control_characters():
    """A control character in the address (``?search=a%00b``, a filter's value) gets a clear 400 page:
    PostgreSQL refuses a NUL byte with an error, and no real search or filter holds one. Forms check
    their own fields (admin_views.forms) and show the form again with what was typed."""
    from services.inputs import has_control_characters

    if not request.query_string:
        return None
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            from flask import render_template
            from flask_babel import gettext as _

            message = _("The address contains control characters (such as a NUL byte), which no page accepts. "
                        "Go back and search or filter again.")
            return render_template("error.html", code=400, message=message), 400
    return None


def safe_link(url: str | None) -> str | None:
    """``url`` if it is an http, https or mailto link (for links built from data), else None."""
    if not url:
        return None
    url = url.strip()
    if any(ord(ch) < 32 for ch in url):
        return None
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        return url if urlsplit(url).netloc else None
    if scheme == "mailto":
        return url
    return None


# --- wiring ------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    check_production(app)
    if not app.config.get("LOG_TRACEBACKS"):
        install_log_redaction()
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.context_processor
    def _nonce_helpers():
        nonce = csp_nonce()
        # Flask-Admin passes its own admin_csp_nonce_attribute to its views; this one serves templates
        # rendered with render_template (the same nonce either way)
        return {"csp_nonce": csp_nonce, "admin_csp_nonce_attribute": Markup('nonce="{}"').format(nonce),
                "safe_link": safe_link}

    app.before_request(_refuse_control_characters)
    app.before_request(_session_lifetimes)
    app.before_request(_two_factor_gate)
    app.after_request(_security_headers)
