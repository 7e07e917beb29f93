"""How lists and details pages show values: enums by their translated labels, dates and times the
language's way (services/formats.py), yes/no as badges, countries and languages by their names, a
record's client as a link to the client.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from markupsafe import Markup

from admin_views import listing
from admin_views.listing import html_text, id_url
from models.enums import LabeledEnum
from services import codes, formats


# listing.* keep the locale, time zone, patterns and translated labels for the rest of the request

def _fmt_enum(view, value, name):
    return listing.text(value)


def _fmt_datetime(view, value, name):
    return formats.datetime_text(value)  # the language's one format (services/formats.py)


def _fmt_date(view, value, name):
    return formats.date_text(value)


def _badge(value):
    label = _("Yes") if value else _("No")
    return Markup('<span class="badge {}">{}</span>').format("badge-success" if value else "badge-light", label)


def _fmt_bool(view, value, name):
    value = bool(value)
    return listing.cached((_badge, value), lambda: _badge(value))


def _fmt_list(view, value, name):
    return ", ".join(str(v) for v in value)


def _fmt_none(view, value, name):
    return ""


# formatters whose text depends on the value alone (and the language): a list writes each once per page
_fmt_enum.per_value = _fmt_bool.per_value = _fmt_none.per_value = True

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
