"""Sign-in (password, then a one-time code when two-factor sign-in is on), sign-out and the language switch."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

import security
from security import safe_next
from admin_views.forms import PoradnaForm
from extensions import db
from models import Worker
from models.base import utcnow
from models.enums import AuditAction
from services import audit, clock, throttle, twofactor, users

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

#: the second step must follow the first within this many seconds
PENDING_SECONDS = 300
PENDING_KEY = "_2fa_pending"


class LoginForm(PoradnaForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class CodeForm(PoradnaForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(max=64)],
        description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


def locked_message(lock: throttle.Lock) -> str:
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(num)d minute, or ask a manager to lift the lockout.",
        "Too many failed sign-in attempts. Try again in %(num)d minutes, or ask a manager to lift the lockout.",
        lock.minutes_left,
    )


def signed_out_message(reason: str, idle_minutes: int) -> str:
    """What a person signed out by :mod:`security` reads on the sign-in page."""
    if reason == "idle":
        return _("You were signed out after %(n)d minutes without activity. Please sign in again.", n=idle_minutes)
    return _("You were signed out because the session reached its maximum length. Please sign in again.")


def enrolment_required_message() -> str:
    return _("Your role requires two-factor sign-in. Set it up to continue.")


def record_failure(email: str, kind: str, worker: Worker | None, *, locked: bool = False) -> None:
    """Count, audit and log one failed step (password, code or re-entered password); commits."""
    address = security.client_address()
    newly_locked = throttle.record_failure(db.session, email, address, kind)
    details = {"step": kind}
    if locked:
        details["refused"] = "locked"
    audit.record(db.session, AuditAction.FAILED_LOGIN, entity="worker", entity_id=worker.id if worker else None,
                 details=details)
    for scope in sorted(newly_locked):
        if scope == "account" and worker is not None:
            worker.end_sessions()  # a locked account's open sessions end too
        audit.record(db.session, AuditAction.LOCKED, entity="worker" if scope == "account" else "login_failure",
                     entity_id=worker.id if (worker is not None and scope == "account") else None,
                     details={"scope": scope})
    db.session.commit()
    log.info("failed sign-in step %s (account id %s)%s", kind, worker.id if worker else "unknown",
             " while locked" if locked else "")


def _complete_login(worker: Worker, method: str, target: str | None, message: str | None = None):
    security.keep_locale_and_clear()  # a fresh session (and CSRF token) at every login
    login_user(worker)
    security.start_session()
    throttle.clear_account(db.session, worker.email)
    worker.previous_login_at = worker.last_login_at
    worker.last_login_at = utcnow()
    audit.record(db.session, AuditAction.LOGIN, entity="worker", entity_id=worker.id, actor_id=worker.id,
                 details={"method": method})
    db.session.commit()
    if message:
        flash(message, "info")
    return redirect(safe_next(target) or url_for("admin.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        lock = throttle.lock_for(db.session, email, security.client_address())
        if lock is not None:
            # refused without looking at the password; the attempt counts, so an attack keeps the lock
            record_failure(email, "password", users.find_by_email(db.session, email), locked=True)
            flash(locked_message(lock), "error")
            return render_template("auth/login.html", form=form), 429
        worker = users.authenticate(db.session, email, form.password.data)
        if worker is None:
            record_failure(email, "password", users.find_by_email(db.session, email))
            flash(_("Wrong email or password, or the account is disabled."), "error")
        elif worker.totp_enabled:
            security.keep_locale_and_clear()
            session[PENDING_KEY] = {"id": worker.id, "v": worker.session_version or 1,
                                    "at": int(clock.now().timestamp()), "next": safe_next(request.args.get("next"))}
            return redirect(url_for("auth.login_code"))
        else:
            return _complete_login(worker, "password", request.args.get("next"))
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or form.errors == {} else 400)


def _pending_worker() -> tuple[Worker | None, dict]:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, {}
    try:
        started, worker_id, version = int(pending["at"]), int(pending["id"]), int(pending["v"])
    except (KeyError, TypeError, ValueError):
        return None, {}
    if not 0 <= clock.now().timestamp() - started <= PENDING_SECONDS:
        return None, {}
    worker = db.session.get(Worker, worker_id)
    if worker is None or not worker.active or not worker.totp_enabled or (worker.session_version or 1) != version:
        return None, {}
    return worker, pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step: a code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    worker, pending = _pending_worker()
    if worker is None:
        session.pop(PENDING_KEY, None)
        flash(_("Sign in with your email and password first (the second step must follow within 5 minutes)."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        lock = throttle.lock_for(db.session, worker.email, security.client_address())
        if lock is not None:
            record_failure(worker.email, "code", worker, locked=True)
            session.pop(PENDING_KEY, None)
            flash(locked_message(lock), "error")
            return redirect(url_for("auth.login"))
        code = form.code.data
        if twofactor.looks_like_totp(code):
            if twofactor.verify_totp(db.session, worker, code):
                return _complete_login(worker, "totp", pending.get("next"))
        elif twofactor.use_recovery_code(db.session, worker, code):
            audit.record(db.session, AuditAction.RECOVERY_CODE_USED, entity="worker", entity_id=worker.id, actor_id=worker.id)
            left = twofactor.remaining_recovery_codes(db.session, worker)
            message = ngettext(
                "You signed in with a recovery code; %(num)d is left. Create new ones under My account.",
                "You signed in with a recovery code; %(num)d are left. Create new ones under My account.",
                left,
            )
            return _complete_login(worker, "recovery", pending.get("next"), message)
        record_failure(worker.email, "code", worker)
        form.code.errors = list(form.code.errors) + [_("The code is not valid. Check the time on your phone and try again, or use a recovery code.")]
        return render_template("auth/code.html", form=form), 400
    return render_template("auth/code.html", form=form), (200 if request.method == "GET" or form.errors == {} else 400)


@bp.route("/logout", methods=["GET"])
def logout_confirm():
    """A link to /logout only asks: signing out ends every session of the account, so it takes a POST
    with the CSRF token (a cross-site link or image must not sign anyone out)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        worker = db.session.get(Worker, current_user.id)
        worker.end_sessions()  # the session is over for good, even where a copy of its cookie survives
        audit.record(db.session, AuditAction.LOGOUT, entity="worker", entity_id=worker.id)
        db.session.commit()
    logout_user()
    security.keep_locale_and_clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/locale", methods=["POST"])
def set_locale():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next")) or url_for("admin.index"))


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))


__all__ = ["bp", "login_required", "safe_next"]
