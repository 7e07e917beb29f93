"""How lists and details pages show values: enums by their translated labels, dates and times the
language's way (services/formats.py), yes/no as badges, countries and languages by their names, a
record's client as a link to the client. What is more than text is written by the macros of
``templates/admin/_cells.html``.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import get_template_attribute

from models.enums import LabeledEnum
from services import codes, formats

CELLS = "admin/_cells.html"


def _fmt_enum(view, value, name):
    return str(value)


def _fmt_datetime(view, value, name):
    return formats.datetime_text(value)  # the language's one format (services/formats.py)


def _fmt_date(view, value, name):
    return formats.date_text(value)


def _fmt_bool(view, value, name):
    return get_template_attribute(CELLS, "yes_no")(bool(value))


def _fmt_list(view, value, name):
    return ", ".join(str(v) for v in value)


def _fmt_none(view, value, name):
    return ""


TYPE_FORMATTERS = {
    LabeledEnum: _fmt_enum,
    bool: _fmt_bool,
    datetime: _fmt_datetime,
    date: _fmt_date,
    list: _fmt_list,
    type(None): _fmt_none,
}
#: an export writes plain text: no badges, dates as stored
EXPORT_FORMATTERS = {LabeledEnum: _fmt_enum, type(None): _fmt_none, list: _fmt_list}


def fmt_country(view, context, model, name):
    return codes.country_name(getattr(model, name))


def fmt_language(view, context, model, name):
    return codes.language_name(getattr(model, name))


def fmt_languages(view, context, model, name):
    return ", ".join(codes.language_name(c) for c in getattr(model, name) or [])


def fmt_client_link(view, context, model, name):
    """The record's client as a link to them (an anonymous walk-in says so)."""
    return get_template_attribute(CELLS, "client_link")(getattr(model, "client", None))


def fmt_client_named(view, context, model, name):
    """The client's code (a link) and their name or alias, as the appointment book shows them."""
    return get_template_attribute(CELLS, "client_named")(getattr(model, "client", None))
