"""The scoped base view every back-office screen builds on.

It routes list, count, details, edit, delete, actions and ajax lookups through
:mod:`services.access`, coerces ids and page numbers, adds CSRF to every form,
shows enums, dates and code lists the way people read them, and turns service
and database errors into clear, translated messages.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, flash, g, has_request_context, request
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.tools import parse_like_term
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from wtforms.validators import DataRequired, InputRequired, Length

from admin_views import adapters, row_actions
from admin_views.adapters import FlaskAdminHooks
from admin_views.filters import PoradnaFilterConverter
from admin_views.formatters import EXPORT_FORMATTERS, TYPE_FORMATTERS
from admin_views.forms import AdminForm, PoradnaConverter, VersionField
from admin_views.gate import PolicyGatedView, deny
from admin_views.saving import forget_unsafe_return_address
from extensions import db
from models import Agreement, Client
from models.enums import AuditAction, Role
from services import access, audit, clients, inputs, typed, writes
from services.errors import ServiceError
from services.typed import Typed

log = logging.getLogger(__name__)

#: Why a field of an edit form is shown greyed out (admin_views.base.SecureModelView._fields_fixed).
FIXED_REASONS = {
    "client_changed": _l("A record stays with the client it was created for."),
    "client_anonymised": _l("The client has been anonymised: no personal data or text is recorded any more."),
}
#: A save from a form older than the record (its version moved on meanwhile).
STALE = _l("Someone changed this record after you opened the form, so nothing was saved. "
           "Copy what you typed if you need it, reload the page and make your change again.")


# --- the base view ---------------------------------------------------------------------------

class _WriteFlag:
    """``can_create``, ``can_edit`` or ``can_delete`` as the view declares it, and within a request only
    for a role that may write on the screen (:func:`services.access.can_write_screen`), so that lists and
    details offer no Create, Edit or Delete a role may not use."""

    def __set_name__(self, owner, name):
        self.declared = f"_declared_{name}"

    def __get__(self, view, owner=None):
        if view is None:
            return self
        declared = getattr(view, self.declared)
        if not declared or not has_request_context():
            return declared
        return access.can_write_screen(current_user, view.endpoint)

    def __set__(self, view, value):
        setattr(view, self.declared, value)


#: The Flask-Admin views that write, and the flag each one needs.
WRITE_VIEWS = {"create_view": "can_create", "edit_view": "can_edit", "delete_view": "can_delete"}


#: Lists count exactly up to this many rows, then say "more than" (a million rows are not counted per page).
COUNT_CAP = 10_000


def listed(*path):
    """Joined-eager loading along ``path`` (relationship attributes), each related record with only the
    columns another list's row shows of it (its model's ``LISTED_COLUMNS``): an appointment page
    fetched 61 columns a row, among them a worker's password hash and two-factor key, to show a name."""
    load = None
    for relation in path:
        load = sa.orm.joinedload(relation) if load is None else load.joinedload(relation)
        target = relation.property.mapper.class_
        columns = getattr(target, "LISTED_COLUMNS", None)
        if columns:
            load = load.load_only(*(getattr(target, name) for name in columns))
    return load


class CappedCountQuery(sa.orm.Query):
    """A list's count query (Flask-Admin adds the filters and joins) that stops counting past
    :data:`COUNT_CAP`: ``scalar()`` counts at most ``COUNT_CAP + 1`` matching rows."""

    #: the values of a search's parameters (services/typed.py) the count is executed with: kept
    #: beside the query, not given to ``Query.params``, which would put them into the statement
    bound: dict = {}

    def with_bound(self, params: dict):
        """This query, counted with ``params``."""
        query = copy.copy(self)  # as the query's own generative methods do: a new query of the same state
        query.bound = {**self.bound, **params}
        return query

    def capped_statement(self):
        capped = self.with_entities(sa.literal(1)).limit(COUNT_CAP + 1).subquery("capped")
        return sa.select(sa.func.count()).select_from(capped)

    def scalar(self):
        return self.session.execute(self.capped_statement(), self.bound).scalar()


