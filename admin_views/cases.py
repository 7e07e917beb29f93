"""Intakes, agreements and roadmap tasks."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_views.ajax import ScopedAjaxLoader
from admin_views.base import SecureModelView, listed
from admin_views.common import social_workers
from admin_views.filters import WorkerFilter
from admin_views.formatters import fmt_client_link, fmt_client_named
from extensions import db
from models import Agreement, Client, Intake, RoadmapTask
from services import access, cases, clients, inputs, typed


class ClientLoader(ScopedAjaxLoader):
    """A client chosen in a form is found as the desk finds one (services.clients.lookup): by a code
    prefix, a name in any spelling (best match first) or phone digits; never a merged record."""

    def get_list(self, term, offset=0, limit=10):
        limit = inputs.clamp(limit or 10, 1, current_app.config.get("AJAX_LOOKUP_LIMIT", 20), 10)
        offset = inputs.clamp(offset or 0, 0, self.MAX_OFFSET, 0)
        found = clients.lookup(db.session, term)
        if found is None:
            return []
        query = self.get_query().filter(found.condition, Client.merged_into_id.is_(None), *self.conditions)
        query = query.order_by(*found.order, Client.code, Client.id).offset(offset).limit(limit)
        return typed.execute(query, found.params).scalars().all()

    def format(self, model):
        """A found client as the lookup lists them: code and name, and what tells namesakes apart (year of
        birth, citizenship, the phone's last digits: services.clients.namesake_details)."""
        if model is None:
            return None
        details = clients.namesake_details(model)
        return getattr(model, self.pk), f"{model} ({details})" if details else str(model)


def client_loader(name="client", *, anonymised=False):
    """The client lookup of a form; without ``anonymised`` it offers no anonymised client (nothing new
    is recorded for them: services/writes.py)."""
    return ClientLoader(name, Client, fields=("code",), order_by=Client.code, placeholder=_l("Code, name or phone"),
                        minimum_input_length=2, conditions=() if anonymised else (Client.anonymised_at.is_(None),))


CASE_LABELS = {
    "client": _l("Client"), "client.code": _l("Client"), "worker": _l("Social worker"), "worker.full_name": _l("Social worker"),
    "held_on": _l("Held on"), "issue": _l("Issue in the client's words"), "agreement": _l("Agreement"),
    "ended_on": _l("Ended on"), "end_reason": _l("Reason"), "end_note": _l("Note"), "agreed_on": _l("Agreed on"),
    "goal": _l("Goal"), "consent_service": _l("Consent to the service"),
    "consent_data": _l("Consent to processing the personal data given"),
    "consent_recorded_at": _l("Consent recorded at"), "consent_recorded_by": _l("Consent recorded by"),
    "status": _l("Status"), "created_at": _l("Created"), "updated_at": _l("Updated"),
    "description": _l("What is to be done"), "responsible": _l("Responsible"), "due_on": _l("Due on"),
    "outcome": _l("Outcome"), "position": _l("Order"), "completed_on": _l("Completed on"),
}


class IntakeView(SecureModelView):
    column_list = ("client", "held_on", "worker", "agreement", "end_reason", "ended_on")
    column_details_list = ("client", "held_on", "worker", "issue", "agreement", "ended_on", "end_reason", "end_note", "created_at")
    column_sortable_list = ("held_on", "ended_on", ("client", "client.code"), ("worker", "worker.full_name"))
    column_default_sort = ("held_on", True)
    column_searchable_list = ("client.code",)
    search_by_client = True  # by the client's code, name or phone
    column_filters = (WorkerFilter(Intake.worker_id, _l("Social worker")), "held_on", "end_reason", "ended_on")
    column_labels = CASE_LABELS | {"end_reason": _l("Ended without agreement because")}
    column_formatters = {"client": fmt_client_named}  # the list: code and name; details: the code
    column_formatters_detail = {"client": fmt_client_link}
    form_columns = ("client", "worker", "held_on", "issue", "ended_on", "end_reason", "end_note")
    form_ajax_refs = {"client": client_loader()}
    form_args = {"worker": {"query_factory": social_workers}}
    can_delete = False

    def check_model(self, form, model, is_created):
        cases.save_intake(db.session, model)


class AgreementView(SecureModelView):
    column_list = ("client", "agreed_on", "worker", "status", "ended_on")
    column_details_list = (
        "client", "worker", "agreed_on", "issue", "goal", "consent_service", "consent_data", "consent_recorded_at",
        "consent_recorded_by", "status", "ended_on", "end_reason", "created_at", "updated_at",
    )
    column_sortable_list = ("agreed_on", "status", "ended_on", ("client", "client.code"), ("worker", "worker.full_name"))
    column_default_sort = ("agreed_on", True)
    column_searchable_list = ("client.code",)
    search_by_client = True  # by the client's code, name or phone
    column_filters = ("status", WorkerFilter(Agreement.worker_id, _l("Social worker")), "agreed_on", "ended_on")
    column_labels = CASE_LABELS | {"end_reason": _l("Why it ended")}
    column_formatters = {"client": fmt_client_named}  # the list: code and name; details: the code
    column_formatters_detail = {"client": fmt_client_link}
    form_columns = ("client", "worker", "agreed_on", "issue", "goal", "consent_service", "consent_data", "status", "ended_on", "end_reason")
    form_ajax_refs = {"client": client_loader()}
    form_args = {"worker": {"query_factory": social_workers}}
    can_delete = False

    def check_model(self, form, model, is_created):
        cases.save_agreement(db.session, model, is_created)


def _fmt_agreement_client(view, context, model, name):
    return fmt_client_link(view, context, model.agreement, name) if model.agreement else ""


def _fmt_task_text(view, context, model, name):
    """The task's text where the policy lets a list show it (a social worker's, whose list holds only the
    clients they hold); "—" for anyone else (a manager's reads of it are audited one record at a time)."""
    return str(model) if access.list_shows_confidential(current_user) else "—"


class TaskView(SecureModelView):
    column_list = ("description", "agreement.client", "responsible", "due_on", "status", "completed_on")
    column_details_list = ("agreement", "description", "responsible", "due_on", "status", "outcome", "position", "completed_on", "created_at", "updated_at")
    column_sortable_list = ("due_on", "status", "responsible", "completed_on")
    column_default_sort = ("due_on", False)
    column_searchable_list = ("agreement.client.code",)
    search_by_client = True  # by the client's code, name or phone (the task's client is its agreement's)
    column_filters = ("status", "responsible", "due_on")
    column_labels = CASE_LABELS | {"agreement.client": _l("Client")}
    column_formatters = {"agreement.client": _fmt_agreement_client, "description": _fmt_task_text}
    list_loads = (listed(RoadmapTask.agreement, Agreement.client),)
    form_columns = ("agreement", "description", "responsible", "due_on", "status", "outcome", "position")
    form_ajax_refs = {
        "agreement": ScopedAjaxLoader(
            "agreement", Agreement, fields=(Client.code,), joins=(Agreement.client,),
            order_by=Agreement.agreed_on.desc(), placeholder=_l("Client code"),
        ),
    }
    can_delete = True

    def search_condition(self, search):
        """The client search of every case list (SecureModelView), through the task's agreement."""
        found = clients.lookup(db.session, search)
        if found is None:
            return None
        return RoadmapTask.agreement_id.in_(
            sa.select(Agreement.id).where(Agreement.client_id.in_(sa.select(Client.id).where(found.condition)))), (), found.params

    def check_model(self, form, model, is_created):
        cases.save_task(db.session, model)
