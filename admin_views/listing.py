"""Cheap list pages: what is the same on every row of a page is worked out once per page.

A list page of 25 rows used to build every row's links with ``url_for``, render every row action
through its own macro and translate the same labels again for each row. Here the row actions are
rendered once per page with a stand-in id (by the very macros in ``admin/model/row_actions.html``,
so the HTML is the same), and each row only puts its id in place of the stand-in.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, timezone
from types import SimpleNamespace

import flask_babel
from babel import dates as babel_dates
from flask import g, url_for
from flask_admin.model import template as row_templates
from jinja2 import pass_context
from markupsafe import Markup

#: row actions whose HTML depends on the row only through its id
_ID_ONLY_ACTIONS = (
    row_templates.ViewRowAction, row_templates.ViewPopupRowAction, row_templates.EditRowAction,
    row_templates.EditPopupRowAction, row_templates.DeleteRowAction, row_templates.EndpointLinkRowAction,
)


def _id_only(action) -> bool:
    if type(action) in _ID_ONLY_ACTIONS:
        return True
    return type(action) is row_templates.LinkRowAction and isinstance(action.url, str)


class RowActionsHtml:
    """The row actions' HTML of one list page, split where the row's id goes."""

    def __init__(self, parts: list[str], placeholder: str):
        self.parts = parts
        self.placeholder = placeholder

    def __call__(self, row_id) -> Markup | None:
        """The HTML for a row whose (Flask-Admin encoded) id is ``row_id``; None when the id is not
        plain digits (the caller then renders the actions one by one)."""
        row_id = str(row_id)
        if not row_id.isdigit() or not row_id.isascii():
            return None
        return Markup(row_id.join(self.parts))


class ListRenderingMixin:
    """Helpers the list template calls once per page."""

    @pass_context
    def row_actions_html(self, context, actions) -> RowActionsHtml | None:
        """All ``actions`` of a row rendered once with a stand-in id, or None when some action needs more
        of the row than its id (it is then rendered per row as Flask-Admin does)."""
        if not all(_id_only(action) for action in actions):
            return None
        placeholder = "0" + secrets.token_hex(8) + "0"  # unguessable, and the same once quoted or escaped
        stand_in = SimpleNamespace(**{self._primary_key: placeholder}) if isinstance(self._primary_key, str) else None
        if stand_in is None:
            return None
        html = "".join(str(action.render(context, placeholder, stand_in)) for action in actions)
        return RowActionsHtml(html.split(placeholder), placeholder)


def id_url(endpoint: str, id) -> str:
    """``url_for(endpoint, id=id)`` for an integer id, built by ``url_for`` once per request and endpoint."""
    if type(id) is not int:
        return url_for(endpoint, id=id)
    cache = g.setdefault("_listing_id_urls", {})
    parts = cache.get(endpoint)
    if parts is None:
        placeholder = "0" + secrets.token_hex(8) + "0"
        parts = cache[endpoint] = url_for(endpoint, id=placeholder).split(placeholder)
    return str(id).join(parts)


# --- values as lists show them ------------------------------------------------------------------
# Babel's and Flask-Babel's formatting looks up the locale, the time zone and the patterns again for
# every value; a page of 25 rows with two dates did that 50 times. These keep what they looked up for
# the rest of the request (and look again when the locale or time zone changes within it).

class _Formats:
    def __init__(self, locale, tz):
        self.locale, self.tz = locale, tz
        self.frame = babel_dates.get_datetime_format("short", locale=locale).replace("'", "")
        self.short_time = babel_dates.parse_pattern(babel_dates.get_time_format("short", locale=locale))
        self.short_date = babel_dates.parse_pattern(babel_dates.get_date_format("short", locale=locale))
        self.medium_date = babel_dates.parse_pattern(babel_dates.get_date_format("medium", locale=locale))
        self.normalize = getattr(tz, "normalize", None)
        self.texts: dict = {}


def _formats() -> _Formats:
    locale, tz = flask_babel.get_locale(), flask_babel.get_timezone()
    formats = g.get("_listing_formats")
    if formats is None or formats.locale is not locale or formats.tz is not tz:
        formats = g._listing_formats = _Formats(locale, tz)
    return formats


def short_datetime(value: datetime) -> str:
    """``flask_babel.format_datetime(value, "short")``: in the user's time zone (naive values are UTC)."""
    f = _formats()
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(f.tz)
    if f.normalize is not None:
        value = f.normalize(value)
    day = value.date()
    return (f.frame.replace("{0}", f.short_time.apply(value.timetz(), f.locale, reference_date=day))
            .replace("{1}", f.short_date.apply(day, f.locale)))


def medium_date(value: date) -> str:
    """``flask_babel.format_date(value, "medium")`` of a date."""
    f = _formats()
    return f.medium_date.apply(value, f.locale)


def cached(key, make):
    """``make()``, called once per request and locale for ``key`` (a translated label, a badge)."""
    texts = _formats().texts
    found = texts.get(key)
    if found is None:
        found = texts[key] = make()
    return found


def text(member) -> str:
    """``str(member)`` of an enum member (its translated label), translated once per request."""
    return cached((type(member), member), member.__str__)