@dataclass
class ListPage:
    """One page of a list: its rows and the number of all rows found, counted up to ``COUNT_CAP + 1``."""

    count: int
    rows: list


class SecureModelView(PolicyGatedView, FlaskAdminHooks, ModelView):
    """A Flask-Admin model view whose every path goes through the access policy."""

    _declared_can_create = True
    _declared_can_edit = True
    _declared_can_delete = True
    can_create = _WriteFlag()
    can_edit = _WriteFlag()
    can_delete = _WriteFlag()

    def __init_subclass__(cls, **kwargs):
        """A screen's ``can_delete = False`` (and the like) becomes its declared value behind the flag."""
        super().__init_subclass__(**kwargs)
        for name in WRITE_VIEWS.values():
            value = cls.__dict__.get(name)
            if isinstance(value, bool):
                setattr(cls, f"_declared_{name}", value)
                delattr(cls, name)

    form_base_class = AdminForm
    model_form_converter = PoradnaConverter
    filter_converter = PoradnaFilterConverter()
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_FORMATTERS
    can_view_details = True
    can_set_page_size = True
    page_size = 25
    page_size_options = (25, 50, 100)
    details_modal = False
    edit_modal = False
    create_modal = False
    can_export = False
    export_max_rows = 5000
    #: (column, descending) — the primary key is always added as a tiebreaker
    column_default_sort: tuple | list | str | None = ("id", True)
    list_template = "admin/model/poradna_list.html"
    create_template = "admin/model/poradna_create.html"
    edit_template = "admin/model/poradna_edit.html"

    def __init__(self, model, **kwargs):
        super().__init__(model, db, **kwargs)

    def get_list_row_actions(self):
        """Flask-Admin's row actions, Delete only on the rows the policy lets the person delete."""
        return row_actions.with_policy(super().get_list_row_actions())

    # --- who may write on the screen (who may open it: PolicyGatedView) ----------------------
    def before_view(self, name) -> None:
        """Before any view of the screen: a return address that is not a path on this site is dropped."""
        forget_unsafe_return_address()

    def after_gate(self, name, response):
        """A role that may open the screen but not write on it gets an audited 403 at create, edit and delete."""
        if response is None and name in WRITE_VIEWS and getattr(self, f"_declared_{WRITE_VIEWS[name]}") \
                and not access.can_write_screen(current_user, self.endpoint):
            deny(self.endpoint, details={"view": name})
        return response

    @action("delete", _l("Delete"), _l("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        """Flask-Admin's delete action, given only the ids the user may act on, as numbers (PostgreSQL
        refuses to compare the form's strings with an integer key)."""
        return super().action_delete(self.scoped_ids(ids))

    def handle_action(self, return_view=None):
        """An action the user may not run is an audited 403 (Flask-Admin would redirect without a word);
        a delete of any chosen record the user may not delete refuses them all."""
        form = self.action_form()
        if self.validate_form(form):
            name = form.action.data
            if name in adapters.action_names(self) and not self.is_action_allowed(name):
                deny(self.endpoint, details={"action": str(name)[:40]})
            if name == "delete":
                ids = self.scoped_ids(request.form.getlist("rowid"))
                # the records with what the access rule and each one's audit entry read of them; the
                # delete that follows finds them in the session as loaded here
                for obj in self.get_query().filter(self.model.id.in_(ids)).options(*self.record_loads()) if ids else ():
                    if not access.can_delete(db.session, current_user, obj):
                        deny(self.endpoint, obj, details={"action": "delete"})
        return super().handle_action(return_view)

    # --- which rows ---------------------------------------------------------------------------
    def get_query(self):
        return access.scope(super().get_query(), self.model, current_user)

    def get_count_query(self):
        query = CappedCountQuery([sa.func.count()], session=db.session()).select_from(self.model)
        return access.scope(query, self.model, current_user)

    #: the search box finds records by their client: a code prefix, a name in any spelling or a phone
    #: number, the same lookup as the reception desk (services.clients.lookup), not a LIKE on every
    #: column; the client list puts the best name match first unless a column is sorted
    search_by_client = False

    def search_condition(self, search):
        """What the search box finds: ``(condition, order, params)`` — the condition and the order hold
        the typed text only as parameters, whose values are ``params`` (services/typed.py) — of
        :func:`services.clients.lookup` for a screen searched by client, of :meth:`column_search`
        otherwise; None: the text finds nothing to look for; NotImplemented: Flask-Admin's own search."""
        if not self.search_by_client:
            return self.column_search(search)
        found = clients.lookup(db.session, search)
        if found is None:
            return None
        if self.model is not Client:
            return self.model.client_id.in_(sa.select(Client.id).where(found.condition)), (), found.params
        return found.condition, (found.order if not request.args.get("sort") else ()), found.params

    def column_search(self, search):
        """Flask-Admin's search over ``column_searchable_list`` (every space-separated term, "^" a prefix,
        "=" the whole value, in any of the columns, case ignored), its terms bound as parameters:
        Flask-Admin writes them into the statement. NotImplemented (Flask-Admin's own) where a
        searched column is another model's: such a search's text would stay in the statement cache
        (tests/admin_views/test_search_cache.py: no screen has one)."""
        names = self.column_searchable_list or ()
        if any(not isinstance(name, str) or "." in name for name in names):
            return NotImplemented
        columns = [sa.cast(getattr(self.model, name), sa.Unicode) for name in names]
        bound = Typed()
        conditions = []
        for index, term in enumerate(term for term in search.split(" ") if term):
            pattern = bound.bind(f"term{index}", parse_like_term(term), sa.Unicode())
            conditions.append(sa.or_(*(column.ilike(pattern) for column in columns)))
        if not conditions:
            return None
        return sa.and_(*conditions), (), bound.params

    def apply_search(self, query, count_query, search):
        """``(query, count_query, params)`` searched by :meth:`search_condition`: the page query is to be
        executed with ``params`` (services/typed.py), the count query counts with them; NotImplemented
        for Flask-Admin's own search."""
        found = self.search_condition(search)
        if found is NotImplemented or found is None:
            return found if found is NotImplemented else (query, count_query, {})
        condition, order, params = found
        if order:
            query = query.order_by(*order)  # before the list's default sort
        query = query.filter(condition)
        if count_query is not None:
            count_query = count_query.filter(condition)
            if params and isinstance(count_query, CappedCountQuery):
                count_query = count_query.with_bound(params)
        return query, count_query, params

    def _page_loads(self) -> list:
        """What a list page loads with its rows, in the statement that reads them: the relations its
        columns show (the models load none by default), of each related record only the columns a row
        shows of it (see :func:`listed`). Built once per view (loader options are immutable)."""
        joins = adapters.auto_joins(self)
        built = self.__dict__.get("_page_loads_built")
        if built is None or built[0] is not joins:  # Flask-Admin refreshed its caches
            loads = [listed(relation) for relation in joins] + list(self.list_loads)
            built = self.__dict__["_page_loads_built"] = (joins, loads)
        return built[1]

    #: loader options for relations a list's columns reach through another one (e.g. a task's agreement's client)
    list_loads: tuple = ()
    #: the model's columns a list's formatters read for columns that are not model attributes (a
    #: client's "name"); without them such a list loads every column of its rows
    list_load_columns: tuple = ()

    def _list_load_only(self):
        """``load_only`` of the columns a list page shows of its own rows (the columns it lists, the keys of
        the relations it shows, ``list_load_columns``), or None when some column's needs are not known.
        An appointment page read the notes, evaluation and next steps of every row, to show none of them."""
        columns = adapters.list_columns(self)
        built = self.__dict__.get("_list_load_only_built")
        if built is not None and built[0] is columns:
            return built[1]
        mapper = sa.inspect(self.model)
        keys = {mapper.get_property_by_column(column).key for column in mapper.primary_key}
        keys.update(self.list_load_columns)
        option = None
        for name, _label in columns:
            prop = mapper.attrs.get(name.split(".")[0])
            if isinstance(prop, sa.orm.ColumnProperty):
                keys.add(prop.key)
            elif isinstance(prop, sa.orm.RelationshipProperty):
                keys.update(mapper.get_property_by_column(column).key for column in prop.local_columns)
            elif not self.list_load_columns:
                break  # a computed column with no declared needs: load the whole row
        else:
            option = sa.orm.load_only(*(getattr(self.model, key) for key in sorted(keys)))
        self.__dict__["_list_load_only_built"] = (columns, option)
        return option

    def _list_page_loads(self) -> list:
        """The loader options of a list's rows: for the list page itself only the columns it shows
        (an export of the same rows may show others)."""
        loads = self._page_loads()
        if self._on_list_page():
            only = self._list_load_only()
            if only is not None:
                return [*loads, only]
        return loads

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """Flask-Admin's list: the page of :meth:`list_page`; an export streams Flask-Admin's own query
        (which joins the relations its columns show)."""
        if not execute:
            return super().get_list(page, sort_column, sort_desc, search, filters, execute=False, page_size=page_size)
        found = self.list_page(page, sort_column, sort_desc, search, filters, page_size)
        return found.count, found.rows

    def list_page(self, page, sort_column, sort_desc, search, filters, page_size=None) -> ListPage:
        """One page of the list, paged by ids first: the page's ids are found through the indexes alone
        (sort, filters, OFFSET), and only those rows are joined to what the columns show, so a deep page
        does not join every skipped row. The capped count comes in the same statement: a column of the
        page's rows, or a window count over what a search found."""
        count_query, query, params = adapters.list_query(self, self.get_count_query(), page, sort_column, sort_desc,
                                                         search, filters, page_size)
        # whether the user holds each row's client, where the row's Delete asks it: loaded with the rows
        held = access.row_holds_column(self.model, current_user) if self.can_delete else None
        held_columns = [held.label("poradna_held")] if held is not None else []
        if search and search.strip():
            found, order = self._search_page(query, page, page_size)
            rows = typed.execute(db.session.query(self.model).join(found, self.model.id == found.c.id)
                                 .add_columns(found.c.total, *held_columns)
                                 .options(*self._list_page_loads()).order_by(*order), params).all()
            if rows:
                return self._page_of(rows, held)
            if not page:
                return ListPage(0, [])
            # a page past the end: count on its own
            return ListPage(typed.execute(query.limit(None).offset(None).order_by(None).with_entities(sa.func.count()),
                                          params).scalar(), [])
        page_ids = query.with_entities(self.model.id).subquery("page_ids")
        rows_query = (query.limit(None).offset(None).filter(self.model.id.in_(sa.select(page_ids.c.id)))
                      .options(*self._list_page_loads()))
        # both engines compute an uncorrelated scalar subquery once per statement
        capped = count_query.capped_statement()
        counted = typed.execute(rows_query.add_columns(capped.scalar_subquery().label("poradna_total"), *held_columns),
                                params).all()
        if not counted:  # no rows on this page (a page past the end, nothing found): count on its own
            return ListPage(db.session.execute(capped, params).scalar(), [])
        return self._page_of(counted, held)

    @staticmethod
    def _page_of(rows, held) -> ListPage:
        """The page from its rows (row, total[, held]): the held answers kept for the rows' Delete buttons."""
        if held is not None:
            access.remember_row_holds(current_user, ((row[0], row[2]) for row in rows))
        return ListPage(rows[0][1], [row[0] for row in rows])

    def _on_list_page(self) -> bool:
        return has_request_context() and request.endpoint == f"{self.endpoint}.index_view"

    def _search_page(self, query, page, page_size):
        """One page of a search as a subquery of ids, the number of all rows found (``total``) and the
        sort columns, with the order to sort the page by: the rows found (and counted by a window) in
        a subquery, sorted and cut to the page outside it. The page's rows are joined to it, so a
        search page is one statement.

        With the sort inside the counting query, PostgreSQL walked the sort column's index backwards
        through every client and tested each; this way it finds the few rows matching through the
        name indexes and sorts only those (timings: BENCHMARKS.md)."""
        columns = [self.model.id.label("id"), sa.func.count().over().label("total")]
        order = []
        for index, clause in enumerate(adapters.order_by_clauses(query)):
            element, descending = clause, False
            if isinstance(clause, sa.sql.elements.UnaryExpression) and clause.modifier in (
                    sa.sql.operators.desc_op, sa.sql.operators.asc_op):
                element, descending = clause.element, clause.modifier is sa.sql.operators.desc_op
            columns.append(element.label(f"sort_{index}"))
            order.append((f"sort_{index}", descending))
        found = query.limit(None).offset(None).order_by(None).with_entities(*columns).subquery("found")
        size = page_size or self.page_size
        page_of = (sa.select(found).order_by(*(found.c[name].desc() if descending else found.c[name].asc()
                                                 for name, descending in order))
                   .limit(size).offset((page or 0) * size).subquery("page_found"))
        return page_of, [page_of.c[name].desc() if descending else page_of.c[name].asc() for name, descending in order]

    #: loader options for the one record of a details or edit page, beyond :meth:`record_loads`
    get_one_options: tuple = ()

    def record_loads(self) -> list:
        """What a record's details and edit pages load with it, in the statement that reads it: every
        record it refers to (its client, worker, office, agreement: the pages and their forms show
        them, the access rule and the audit entry ask for its client), an agreement with its client
        (a task's client, an agreement's name), and ``get_one_options``. Built once per view."""
        built = self.__dict__.get("_record_loads_built")
        if built is None:
            built = []
            for relation in sa.inspect(self.model).relationships:
                if relation.direction is not sa.orm.MANYTOONE:
                    continue
                load = sa.orm.joinedload(relation.class_attribute)
                if relation.mapper.class_ is Agreement:
                    load = load.joinedload(Agreement.client)
                built.append(load)
            built = self.__dict__["_record_loads_built"] = [*built, *self.get_one_options]
        return built

    #: a many-to-many the details or edit page shows, loaded with the record by plain joins:
    #: (attribute, association table, related model, association column to the record, to the related row)
    get_one_collection: tuple | None = None

    def get_one(self, id):
        """The record ``id`` if the user may see it; otherwise 404 (a denial is audited)."""
        pk = inputs.to_id(id)  # not a number, or beyond the ids' range (PostgreSQL: integer out of range)
        if pk is None:
            abort(404)
        held = access.holds_column(self.model, current_user)
        if held is not None and self.model in access.CASE_MODELS:
            # access.scope's rule for case rows asked of this one row by index lookups, rather than
            # listing every client the worker holds (thousands of ids)
            query = super().get_query().filter(access.case_rows_visible(current_user, held))
        else:
            query = self.get_query()
        query = query.filter(self.model.id == pk).options(*self.record_loads())
        if held is not None:  # the access answer in the same query as the row
            query = query.add_columns(held.label("held"))
        collection = self.get_one_collection
        if collection is not None:  # a many-to-many the form shows, by plain joins (one row per item)
            name, secondary, target, parent_fk, target_fk = collection
            query = (query.outerjoin(secondary, parent_fk == self.model.id).outerjoin(target, target.id == target_fk)
                     .add_entity(target))
        rows = query.all()
        obj = rows[0][0] if rows and (held is not None or collection is not None) else (rows[0] if rows else None)
        if obj is not None and held is not None:
            access.remember_holds(current_user, access._client_id_of(obj), rows[0][1])
        if obj is not None and collection is not None:
            items = [row[-1] for row in rows if row[-1] is not None]
            set_committed_value(obj, name, sorted(items, key=lambda item: item.id))
        if obj is None:
            hidden = db.session.get(self.model, pk)
            if hidden is not None:
                deny(self.endpoint, hidden, status=404)
            abort(404)
        return obj

    def scoped_ids(self, ids) -> list[int]:
        """The subset of ``ids`` (raw strings from a form) the user may act on."""
        clean = set(inputs.ids(ids))
        if not clean:
            return []
        rows = self.get_query().with_entities(self.model.id).filter(self.model.id.in_(clean))
        return sorted(r[0] for r in rows)

    def filter_groups(self):
        """The filter menu's data, its choices read afresh for each page (Flask-Admin reads them once,
        at start-up: staff, offices and topics change)."""
        groups: dict[str, list] = {}
        for index, flt in enumerate(adapters.filters(self)):
            options = flt.get_options(self)
            groups.setdefault(str(flt.name), []).append({
                "index": index,
                "arg": self.get_filter_arg(index, flt),
                "operation": str(flt.operation()),
                "options": [(key, str(label)) for key, label in options] if options else None,
                "type": flt.data_type,
            })
        return groups or None

    # --- paging and sorting -------------------------------------------------------------------
    def clean_list_args(self, args):
        """The list's page and page size from the address, within bounds."""
        args.page = max(0, min(args.page or 0, 10**6))
        args.page_size = args.page_size if args.page_size in self.page_size_options else 0
        return args

    def get_safe_page_size(self, page_size):
        if page_size in self.page_size_options:
            return page_size
        return self.page_size

    def sort_tiebreak(self, sort_column, sort_desc):
        """The primary key after the sort columns, in the sort's direction (the id-tiebreak indexes)."""
        descending = sort_desc if sort_column is not None else self._default_desc()
        return self.model.id.desc() if descending else self.model.id.asc()

    def _default_desc(self) -> bool:
        sort = self.column_default_sort
        if isinstance(sort, tuple) and len(sort) == 2 and isinstance(sort[1], bool):
            return sort[1]
        if isinstance(sort, list) and sort and isinstance(sort[0], tuple):
            return bool(sort[0][1])
        return False

    # --- saving -------------------------------------------------------------------------------
    def handle_view_exception(self, exc):
        if isinstance(exc, HTTPException):
            raise exc  # a refusal (deny) inside a model hook answers as such
        if isinstance(exc, writes.RefusedWrite):
            g._poradna_refused = exc  # audited once the save is rolled back (_audit_refusal)
            flash(str(exc.message), "error")
            return True
        if isinstance(exc, ServiceError):
            flash(str(exc.message), "error")
            return True
        if isinstance(exc, StaleDataError):  # changed by someone else between loading and saving it here
            flash(str(STALE), "error")
            return True
        if isinstance(exc, IntegrityError):
            log.warning("integrity error in %s: %s", self.endpoint, type(exc.orig).__name__)
            flash(_("The record could not be saved: it conflicts with existing data (for example a duplicate code or email)."), "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            log.error("database error in %s: %s", self.endpoint, type(exc).__name__)
            if current_app.config.get("LOG_TRACEBACKS"):
                log.exception("database error in %s", self.endpoint)
            flash(_("The record could not be saved because of a database error. Nothing was changed."), "error")
            return True
        if super().handle_view_exception(exc):  # a form validation error: its own message
            return True
        # anything else: Flask-Admin would show str(exc) (SQL, values, internals); say only that it failed
        log.error("unexpected error in %s: %s", self.endpoint, type(exc).__name__)
        flash(_("The operation could not be completed. Nothing was changed."), "error")
        return True

    #: write create/update/delete entries to the audit trail
    audit_changes = True
    #: columns whose change is a service operation with its own audit entry (an account's roles, state,
    #: password): an edit's update entry leaves them out, and is not written when nothing else changed
    audited_by_operations: frozenset[str] = frozenset()
    #: audit every opening of a record's details or edit page (personal data), not only confidential text
    audit_views = False

    # --- field-level rules --------------------------------------------------------------------
    def render(self, template, **kwargs):
        """Hide what the user may not read; record each opening of a record (after rendering it,
        so the commit does not make the page load its objects again)."""
        if isinstance(kwargs.get("count"), int) and kwargs["count"] > COUNT_CAP:  # a capped count says so
            kwargs["count"] = _("more than %(n)s", n=format_number(COUNT_CAP))
        model = kwargs.get("model")
        viewed = None
        if model is not None and template in (self.details_template, self.details_modal_template):
            hidden = access.hidden_fields(db.session, current_user, self.model, model)
            kwargs["details_columns"] = [(name, label) for name, label in kwargs["details_columns"] if name not in hidden]
            viewed = (model, hidden)
        elif template in (self.edit_template, self.edit_modal_template) and request.method == "GET":
            form = kwargs.get("form")
            obj = getattr(form, "_obj", None) if form is not None else None
            if obj is not None:
                viewed = (obj, access.hidden_fields(db.session, current_user, self.model, obj))
        if viewed is None:
            return super().render(template, **kwargs)
        obj, hidden = viewed
        entry = self._audit_view(obj, hidden)
        html = super().render(template, **kwargs)
        if entry is not None:
            db.session.commit()
        return html

    def _audit_view(self, obj, hidden):
        """Add a VIEW entry when the page shows personal data or confidential content (caller commits)."""
        shows_confidential = bool(access.confidential_fields(self.model) - hidden)
        if self.audit_views or shows_confidential:
            return audit.record_for(db.session, AuditAction.VIEW, obj, details={"screen": self.endpoint})
        return None

    def _strip_fields(self, form, hidden):
        for name in hidden:
            if name in form:
                del form[name]
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form._obj = obj
        form = self._strip_fields(form, access.hidden_fields(db.session, current_user, self.model, obj, write=True))
        for name, reason in self._fields_fixed(obj).items():
            if name in form:  # shown, greyed out and not sent: the form keeps the stored value
                field = form[name]
                field.render_kw = {**(field.render_kw or {}), "disabled": True}
                field.description = FIXED_REASONS[reason]
                # nothing is sent for it: "required" would refuse the stored value it keeps
                field.validators = [v for v in field.validators if not isinstance(v, (InputRequired, DataRequired))]
                field.flags.required = False
        return form

    # --- what a save may not change (services/writes.py) ---------------------------------------
    def _fields_fixed(self, obj) -> dict[str, str]:
        """The fields an edit form of ``obj`` shows but does not let change, each with the reason a POST
        changing it anyway is refused: the record's client (fixed at creation), and once the client is
        anonymised their personal fields or the record's free text."""
        fixed = {}
        owner = writes.FIXED_OWNER.get(self.model)
        if owner is not None:
            fixed[owner[0]] = "client_changed"
        if obj is not None:
            client = obj if isinstance(obj, Client) else writes.owner_client(obj)
            if client is not None and client.anonymised_at is not None:
                names = writes.PERSONAL_FIELDS if obj is client else writes.FREE_TEXT_FIELDS.get(self.model, ())
                fixed.update({name: "client_anonymised" for name in names})
        return fixed

    def get_edit_form(self):
        """The edit form with the record's version (a hidden field) for models that have one."""
        form_class = super().get_edit_form()
        if "version" in sa.inspect(self.model).columns:
            form_class = type(form_class.__name__, (form_class,), {"version": VersionField()})
        return form_class

    def _refused_in_post(self, model) -> writes.RefusedWrite | None:
        """A posted value for a field the form does not send (a crafted form, a script): a moved client
        or text for an anonymised client. Equal or empty values change nothing and pass."""
        for name, reason in self._fields_fixed(model).items():
            if name not in request.form:
                continue
            raw = request.form.get(name, "").strip()
            if reason == "client_changed":
                relation, column = writes.FIXED_OWNER[self.model]
                if raw != str(getattr(model, column) or ""):
                    return writes.RefusedWrite(writes.MOVED, field=name, reason=reason)
            elif raw:
                return writes.RefusedWrite(writes.ANONYMISED_TEXT, field=name, reason=reason)
        return None

    def validate_form(self, form):
        """An edit that moves the record to another client or writes to an anonymised client is refused
        before anything else (also when the other client is one the user may not see): a message at
        the field and at the top, a refused write in the audit trail, the form shown again."""
        obj = getattr(form, "_obj", None)
        if obj is not None and request.method == "POST":
            refused = self._refused_in_post(obj)
            if refused is not None:
                g._poradna_refused = refused
                flash(str(refused.message), "error")
                if refused.field in form:
                    form[refused.field].errors = [str(refused.message)]
                self._audit_refusal(obj, "edit")
                return False
        return super().validate_form(form)

    def update_model(self, form, model):
        """Save an edit unless it comes from a form older than the record (refused with a message; the
        form is shown again with what was typed) or the services refuse it."""
        if "version" in form and form.version.data != model.version:
            flash(str(STALE), "error")
            return False
        saved = super().update_model(form, model)
        self._audit_refusal(model, "edit")
        return saved

    def create_model(self, form):
        created = super().create_model(form)
        self._audit_refusal(None, "create")
        return created

    def _audit_refusal(self, model, view: str) -> None:
        """Record a refused write (:class:`services.writes.RefusedWrite`) in the audit trail: the screen,
        the reason and the field, never the values."""
        refused = g.pop("_poradna_refused", None)
        if refused is None or not current_user.is_authenticated:
            return
        details = {"screen": self.endpoint, "view": view, "refused": refused.reason}
        if refused.field:
            details["fields"] = [refused.field]
        if model is not None:
            audit.record_for(db.session, AuditAction.DENIED, model, details=details)
        else:
            audit.record(db.session, AuditAction.DENIED, entity=getattr(self.model, "__tablename__", None), details=details)
        db.session.commit()

    def check_model(self, form, model, is_created):
        """Apply the services' rules before saving; raise :class:`ServiceError` to refuse."""

    def on_model_change(self, form, model, is_created):
        changed = None if is_created else audit.changed_fields(model)
        with db.session.no_autoflush:  # judge access on saved data; a bad value is the service's to report
            self.apply_rules(form, access.check_write, db.session, current_user, model, changed)
        self.apply_rules(form, self.check_model, form, model, is_created)
        db.session.flush()
        if self.audit_changes:
            if is_created:
                audit.record_for(db.session, AuditAction.CREATE, model)
            else:
                changed = [name for name in changed if name not in self.audited_by_operations]
                if changed:
                    audit.record_for(db.session, AuditAction.UPDATE, model, details={"fields": changed})

    def delete_model(self, model):
        """Deleting needs the right to write the record, not only to read it: otherwise an audited 403."""
        if not access.can_delete(db.session, current_user, model):
            deny(self.endpoint, model, details={"view": "delete"})
        return super().delete_model(model)

    def on_model_delete(self, model):
        if not access.can_delete(db.session, current_user, model):
            raise ServiceError(_l("Only the client's own social worker may delete this record."))
        if self.audit_changes:
            audit.record_for(db.session, AuditAction.DELETE, model)

    def apply_rules(self, form, func, *args, **kwargs):
        """Run a service rule; a :class:`ServiceError` is also shown at its form field, then re-raised."""
        try:
            return func(*args, **kwargs)
        except ServiceError as exc:
            if exc.field and form is not None and exc.field in form:
                field = form[exc.field]
                field.errors = list(field.errors or []) + [str(exc.message)]
            raise

    # --- display helpers ----------------------------------------------------------------------
    def create_form(self, obj=None):
        """A new record's worker is the person creating it, when they are a social worker."""
        form = self._strip_fields(
            super().create_form(obj), access.hidden_fields(db.session, current_user, self.model, None, write=True)
        )
        if request.method == "GET" and "worker" in form and form.worker.data is None:
            if current_user.has_role(Role.WORKER):
                form.worker.data = current_user._get_current_object()
        return form

    def get_empty_list_message(self):
        return _("There are no records yet.")

    def get_save_return_url(self, model, is_created=False):
        return self.get_url(".details_view", id=model.id) if self.can_view_details else super().get_save_return_url(model, is_created)
