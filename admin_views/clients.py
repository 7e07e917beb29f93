"""Clients and interested persons."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from admin_views.base import SecureModelView
from admin_views.common import CountryField, WorkerFilter, fmt_country, fmt_languages, social_workers
from extensions import db
from models import Client
from services import clients, codes


def _fmt_name(view, context, model, name):
    if model.anonymised_at is not None:
        return _l("(anonymised)")
    if model.is_anonymous and not model.alias:
        return _l("(anonymous)")
    return model.display_name


class ClientView(SecureModelView):
    column_list = ("code", "name", "status", "worker", "citizenship", "phone", "last_contact_at")
    column_details_list = (
        "code", "status", "is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex",
        "citizenship", "languages", "phone", "email", "municipality", "district", "residence_status", "worker",
        "legal_hold", "legal_hold_reason", "created_at", "last_contact_at", "anonymised_at",
    )
    column_sortable_list = ("code", "status", "last_name", "last_contact_at", "created_at", ("worker", "worker.full_name"))
    column_default_sort = ("created_at", True)
    column_searchable_list = ("code", "last_name", "first_name", "alias", "phone")
    column_filters = ("status", WorkerFilter(Client.worker_id, _l("Social worker")), "citizenship", "residence_status", "is_anonymous", "legal_hold", "created_at", "last_contact_at", "district")
    column_labels = {
        "code": _l("Code"), "name": _l("Name"), "status": _l("Status"), "is_anonymous": _l("Anonymous"),
        "first_name": _l("First name"), "last_name": _l("Last name"), "alias": _l("Alias"),
        "birth_year": _l("Year of birth"), "birth_date": _l("Date of birth"), "sex": _l("Sex"),
        "citizenship": _l("Citizenship"), "languages": _l("Languages"), "phone": _l("Phone"), "email": _l("Email"),
        "municipality": _l("Municipality"), "district": _l("District"), "residence_status": _l("Residence status"),
        "worker": _l("Social worker"), "worker.full_name": _l("Social worker"), "legal_hold": _l("Legal hold"),
        "legal_hold_reason": _l("Reason for the legal hold"), "created_at": _l("Created"),
        "last_contact_at": _l("Last contact"), "anonymised_at": _l("Anonymised"),
    }
    column_descriptions = {
        "is_anonymous": _l("The person chose not to give their identity."),
        "alias": _l("A name the person wants to be called by instead of their real name."),
        "legal_hold": _l("Keeps the record from anonymisation and the retention purge."),
    }
    column_formatters = {"name": _fmt_name, "citizenship": fmt_country, "languages": fmt_languages}
    form_columns = (
        "status", "is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex", "citizenship",
        "languages", "phone", "email", "municipality", "district", "residence_status", "worker", "legal_hold",
        "legal_hold_reason",
    )
    form_overrides = {"citizenship": CountryField}
    form_args = {
        "worker": {"query_factory": social_workers, "label": _l("Social worker")},
        "languages": {"choices": codes.language_choices, "label": _l("Languages")},
        "email": {"label": _l("Email")},
    }
    form_widget_args = {"legal_hold_reason": {"rows": 2}}
    can_delete = False  # erasure is a privacy operation with its own confirmation

    def check_model(self, form, model, is_created):
        if is_created:
            clients.prepare_new(db.session, model)
        else:
            clients.validate(model)
