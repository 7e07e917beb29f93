"""Ajax lookups of a form's related records (a client, a worker) that only find what the user may see."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_login import current_user

from extensions import db
from services import access, inputs, typed
from services.typed import Typed


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """An ajax lookup that only finds what the user may see, a few rows at a time."""

    def __init__(self, name, model, *, fields, order_by=None, prefix_fields=(), joins=(), conditions=(), **options):
        options.setdefault("minimum_input_length", 1)
        super().__init__(name, db, model, fields=fields, order_by=order_by, **options)
        self.prefix_fields = [getattr(model, f) if isinstance(f, str) else f for f in prefix_fields]
        self.joins = joins
        #: SQL conditions on what the lookup offers (e.g. no anonymised client where nothing new is recorded
        #: for them); a posted id is still found, so that the service says why it is refused
        self.conditions = list(conditions)

    def get_query(self):
        query = db.session.query(self.model)
        for join in self.joins:  # a relation searched by is loaded from the same join (a row's name shows it)
            query = query.join(join).options(sa.orm.contains_eager(join))
        return access.scope(query, self.model, current_user)

    def get_one(self, pk):
        pk = inputs.to_id(pk)  # a POSTed value: not a number, or beyond the ids' range, finds nothing
        if pk is None:
            return None
        return self.get_query().filter(self.model.id == pk).one_or_none()

    #: the deepest an ajax lookup pages (a person scrolls a select through a few dozen results)
    MAX_OFFSET = 10_000

    def get_list(self, term, offset=0, limit=10):
        cap = current_app.config.get("AJAX_LOOKUP_LIMIT", 20)
        limit = inputs.clamp(limit or 10, 1, cap, 10)
        offset = inputs.clamp(offset or 0, 0, self.MAX_OFFSET, 0)
        term = (term or "").strip()
        if not term:
            return []
        # the term as parameters (services/typed.py): the statement, kept compiled, holds none of it
        bound = Typed()
        like = bound.bind("term", "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        conditions = [sa.cast(f, sa.String).ilike(like, escape="\\") for f in self._cached_fields]
        if self.prefix_fields:
            prefix = bound.bind("prefix", term.replace("%", "") + "%")
            conditions += [f.ilike(prefix) for f in self.prefix_fields]
        query = self.get_query().filter(sa.or_(*conditions), *self.conditions)
        order = self.order_by if self.order_by is not None else self.model.id
        query = query.order_by(order, self.model.id).offset(offset).limit(limit)
        return typed.execute(query, bound.params).scalars().all()
