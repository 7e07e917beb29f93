"""Sign-in, sign-out and the language switch."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from extensions import db
from models.base import utcnow
from models.enums import AuditAction
from services import audit, users

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a path inside this site."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        worker = users.authenticate(db.session, form.email.data, form.password.data)
        if worker is None:
            known = users.find_by_email(db.session, form.email.data)
            audit.record(db.session, AuditAction.FAILED_LOGIN, entity="worker", entity_id=known.id if known else None)
            db.session.commit()
            log.info("failed login (account id %s)", known.id if known else "unknown")
            flash(_("Wrong email or password, or the account is disabled."), "error")
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session (and CSRF token) at every login
            g.pop("csrf_token", None)
            if locale:
                session["locale"] = locale
            login_user(worker)
            worker.previous_login_at = worker.last_login_at
            worker.last_login_at = utcnow()
            audit.record(db.session, AuditAction.LOGIN, entity="worker", entity_id=worker.id, actor_id=worker.id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or form.errors == {} else 400)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if current_user.is_authenticated:
        audit.record(db.session, AuditAction.LOGOUT, entity="worker", entity_id=current_user.id)
        db.session.commit()
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
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
