"""Cheap list pages: what is the same on every row of a page is worked out once per page.

A list page of 25 rows used to build every row's links with ``url_for``, render every row action
through its own macro and translate the same labels again for each row. Here the row actions are
rendered once per page with a stand-in id (by the very macros in ``admin/model/row_actions.html``,
so the HTML is the same), and each row only puts its id in place of the stand-in.
"""
from __future__ import annotations

import secrets
from contextvars import ContextVar
from datetime import date, datetime, timezone
from types import SimpleNamespace

import flask_babel
from babel import dates as babel_dates
from flask import current_app, g, request, url_for
from flask_wtf.csrf import generate_csrf
from flask_admin.model import template as row_templates
from jinja2 import pass_context
from markupsafe import Markup, escape

try:  # MarkupSafe's own escaping, without wrapping each cell in a Markup only to join them
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - MarkupSafe without its C speedups
    from markupsafe._native import _escape_inner


def html_text(value) -> str:
    """``str(escape(value))``: the same text, for the many cells of a list page."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:
        return value
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))

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


#: a bound on the kept row actions (screens × languages × list URLs × role sets); past it, start again
MAX_KEPT_ROW_ACTIONS = 2048


def _row_actions_store() -> dict:
    return current_app.extensions.setdefault("poradna_row_actions", {})


def _action_key(action) -> tuple:
    """What a row action's HTML depends on besides the row's id, the list URL and the language."""
    return (type(action).__name__, getattr(action, "template_name", None), getattr(action, "endpoint", None),
            getattr(action, "url", None), str(getattr(action, "title", "") or ""),
            getattr(action, "icon_class", None), getattr(action, "id_arg", None), repr(getattr(action, "url_args", None)))


class ListRenderingMixin:
    """Helpers the list template calls once per page."""

    @pass_context
    def row_actions_html(self, context, actions) -> RowActionsHtml | None:
        """All ``actions`` of a row rendered once with a stand-in id, or None when some action needs more
        of the row than its id (it is then rendered per row as Flask-Admin does)."""
        if not all(_id_only(action) for action in actions):
            return None
        if not isinstance(self._primary_key, str):
            return None
        # the same actions on the same list URL (the return address in every link) give the same HTML
        # but for the row's id and the request's CSRF token: kept with a gap for each
        key = ("row_actions", str(flask_babel.get_locale()), request.script_root, self.endpoint,
               context.get("return_url"), tuple(_action_key(action) for action in actions),
               bool(current_app.config.get("WTF_CSRF_ENABLED", True)))
        store = _row_actions_store()
        kept = store.get(key)
        if kept is None:
            placeholder = "0" + secrets.token_hex(8) + "0"  # unguessable, and the same once quoted or escaped
            stand_in = SimpleNamespace(**{self._primary_key: placeholder})
            html = "".join(str(action.render(context, placeholder, stand_in)) for action in actions)
            token = g.get("csrf_token")  # Flask-WTF's token of this request, if a form put it in
            token_parts = html.split(token) if token and len(token) >= 20 else [html]
            kept = (placeholder, token_parts)
            if len(store) >= MAX_KEPT_ROW_ACTIONS:
                store.clear()
            store[key] = kept
        placeholder, token_parts = kept
        html = generate_csrf().join(token_parts) if len(token_parts) > 1 else token_parts[0]
        return RowActionsHtml(html.split(placeholder), placeholder)

    # --- the rows of a page, in Python ------------------------------------------------------------
    # The list template's row loop ran a Jinja ``call`` per cell into ``get_list_value``, which looked
    # up the column's formatter and tried each type formatter in turn for every cell (175 cells a
    # page). ``list_rows_html`` writes the same rows (tests/admin_views/test_list_rendering.py
    # compares them with the template's loop) with each column's lookups done once per page.

    def _type_formatter(self, formatters: dict, value_type: type):
        """The first of ``formatters`` whose type ``value_type`` is an instance of (Flask-Admin tries
        them in order for every value); kept per type."""
        cache = self.__dict__.setdefault("_type_formatter_cache", {})
        key = (id(formatters), value_type)
        try:
            return cache[key]
        except KeyError:
            found = next((fmt for typeobj, fmt in formatters.items() if issubclass(value_type, typeobj)), None)
            cache[key] = found
            return found

    def _get_list_value(self, context, model, name, column_formatters, column_type_formatters):
        """Flask-Admin's ``_get_list_value`` with the type formatter found once per value type."""
        column_fmt = column_formatters.get(name)
        value = column_fmt(self, context, model, name) if column_fmt is not None else self._get_field_value(model, name)
        choices_map = self._column_choices_map.get(name)
        if choices_map:
            return choices_map.get(value) or value
        type_fmt = self._type_formatter(column_type_formatters, type(value))
        return type_fmt(self, value, name) if type_fmt is not None else value

    @pass_context
    def list_rows_html(self, context, data, list_columns, with_checkbox, actions_html, select_record) -> Markup | None:
        """The ``<tr>`` of every row in ``data`` as the list template's loop writes them, or None when
        a row needs the template (editable cells, row actions that need more than the row's id)."""
        if self.column_editable_list or (self.column_display_actions and actions_html is None):
            return None
        formatters, choices = self.column_formatters, self._column_choices_map
        columns = []
        for name, _label in list_columns:
            if choices.get(name):
                columns.append((name, None, None))
            else:
                getter = None if name in formatters else _attribute_getter(name)
                columns.append((name, formatters.get(name), getter))
        cell_starts = {name: '<td class="col-%s">' % escape(name) for name, _f, _g in columns}
        checkbox = ('<td><input type="checkbox" name="rowid" class="action-checkbox" value="%s" title="{0}" '
                    'aria-label="{0}" /></td>').replace("{0}", str(escape(select_record)))
        token = _pinned.set(_formats())
        try:
            return self._write_rows(context, data, columns, cell_starts, checkbox, with_checkbox, actions_html, [])
        finally:
            _pinned.reset(token)

    def _write_rows(self, context, data, columns, cell_starts, checkbox, with_checkbox, actions_html, out):
        append = out.append
        formatters, type_formatters = self.column_formatters, self.column_type_formatters
        pk_value, type_formatter = self.get_pk_value, self._type_formatter
        # cells whose text depends on the value alone (an enum's label, a yes/no badge, nothing for
        # None): written once per distinct value on the page, like the row actions
        by_value: dict = {}
        for row in data:
            row_id = pk_value(row)
            append("<tr>")
            if with_checkbox:
                append(checkbox % html_text(row_id))
            if self.column_display_actions:
                append('<td class="list-buttons-column">')
                markup = actions_html(row_id)
                if markup is None:  # an id that is not plain digits: the template renders the row
                    return None
                append(markup)
                append("</td>")
            for name, fmt, getter in columns:
                if getter is None and fmt is None:  # a column with choices: Flask-Admin's own way
                    value = self._get_list_value(context, row, name, formatters, type_formatters)
                else:
                    value = fmt(self, context, row, name) if fmt is not None else getter(row)
                    type_fmt = type_formatter(type_formatters, type(value))
                    if type_fmt is not None:
                        if getattr(type_fmt, "per_value", False):
                            key = (type(value), value)
                            cell = by_value.get(key)
                            if cell is None:
                                cell = by_value[key] = html_text(type_fmt(self, value, name))
                            append(cell_starts[name])
                            append(cell)
                            append("</td>")
                            continue
                        value = type_fmt(self, value, name)
                append(cell_starts[name])
                append(html_text(value))
                append("</td>")
            append("</tr>")
        return Markup("".join(out))


