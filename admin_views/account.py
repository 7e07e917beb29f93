"""My account (password, two-factor sign-in) for everyone, and the sign-in lockouts page for managers and admins."""
from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

import security
from admin_views.gate import PolicyGatedView, deny
from admin_views.forms import PoradnaForm
from admin_views.saving import save
from extensions import db
from models import Worker
from services import access, inputs, throttle, twofactor, users


class CurrentPasswordForm(PoradnaForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(CurrentPasswordForm):
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=1024)],
        description=_l("At least 12 characters; not a common password, not your email or name. A few unrelated words work well."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class EnrolForm(PoradnaForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=16)],
                       description=_l("The 6-digit code the app shows now."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class LiftForm(PoradnaForm):
    worker_id = HiddenField()
    address = HiddenField()


def _me() -> Worker:
    return db.session.get(Worker, current_user.id)


def _renew_session(worker: Worker) -> None:
    """After the account's session version was raised: this session goes on under a fresh id."""
    security.keep_locale_and_clear()
    login_user(worker)
    security.start_session()


def check_current_password(worker: Worker, field) -> bool:
    """Re-authentication on this page: throttled and audited like the sign-in itself."""
    from auth import locked_message, record_failure

    lock = throttle.lock_for(db.session, worker.email, security.client_address())
    if lock is not None:
        record_failure(worker.email, "reauth", worker, locked=True)
        field.errors = list(field.errors) + [locked_message(lock)]
        return False
    if worker.check_password(field.data or ""):
        return True
    record_failure(worker.email, "reauth", worker)
    field.errors = list(field.errors) + [_("The current password is not right.")]
    return False


class AccountView(PolicyGatedView, BaseView):
    """My account: change the password, set up or turn off two-factor sign-in, new recovery codes."""

    screen = "account"

    def is_visible(self):
        return False  # reached from the user menu

    @expose("/")
    def index(self):
        worker = _me()
        return self.render(
            "admin/account/index.html", worker=worker, required=twofactor.required_for(worker),
            codes_left=twofactor.remaining_recovery_codes(db.session, worker) if worker.totp_enabled else 0,
        )

    @expose("/password/", methods=("GET", "POST"))
    def password_view(self):
        worker = _me()
        form = PasswordChangeForm()
        if form.validate_on_submit() and check_current_password(worker, form.current_password):
            if save(lambda: users.change_password(db.session, worker, form.new_password.data, via="account"),
                    form=form, fields={"password": "new_password"}):
                _renew_session(worker)  # a fresh session: the message goes into it
                flash(_("Your password has been changed. Your other sessions have been signed out."), "success")
                return redirect(self.get_url(".index"))
        status = 400 if request.method == "POST" else 200
        return self.render("admin/account/password.html", form=form), status

    @expose("/two-factor/", methods=("GET", "POST"))
    def two_factor_view(self):
        worker = _me()
        if worker.totp_enabled:
            return redirect(self.get_url(".index"))
        secret = twofactor.pending_secret(worker)
        db.session.commit()  # the pending key survives a reload, so a scanned QR code stays valid
        form = EnrolForm()
        if form.validate_on_submit():
            saved = save(lambda: users.turn_on_two_factor(db.session, worker, form.code.data), form=form)
            if saved:
                _renew_session(worker)
                return self.render("admin/account/recovery_codes.html", codes=saved.result, first=True)
        uri = twofactor.provisioning_uri(worker, secret)
        status = 400 if request.method == "POST" else 200
        return self.render(
            "admin/account/two_factor.html", form=form, qr=twofactor.qr_svg(uri), secret=twofactor.grouped(secret),
            required=twofactor.required_for(worker),
        ), status

    @expose("/recovery-codes/", methods=("GET", "POST"))
    def recovery_view(self):
        worker = _me()
        if not worker.totp_enabled:
            return redirect(self.get_url(".index"))
        form = CurrentPasswordForm()
        if form.validate_on_submit() and check_current_password(worker, form.current_password):
            saved = save(lambda: users.replace_recovery_codes(db.session, worker), form=form)
            if saved:
                return self.render("admin/account/recovery_codes.html", codes=saved.result, first=False)
        status = 400 if request.method == "POST" else 200
        return self.render("admin/account/confirm.html", form=form, action="recovery"), status

    @expose("/two-factor/off/", methods=("GET", "POST"))
    def disable_view(self):
        worker = _me()
        if not worker.totp_enabled:
            return redirect(self.get_url(".index"))
        if twofactor.required_for(worker):
            flash(_("Your role requires two-factor sign-in; it cannot be turned off."), "error")
            return redirect(self.get_url(".index"))
        form = CurrentPasswordForm()
        if form.validate_on_submit() and check_current_password(worker, form.current_password):
            if save(lambda: users.turn_off_two_factor(db.session, worker, via="account"), form=form):
                _renew_session(worker)
                flash(_("Two-factor sign-in is off. Your other sessions have been signed out."), "success")
                return redirect(self.get_url(".index"))
        status = 400 if request.method == "POST" else 200
        return self.render("admin/account/confirm.html", form=form, action="disable"), status


class LockoutsView(PolicyGatedView, BaseView):
    """Accounts and addresses locked after failed sign-ins, with a button to lift each lockout."""

    screen = "lockouts"

    @expose("/")
    def index(self):
        return self.render(
            "admin/lockouts.html", workers=throttle.locked_workers(db.session),
            addresses=throttle.locked_addresses(db.session), form=LiftForm(),
        )

    @expose("/lift/", methods=("POST",))
    def lift_view(self):
        if not access.can(current_user, "lift_lockout"):
            deny("lockouts.lift")
        form = LiftForm()
        if not form.validate_on_submit():
            abort(400)
        if form.worker_id.data:
            worker_id = inputs.to_id(form.worker_id.data)
            worker = db.session.get(Worker, worker_id) if worker_id is not None else None
            if worker is None:
                abort(404)
            save(lambda: throttle.lift_account(db.session, worker),
                 success=_("The sign-in lockout of %(name)s has been lifted.", name=worker.full_name))
        elif form.address.data:
            saved = save(lambda: throttle.lift_address(db.session, form.address.data))
            if saved and saved.result:
                flash(_("The sign-in lockout of the address has been lifted."), "success")
        else:
            abort(400)
        return redirect(self.get_url(".index"))
