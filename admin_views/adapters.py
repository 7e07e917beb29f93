"""Every use of a library's private names, in one place.

Flask-Admin has no public hook for these (as of 2.2): a view's list query is built by its private
``_apply_search``/``_apply_filters``/``_apply_sorting``/``_apply_pagination``, the relations a list
joins are its ``_auto_joins``, the columns it lists ``_list_columns``, its filters ``_filters``, the
filter menu's data ``_get_filter_groups``, its actions ``_actions_data``, and every view passes through ``_handle_view``; its
form converter builds a related record's select in ``_model_select_field`` (:class:`ConverterHooks`); its base
template writes ``<html>`` outside any block (:func:`document_language`). SQLAlchemy's ``Query``
keeps its ORDER BY in ``_order_by_clauses``. :class:`FlaskAdminHooks` forwards Flask-Admin's
private hooks to public methods of :class:`admin_views.base.SecureModelView`; the functions read
private state. When upgrading Flask-Admin or SQLAlchemy, check this module first.
"""
from __future__ import annotations

from flask import Response
from flask_admin.contrib.sqla import ModelView
from flask_babel import get_locale


class FlaskAdminHooks:
    """Flask-Admin's private hooks, forwarded (put before ``ModelView`` among the bases)."""

    def _handle_view(self, name, **kwargs):
        self.before_view(name)
        response = super()._handle_view(name, **kwargs)  # the gate: is_accessible / inaccessible_callback
        return self.after_gate(name, response)

    def _apply_search(self, query, count_query, joins, count_joins, search):
        found = self.search_condition(search)
        if found is NotImplemented:  # Flask-Admin's LIKE over column_searchable_list
            return super()._apply_search(query, count_query, joins, count_joins, search)
        if found is None:
            return query, count_query, joins, count_joins
        condition, order = found
        if order:
            query = query.order_by(*order)  # before the list's default sort
        query = query.filter(condition)
        if count_query is not None:
            count_query = count_query.filter(condition)
        return query, count_query, joins, count_joins

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        return query.order_by(self.sort_tiebreak(sort_column, sort_desc)), joins

    def _get_list_extra_args(self):
        return self.clean_list_args(super()._get_list_extra_args())

    def _get_filter_groups(self):
        return self.filter_groups()


class ConverterHooks:
    """Flask-Admin's form converter's private hook, forwarded (put before ``AdminModelConverter``)."""

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        return super()._model_select_field(prop, multiple, remote_model, **self.select_field_args(multiple, kwargs))


def list_query(view: ModelView, count_query, page, sort_column, sort_desc, search, filters, page_size):
    """Flask-Admin's ``get_list(execute=False)`` without its ``joinedload`` of every related column
    (a list page loads its relations itself): ``(count_query, page query)``, both searched and
    filtered, the page query sorted and cut to the page."""
    joins: dict = {}
    count_joins: dict = {}
    query = view.get_query()
    if view._search_supported and search:
        query, count_query, joins, count_joins = view._apply_search(query, count_query, joins, count_joins, search)
    if filters and view._filters:
        query, count_query, joins, count_joins = view._apply_filters(query, count_query, joins, count_joins, filters)
    query, joins = view._apply_sorting(query, joins, sort_column, sort_desc)
    return count_query, view._apply_pagination(query, page, page_size)


def auto_joins(view: ModelView) -> list:
    """The relations the view's list columns show (Flask-Admin joins them for its own list query)."""
    return view._auto_joins


def list_columns(view: ModelView) -> list:
    """The ``(name, label)`` of the columns the list shows."""
    return view._list_columns


def filters(view: ModelView) -> list:
    """The view's filter objects, in the order of their indexes in the address (``flt0_…``)."""
    return view._filters or []


def action_names(view: ModelView) -> set:
    """The names of every action the view declares, allowed or not (``get_actions_list`` gives only
    the allowed ones)."""
    return set(view._actions_data)


def order_by_clauses(query) -> tuple:
    """The ORDER BY expressions of an ORM query, in order."""
    return tuple(query._order_by_clauses)


#: how Flask-Admin's admin/base.html opens the document (no block to give it a language)
_BARE_DOCUMENT = b"<!DOCTYPE html>\n<html>"


def document_language(response: Response) -> Response:
    """The language of a back-office page on its root element (WCAG 3.1.1): Flask-Admin's base template
    writes a bare ``<html>`` that no block can change, so the request's locale is added to it here."""
    if response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed:
        return response
    body = response.get_data()
    start = body.find(_BARE_DOCUMENT, 0, 400)
    if start >= 0:
        end = start + len(_BARE_DOCUMENT)
        tag = b'<!DOCTYPE html>\n<html lang="' + str(get_locale() or "cs").split("_")[0].encode() + b'">'
        response.set_data(body[:start] + tag + body[end:])
    return response