def _attribute_getter(name: str):
    """``flask_admin.tools.rec_getattr(row, name)`` for one column name."""
    parts = name.split(".")
    if len(parts) == 1:
        def get(row, _name=name):
            return getattr(row, _name, None)
        return get

    def get_path(row):
        value = row
        for part in parts:
            value = getattr(value, part, None)
            if value is None:
                return None
        return value
    return get_path


def id_url(endpoint: str, id) -> str:
    """``url_for(endpoint, id=id)`` for an integer id, built by ``url_for`` once per request and endpoint."""
    if type(id) is not int:
        return url_for(endpoint, id=id)
    cache = _formats().id_urls
    parts = cache.get(endpoint)
    if parts is None:
        placeholder = "0" + secrets.token_hex(8) + "0"
        parts = cache[endpoint] = url_for(endpoint, id=placeholder).split(placeholder)
    return str(id).join(parts)


# --- values as lists show them ------------------------------------------------------------------
# Babel's and Flask-Babel's formatting looks up the locale, the time zone and the patterns again for
# every value; a page of 25 rows with two dates did that 50 times. These keep what they looked up for
# the rest of the request (and look again when the locale or time zone changes within it).

#: date-time texts per (locale, time zone): {value: text}; at most MAX_KEPT_DATETIMES per store
_KEPT_DATETIMES: dict = {}
#: translated labels per locale: {key: text}; at most MAX_KEPT_TEXTS per locale
_KEPT_TEXTS: dict = {}
MAX_KEPT_TEXTS = 5_000
MAX_KEPT_DATETIMES = 20_000


