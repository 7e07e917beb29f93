"""Appointments and visits (every contact)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from admin_views.base import SecureModelView
from admin_views.booking import SlotPickerMixin
from admin_views.casefile import warn_outside_working_hours
from admin_views.form_rules import GroupedDetailsMixin, Row, laid_out, section
from admin_views.cases import client_loader
from admin_views.documents import AppointmentCardMixin
from admin_views.common import CountryField, LanguageField, active_offices, active_topics, social_workers
from admin_views.filters import OfficeFilter, TopicFilter, WorkerFilter
from admin_views.formatters import fmt_client_link, fmt_client_named, fmt_country, fmt_language
from extensions import db
from models import Appointment, Topic, Visit, visit_topic
from models.enums import AppointmentStatus
from services import cases, scheduling

CONTACT_LABELS = {
    "client": _l("Client"), "client.code": _l("Client"), "worker": _l("Social worker"), "worker.full_name": _l("Social worker"),
    "starts_at": _l("Starts at"), "duration_minutes": _l("Duration (minutes)"), "format": _l("Format"), "place": _l("Place"),
    "office": _l("Public office"), "place_note": _l("Place details"), "purpose": _l("Purpose"),
    "interpreter": _l("Interpreter"), "language": _l("Language used"), "status": _l("Status"),
    "notes": _l("Notes"), "evaluation": _l("Evaluation of results"), "next_steps": _l("Next steps agreed"),
    "created_at": _l("Created"), "updated_at": _l("Updated"), "occurred_at": _l("When"), "channel": _l("Channel"),
    "topics": _l("Topics"), "minutes": _l("Minutes spent"), "urgent": _l("Urgent"), "summary": _l("Summary"),
    "citizenship": _l("Citizenship"), "sex": _l("Sex"), "age_band": _l("Age band"),
    "other_worker_reason": _l("Reason for another worker"),
}


class AppointmentView(GroupedDetailsMixin, SlotPickerMixin, AppointmentCardMixin, SecureModelView):
    column_list = ("starts_at", "client", "worker", "format", "place", "purpose", "status")
    column_details_list = (
        "client", "worker", "starts_at", "duration_minutes", "format", "place", "office", "place_note", "purpose",
        "interpreter", "language", "status", "notes", "evaluation", "next_steps", "created_at", "updated_at",
    )
    column_sortable_list = ("starts_at", "status", ("worker", "worker.full_name"), ("client", "client.code"))
    column_default_sort = ("starts_at", True)
    column_searchable_list = ("client.code",)
    search_by_client = True  # by the client's code, name or phone
    column_filters = (
        "status", WorkerFilter(Appointment.worker_id, _l("Social worker")), "starts_at", "format", "purpose", "place",
        OfficeFilter(Appointment.office_id, _l("Public office")),
    )
    column_labels = CONTACT_LABELS
    column_formatters = {"client": fmt_client_named, "language": fmt_language}  # the book: code and name
    column_formatters_detail = {"client": fmt_client_link, "language": fmt_language}  # the name is on the case file
    form_columns = (
        "client", "worker", "other_worker_reason", "starts_at", "duration_minutes", "format", "place", "office",
        "place_note", "purpose", "interpreter", "language", "status", "notes", "evaluation", "next_steps",
    )
    form_ajax_refs = {"client": client_loader()}
    form_overrides = {"language": LanguageField}
    form_args = {
        "worker": {"query_factory": social_workers},
        "office": {"query_factory": active_offices, "blank_text": _l("— not given —")},
    }
    form_widget_args = {"notes": {"rows": 4}, "evaluation": {"rows": 3}, "next_steps": {"rows": 3}}
    column_descriptions = {
        "other_worker_reason": _l("Needed only when the client has their own social worker and you book someone else."),
    }
    #: the slot picker first (the booking page's template), then who and when, place, purpose, interpreter
    form_create_rules = form_edit_rules = laid_out(
        section(_l("Who and when"), "client", Row("worker", "other_worker_reason"), Row("starts_at", "duration_minutes")),
        section(_l("Place"), Row("format", "place"), Row("office", "place_note")),
        section(_l("Purpose"), Row("purpose", "status"), Row("interpreter", "language")),
        section(_l("Record of the meeting"), "notes", "evaluation", "next_steps"),
    )
    details_groups = (
        (_l("Who and when"), ("client", "worker", "other_worker_reason", "starts_at", "duration_minutes", "status")),
        (_l("Place"), ("format", "place", "office", "place_note")),
        (_l("Purpose"), ("purpose", "interpreter", "language")),
        (_l("Record of the meeting"), ("notes", "evaluation", "next_steps")),
    )
    can_delete = True
    details_template = "admin/appointment/details.html"  # the booking confirmation: print the appointment card
    create_template = "admin/appointment/create.html"  # the booking page: free slots first (admin_views/booking.py)

    def create_form(self, obj=None):
        """``?client_id=N`` (the Book buttons) preselects the client and the client's own worker; a free
        slot's link (``worker_id=``, ``starts_at=``, ``length=``) fills in the worker, start and length."""
        form = super().create_form(obj)
        self.prefill_from_slot(form)
        return form

    def check_model(self, form, model, is_created):
        scheduling.check_booking(db.session, model)
        cases.save_appointment(db.session, model)

    def after_model_change(self, form, model, is_created):
        if model.status == AppointmentStatus.PLANNED:
            warn_outside_working_hours(model)


