"""List filters: enums by their translated labels, timestamps by the centre's calendar days, code
lists by one code, and relations by one choice list each (staff, public offices, topics).

Flask-Admin's own relation filters expose every column of the related table (a worker's email, even
the password hash); the ones here offer exactly one choice list each.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l

from admin_views.common import active_offices, active_topics, social_workers
from extensions import db
from models import Topic, Worker
from services import inputs
from services.timeutil import local_day_bounds


class EnumEqualFilter(sqla_filters.BaseSQLAFilter):
    static_options = True  # the enum's members: the same choices on every request (per locale)

    def __init__(self, column, name, enum_class, **kwargs):
        kwargs.pop("options", None)
        super().__init__(column, name, options=enum_class.choices, **kwargs)
        self.enum_class = enum_class

    def validate(self, value):
        try:
            self.enum_class(value)
            return True
        except ValueError:
            return False

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) == self.enum_class(value))

    def operation(self):
        return _l("equals")


class EnumNotEqualFilter(EnumEqualFilter):
    def apply(self, query, value, alias=None):
        column = self.get_column(alias)
        return query.filter(sa.or_(column != self.enum_class(value), column.is_(None)))

    def operation(self):
        return _l("not equal")


class LocalDayFilter(sqla_filters.DateEqualFilter):
    """On a calendar day in the centre's zone, for a UTC timestamp column."""

    def apply(self, query, value, alias=None):
        start, end = local_day_bounds(value)
        column = self.get_column(alias)
        return query.filter(column >= start, column < end)


class LocalFromFilter(sqla_filters.DateGreaterFilter):
    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) >= local_day_bounds(value)[0])

    def operation(self):
        return _l("from")


class LocalUntilFilter(sqla_filters.DateSmallerFilter):
    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) < local_day_bounds(value)[1])

    def operation(self):
        return _l("until")


class LocalBetweenFilter(sqla_filters.DateBetweenFilter):
    def apply(self, query, value, alias=None):
        start, end = local_day_bounds(value[0])[0], local_day_bounds(value[1])[1]
        column = self.get_column(alias)
        return query.filter(column >= start, column < end)


class CodeListContainsFilter(sqla_filters.BaseSQLAFilter):
    """A comma-separated code list contains one code."""

    def apply(self, query, value, alias=None):
        column = sa.type_coerce(self.get_column(alias), sa.String)
        code = (value or "").strip().lower()
        return query.filter(sa.or_(column == code, column.like(f"{code},%"), column.like(f"%,{code}"), column.like(f"%,{code},%")))

    def operation(self):
        return _l("includes")


class PoradnaFilterConverter(sqla_filters.FilterConverter):
    @sqla_filters.filters.convert("enumtext")
    def conv_enum_text(self, column, name, **kwargs):
        enum_class = column.type.enum_class
        return [EnumEqualFilter(column, name, enum_class, **kwargs), EnumNotEqualFilter(column, name, enum_class, **kwargs)]

    @sqla_filters.filters.convert("utcdatetime")
    def conv_utc_datetime(self, column, name, **kwargs):
        return [f(column, name, **kwargs) for f in (LocalDayFilter, LocalFromFilter, LocalUntilFilter, LocalBetweenFilter)]

    @sqla_filters.filters.convert("codelist")
    def conv_code_list(self, column, name, **kwargs):
        return [CodeListContainsFilter(column, name, **kwargs)]




class _IdChoiceFilter(sqla_filters.BaseSQLAFilter):
    def get_options(self, view):
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
