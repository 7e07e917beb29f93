"""Staff accounts, code lists and the audit trail."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField
from wtforms.validators import Optional

from admin_views.base import SecureModelView
from admin_views.common import WorkerFilter, fmt_languages, social_workers
from extensions import db
from models import AuditEvent, WorkingHours
from models.enums import Role
from services import codes, users
from services.errors import ServiceError


def _fmt_roles(view, context, model, name):
    return ", ".join(r.title for r in sorted(model.role_set, key=lambda r: list(Role).index(r)))


class WorkerView(SecureModelView):
    column_list = ("full_name", "email", "roles", "languages", "active", "last_login_at")
    column_details_list = ("full_name", "email", "roles", "languages", "active", "created_at", "last_login_at")
    column_sortable_list = ("full_name", "email", "active", "last_login_at")
    column_default_sort = ("full_name", False)
    column_searchable_list = ("full_name", "email")
    column_filters = ("active", "roles", "languages")
    column_labels = {
        "full_name": _l("Full name"), "email": _l("Email"), "roles": _l("Roles"), "languages": _l("Languages spoken"),
        "active": _l("Active"), "created_at": _l("Created"), "last_login_at": _l("Last login"),
        "new_password": _l("New password"),
    }
    column_formatters = {"roles": _fmt_roles, "languages": fmt_languages}
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

    def check_model(self, form, model, is_created):
        model.email = users.normalise_email(model.email)
        if "@" not in model.email:
            raise ServiceError(_l("Enter a valid email address."), field="email")
        if not model.roles:
            raise ServiceError(_l("Choose at least one role."), field="roles")
        password = form.new_password.data if "new_password" in form else None
        if password:
            users.check_password_rules(password, model.email)
            model.set_password(password)
        elif is_created:
            raise ServiceError(_l("Set a password for the new account."), field="new_password")


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
    column_labels = {"code": _l("Code"), "name_cs": _l("Name in Czech"), "name_en": _l("Name in English"), "active": _l("Active")}
    form_columns = ("code", "name_cs", "name_en", "active")
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
    from models.schedule import WEEKDAYS

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
