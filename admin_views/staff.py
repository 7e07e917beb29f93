"""Staff accounts, code lists and the audit trail."""
from __future__ import annotations

from flask import flash, g, redirect
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import PasswordField, SelectField, TextAreaField
from wtforms.validators import Optional

from admin_views.base import SecureModelView
from admin_views.common import social_workers
from admin_views.filters import WorkerFilter
from admin_views.formatters import fmt_languages
from admin_views.saving import save
from extensions import db
from models import AuditEvent, Worker, WorkingHours
from models.enums import Role
from models.schedule import WEEKDAYS
from services import access, codes, throttle, twofactor, users
from services.formats import datetime_text
from services.errors import ServiceError


def _fmt_roles(view, context, model, name):
    return ", ".join(r.title for r in sorted(model.role_set, key=lambda r: list(Role).index(r)))


def _fmt_two_factor(view, context, model, name):
    if model.totp_enabled:
        return _("On")
    return _("Off (required)") if twofactor.required_for(model) else _("Off")


def _fmt_sign_in(view, context, model, name):
    if "locked_worker_ids" not in g:
        g.locked_worker_ids = {w.id: until for w, _count, until in throttle.locked_workers(db.session)}
    until = g.locked_worker_ids.get(model.id)
    return _("Locked until %(when)s", when=datetime_text(until)) if until else ""


class WorkerView(SecureModelView):
    column_list = ("full_name", "email", "roles", "languages", "active", "two_factor", "sign_in", "last_login_at")
    column_details_list = ("full_name", "email", "roles", "languages", "active", "two_factor", "sign_in", "created_at",
                           "last_login_at", "password_changed_at")
    column_sortable_list = ("full_name", "email", "active", "last_login_at")
    column_default_sort = ("full_name", False)
    column_searchable_list = ("full_name", "email")
    column_filters = ("active", "roles", "languages")
    column_labels = {
        "full_name": _l("Full name"), "email": _l("Email"), "roles": _l("Roles"), "languages": _l("Languages spoken"),
        "active": _l("Active"), "created_at": _l("Created"), "last_login_at": _l("Last login"),
        "new_password": _l("New password"), "two_factor": _l("Two-factor sign-in"), "sign_in": _l("Sign-in"),
        "password_changed_at": _l("Password changed"),
    }
    column_formatters = {"roles": _fmt_roles, "languages": fmt_languages, "two_factor": _fmt_two_factor,
                         "sign_in": _fmt_sign_in}
    column_formatters_detail = column_formatters
    form_columns = ("full_name", "email", "roles", "languages", "active", "new_password")
    form_extra_fields = {
        "new_password": PasswordField(
            _l("New password"), validators=[Optional()],
            description=_l("At least 12 characters. Leave empty to keep the current password."),
            render_kw={"autocomplete": "new-password"},
        ),
    }
    form_args = {
        "roles": {"choices": Role.choices, "label": _l("Roles")},
        "languages": {"choices": codes.language_choices, "label": _l("Languages spoken")},
        "email": {"label": _l("Email")},
    }
    can_delete = False  # accounts are deactivated, so the audit trail keeps its actors

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.new_password.description = _l("At least 12 characters.")  # nothing to keep on a new account
        return form

    #: each is changed by its own operation of services.users, which audits it and ends the sessions
    audited_by_operations = frozenset({"roles", "active", "password_hash", "password_changed_at", "session_version"})

    def check_model(self, form, model, is_created):
        model.email = users.checked_email(model.email)
        if not model.roles:
            raise ServiceError(_l("Choose at least one role."), field="roles")
        if not is_created:  # the form set them: the operations end the account's sessions and audit the change
            users.set_roles(db.session, model, model.roles, via="staff")
            users.set_active(db.session, model, model.active, via="staff")  # disabling: every session ends
        password = form.new_password.data if "new_password" in form else None
        if password:
            try:  # the same rules and operation everywhere; its refusal belongs to this form's field
                users.change_password(db.session, model, password, via="staff")
            except ServiceError as exc:
                raise ServiceError(exc.message, field="new_password" if exc.field == "password" else exc.field) from exc
        elif is_created:
            raise ServiceError(_l("Set a password for the new account."), field="new_password")

    def is_action_allowed(self, name):
        operations = {"lift_lockout": "lift_lockout", "reset_two_factor": "reset_two_factor"}
        if name in operations:
            return access.can(current_user, operations[name])
        return super().is_action_allowed(name)

    @action("lift_lockout", _l("Lift the sign-in lockout"))
    def action_lift_lockout(self, ids):
        def lift():
            locked = [w for w in db.session.query(Worker).filter(Worker.id.in_(self.scoped_ids(ids)))
                      if throttle.is_worker_locked(db.session, w)]
            for worker in locked:
                throttle.lift_account(db.session, worker)
            return len(locked)

        saved = save(lift)
        if saved:
            flash(ngettext("The sign-in lockout of %(num)d account has been lifted.",
                           "The sign-in lockouts of %(num)d accounts have been lifted.", saved.result), "success")
        return redirect(self.get_url(".index_view"))

    @action("reset_two_factor", _l("Reset two-factor sign-in"),
            _l("The chosen people will set up two-factor sign-in again at their next sign-in (if their role requires it). Continue?"))
    def action_reset_two_factor(self, ids):
        def reset():
            chosen = db.session.query(Worker).filter(Worker.id.in_(self.scoped_ids(ids))).all()
            return sum(users.turn_off_two_factor(db.session, worker, via="staff") for worker in chosen)

        saved = save(reset)
        if saved:
            flash(ngettext("Two-factor sign-in of %(num)d account has been reset.",
                           "Two-factor sign-in of %(num)d accounts has been reset.", saved.result), "success")
        return redirect(self.get_url(".index_view"))