class VisitView(SecureModelView):
    column_list = ("occurred_at", "channel", "client", "worker", "minutes", "urgent")
    column_details_list = (
        "occurred_at", "channel", "client", "worker", "topics", "minutes", "urgent", "summary", "citizenship",
        "language", "sex", "age_band", "created_at", "updated_at",
    )
    column_sortable_list = ("occurred_at", "channel", "minutes", ("worker", "worker.full_name"))
    column_default_sort = ("occurred_at", True)
    column_searchable_list = ("client.code",)
    search_by_client = True  # by the client's code, name or phone
    column_filters = (
        "channel", WorkerFilter(Visit.worker_id, _l("Social worker")), "occurred_at", "urgent",
        TopicFilter(Visit.topics, _l("Topic")),
    )
    column_labels = CONTACT_LABELS
    column_descriptions = {
        "client": _l("Leave empty for an anonymous walk-in; then fill in citizenship, language, sex and age band."),
    }
    #: the list: the client's code and name (a worker thinks of Mrs Melnyk, not of 2026-00026); details: the code
    column_formatters = {"client": fmt_client_named, "citizenship": fmt_country, "language": fmt_language}
    column_formatters_detail = {"client": fmt_client_link, "citizenship": fmt_country, "language": fmt_language}
    form_columns = (
        "occurred_at", "channel", "client", "worker", "topics", "minutes", "urgent", "summary", "citizenship",
        "language", "sex", "age_band",
    )
    form_ajax_refs = {"client": client_loader()}
    form_overrides = {"citizenship": CountryField, "language": LanguageField}
    form_args = {"worker": {"query_factory": social_workers}, "topics": {"query_factory": active_topics}}
    #: the form's topics come with the visit (plain joins: a joined collection makes SQLite scan every visit's topics)
    get_one_collection = ("topics", visit_topic, Topic, visit_topic.c.visit_id, visit_topic.c.topic_id)
    form_widget_args = {"summary": {"rows": 4}}
    #: when, who and how long first; what it was about; the coded data of an anonymous walk-in last
    form_create_rules = form_edit_rules = laid_out(
        section(_l("Who and when"), Row("occurred_at", "channel", "minutes"), Row("client", "worker")),
        section(_l("What it was about"), "topics", "urgent", "summary"),
        section(_l("Anonymous walk-in"), Row("citizenship", "language"), Row("sex", "age_band")),
    )
    can_delete = True

    def check_model(self, form, model, is_created):
        cases.save_visit(db.session, model)
