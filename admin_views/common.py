"""Fields and formatters shared by several screens."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import fields

from admin_views.fields import FastSelect, kept_choices
from admin_views.listing import html_text, id_url
from extensions import db
from models import PublicOffice, Topic
from services import codes, inputs
from services.users import social_workers_query


def _with_blank(choices):
    return [("", str(_l("— not given —")))] + list(choices)


class CountryField(fields.SelectField):
    widget = FastSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("allow_blank", None)
        super().__init__(label, validators, choices=lambda: _with_blank(codes.country_choices()), **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = self.data or None

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class LanguageField(CountryField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("allow_blank", None)
        fields.SelectField.__init__(self, label, validators, choices=lambda: _with_blank(codes.language_choices()), **kwargs)


@kept_choices
def social_workers():
    return social_workers_query(db.session)


@kept_choices
def active_topics():
    """Active topics in the dictionary order of their labels in the page's language."""
    topics = db.session.query(Topic).filter(Topic.active.is_(True)).all()
    return codes.sorted_by_label(topics, label=lambda topic: topic.label)


@kept_choices
def active_offices():
    """Active public offices in the dictionary order of their names."""
    offices = db.session.query(PublicOffice).filter(PublicOffice.active.is_(True)).all()
    return codes.sorted_by_label(offices, label=lambda office: office.name)


def fmt_country(view, context, model, name):
    return codes.country_name(getattr(model, name))


def fmt_language(view, context, model, name):
    return codes.language_name(getattr(model, name))


def fmt_languages(view, context, model, name):
    return ", ".join(codes.language_name(c) for c in getattr(model, name) or [])


def fmt_client_link(view, context, model, name):
    client = getattr(model, "client", None)
    if client is None:
        return Markup("<em>{}</em>").format(_("anonymous walk-in"))
    return Markup(_client_link(client))


def _client_link(client) -> str:
    # escaped text and an f-string: the same HTML as Markup('<a href="%s">%s</a>') % (...), which wrapped
    # each argument in an escaping helper (a tenth of an appointment page's rows)
    return f'<a href="{html_text(id_url("client.details_view", client.id))}">{html_text(client.code)}</a>'


def fmt_client_named(view, context, model, name):
    """The client's code (a link) and their name or alias, as the appointment book shows them."""
    client = getattr(model, "client", None)
    if client is None:
        return fmt_client_link(view, context, model, name)
    label = client.book_name
    link = _client_link(client)
    return Markup(f"{link} {html_text(label)}" if label else link)


# --- filters over relations ------------------------------------------------------------------
# Flask-Admin's own relation filters expose every column of the related table (a worker's email,
# even the password hash); these offer exactly one choice list each.

import sqlalchemy as sa  # noqa: E402
from flask_admin.contrib.sqla.filters import BaseSQLAFilter  # noqa: E402

from models import Worker  # noqa: E402


class _IdChoiceFilter(BaseSQLAFilter):
    def get_options(self, view):
        from flask import has_request_context

        # evaluated per request by SecureModelView._get_filter_groups; nothing to list at start-up
        return super().get_options(view) if has_request_context() else []

    def validate(self, value):
        return inputs.to_id(value) is not None  # an id in range (PostgreSQL: integer out of range)

    def clean(self, value):
        return inputs.to_id(value)

    def operation(self):
        return _l("equals")


class WorkerFilter(_IdChoiceFilter):
    """``column`` (a worker id) is the chosen staff member."""

    def __init__(self, column, name, all_staff=False):
        def options():
            query = db.session.query(Worker).order_by(Worker.full_name, Worker.id) if all_staff else social_workers()
            return [(str(id), full_name) for id, full_name in query.with_entities(Worker.id, Worker.full_name)]

        super().__init__(column, name, options=options)

    def apply(self, query, value, alias=None):
        return query.filter(self.column == value)


class OfficeFilter(_IdChoiceFilter):
    def __init__(self, column, name):
        super().__init__(column, name, options=lambda: [(str(o.id), o.name) for o in active_offices()])

    def apply(self, query, value, alias=None):
        return query.filter(self.column == value)


class TopicFilter(_IdChoiceFilter):
    """A visit is about the chosen topic."""

    def __init__(self, relationship, name):
        self.relationship = relationship
        owner = relationship.class_  # Flask-Admin needs a plain column of the listed table
        super().__init__(owner.id, name, options=lambda: [(str(t.id), t.label) for t in active_topics()])

    def apply(self, query, value, alias=None):
        return query.filter(self.relationship.any(Topic.id == value))