class TopicView(SecureModelView):
    column_list = ("code", "label_cs", "label_en", "active")
    column_default_sort = ("code", False)
    column_searchable_list = ("code", "label_cs", "label_en")
    column_filters = ("active",)
    column_labels = {"code": _l("Code"), "label_cs": _l("Name in Czech"), "label_en": _l("Name in English"), "active": _l("Active")}
    form_columns = ("code", "label_cs", "label_en", "active")
    can_view_details = False
    can_delete = True


class OfficeView(SecureModelView):
    column_list = ("code", "name_cs", "name_en", "active")
    column_default_sort = ("code", False)
    column_searchable_list = ("code", "name_cs", "name_en")
    column_filters = ("active",)
    column_labels = {"code": _l("Code"), "name_cs": _l("Name in Czech"), "name_en": _l("Name in English"),
                     "address": _l("Address"), "active": _l("Active")}
    column_descriptions = {"address": _l("Printed on the appointment card of an accompaniment. Leave empty for a kind of "
                                         "office with many branches: then write the branch in the appointment's place details.")}
    form_columns = ("code", "name_cs", "name_en", "address", "active")
    form_widget_args = {"address": {"rows": 2}}
    form_overrides = {"address": TextAreaField}
    can_view_details = False
    can_delete = True


def _fmt_details(view, context, model, name):
    if not model.details:
        return ""
    return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in sorted(model.details.items()))


class AuditView(SecureModelView):
    can_create = False
    can_edit = False
    can_delete = False
    audit_changes = False
    column_list = ("at", "actor", "action", "entity", "entity_id", "client_code", "details")
    column_details_list = column_list
    column_sortable_list = ("at", "action", "client_code")
    column_default_sort = ("at", True)
    column_searchable_list = ("client_code",)
    column_filters = (WorkerFilter(AuditEvent.actor_id, _l("Who"), all_staff=True), "action", "client_code", "at", "entity")
    column_labels = {
        "at": _l("When"), "actor": _l("Who"), "action": _l("Action"), "entity": _l("Record type"),
        "entity_id": _l("Record id"), "client_code": _l("Client code"), "details": _l("Details"),
    }
    column_formatters = {"details": _fmt_details}
    column_formatters_detail = column_formatters


def _weekday_choices():
    return [(i, str(name)) for i, name in enumerate(WEEKDAYS)]


def _fmt_weekday(view, context, model, name):
    from models.schedule import WEEKDAYS

    return WEEKDAYS[model.weekday]


class _HoursView(SecureModelView):
    can_view_details = False
    can_delete = True
    form_overrides = {"weekday": SelectField}
    column_formatters = {"weekday": _fmt_weekday}


class WalkInHoursView(_HoursView):
    column_list = ("weekday", "opens_at", "closes_at", "duty_worker")
    column_default_sort = ("weekday", False)
    column_labels = {"weekday": _l("Day"), "opens_at": _l("Opens at"), "closes_at": _l("Closes at"), "duty_worker": _l("Worker on duty")}
    form_columns = ("weekday", "opens_at", "closes_at", "duty_worker")
    form_args = {"weekday": {"choices": _weekday_choices, "coerce": int, "label": _l("Day")},
                 "duty_worker": {"query_factory": social_workers, "label": _l("Worker on duty")}}

    def check_model(self, form, model, is_created):
        if model.opens_at and model.closes_at and model.opens_at >= model.closes_at:
            raise ServiceError(_l("The opening time must be before the closing time."), field="closes_at")


class WorkingHoursView(_HoursView):
    column_list = ("worker", "weekday", "starts_at", "ends_at")
    column_default_sort = ("worker_id", False)
    column_filters = (WorkerFilter(WorkingHours.worker_id, _l("Social worker")),)
    column_labels = {"worker": _l("Social worker"), "weekday": _l("Day"), "starts_at": _l("From"), "ends_at": _l("To")}
    form_columns = ("worker", "weekday", "starts_at", "ends_at")
    form_args = {"weekday": {"choices": _weekday_choices, "coerce": int, "label": _l("Day")},
                 "worker": {"query_factory": social_workers, "label": _l("Social worker")}}

    def check_model(self, form, model, is_created):
        if model.starts_at and model.ends_at and model.starts_at >= model.ends_at:
            raise ServiceError(_l("The start must be before the end."), field="ends_at")