class _Formats:
    def __init__(self, locale, tz):
        self.locale, self.tz = locale, tz
        self.frame = babel_dates.get_datetime_format("short", locale=locale).replace("'", "")
        self.short_time = babel_dates.parse_pattern(babel_dates.get_time_format("short", locale=locale))
        self.short_date = babel_dates.parse_pattern(babel_dates.get_date_format("short", locale=locale))
        self.medium_date = babel_dates.parse_pattern(babel_dates.get_date_format("medium", locale=locale))
        self.normalize = getattr(tz, "normalize", None)
        #: translated labels and badges, kept across requests for this locale (the catalogs do not
        #: change while the process runs)
        self.texts = _KEPT_TEXTS.setdefault(str(locale), {})
        #: an endpoint's URL with ``?id=`` split where the id goes (url_for once per request and endpoint)
        self.id_urls: dict = {}
        #: formatted date-times, kept across requests for this locale and time zone (a list shows the
        #: same slots of the same days again and again); a bounded store, emptied when full
        self.datetimes = _KEPT_DATETIMES.setdefault((str(locale), str(tz)), {})
        #: formatted times and days, kept per request (a page's rows share days and times of day);
        #: a time pattern showing a zone also depends on the day (summer time)
        self.times: dict = {}
        self.days: dict = {}
        self.time_needs_day = _has_zone_field(self.short_time)


#: the formats a list page's rows use, pinned while ``list_rows_html`` writes them (nothing changes
#: the locale or time zone within it; looking them up again cost some 125 context lookups a page)
_pinned: ContextVar[_Formats | None] = ContextVar("listing_formats", default=None)


def _formats() -> _Formats:
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    locale, tz = flask_babel.get_locale(), flask_babel.get_timezone()
    formats = g.get("_listing_formats")
    if formats is None or formats.locale is not locale or formats.tz is not tz:
        formats = g._listing_formats = _Formats(locale, tz)
    return formats


def short_datetime(value: datetime) -> str:
    """``flask_babel.format_datetime(value, "short")``: in the user's time zone (naive values are UTC)."""
    f = _formats()
    kept = f.datetimes.get(value)
    if kept is not None:
        return kept
    text = f.datetimes[value] = _short_datetime(f, value)
    if len(f.datetimes) > MAX_KEPT_DATETIMES:
        f.datetimes.clear()
    return text


def _short_datetime(f: _Formats, value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(f.tz)
    if f.normalize is not None:
        value = f.normalize(value)
    day = value.date()
    clock = value.timetz()
    key = (clock, day) if f.time_needs_day else clock
    time_text = f.times.get(key)
    if time_text is None:
        time_text = f.times[key] = f.short_time.apply(clock, f.locale, reference_date=day)
    day_text = f.days.get(day)
    if day_text is None:
        day_text = f.days[day] = f.short_date.apply(day, f.locale)
    return f.frame.replace("{0}", time_text).replace("{1}", day_text)


def _has_zone_field(pattern) -> bool:
    """Whether a Babel date-time pattern shows a time zone (its text then depends on the day)."""
    return any(letter in pattern.pattern for letter in "zZvVOxX")


def medium_date(value: date) -> str:
    """``flask_babel.format_date(value, "medium")`` of a date."""
    f = _formats()
    return f.medium_date.apply(value, f.locale)


def cached(key, make):
    """``make()``, called once per process and locale for ``key`` (a translated label, a badge: what
    depends on the locale alone)."""
    texts = _formats().texts
    found = texts.get(key)
    if found is None:
        if len(texts) >= MAX_KEPT_TEXTS:
            texts.clear()
        found = texts[key] = make()
    return found


def text(member) -> str:
    """``str(member)`` of an enum member (its translated label), translated once per request."""
    return cached((type(member), member), member.__str__)
