"""What a user typed (a name, phone digits, a client code) enters a statement as a named parameter
whose value comes with the execution, never as a value inside the statement.

The engine keeps every compiled statement, keyed by its shape, for as long as the process lives; the
key and the compiled statement hold the bound parameter objects of the first statement of that shape,
values included. A parameter built without a value (``sa.bindparam(name)``) leaves only its name
there: the value travels with one execution (``Session.execute(statement, params)``) and is gone with
it (issue 18: nothing derived from a request outlives it). So searches keep the statement cache, and
no search term is kept by it (tests/admin_views/test_nothing_kept.py).

Not ``Query.params()`` nor ``Select.params()``: those put the values into the statement itself (its
``_params``, part of the cached key and kept with the compiled statement) — hence :func:`execute`.
"""
from __future__ import annotations

import sqlalchemy as sa

#: every typed parameter's name starts so: SQLAlchemy names its own parameters after their columns
#: ("search_key_1"), which a name of ours must never meet
PREFIX = "typed_"


def execute(query, params: dict):
    """An ORM query's statement executed with ``params`` (``Query.all()`` would take them from
    ``Query.params()``, inside the statement): a ``Result`` — ``.scalars()`` for a query of one entity."""
    return query.session.execute(query.statement, params)


class Typed:
    """The typed values of one statement: :meth:`bind` gives the statement a parameter and keeps its
    value in :attr:`params`, which every execution of the statement passes."""

    def __init__(self):
        self.params: dict = {}

    def bind(self, name: str, value, type_=None, expanding: bool = False):
        """A parameter named ``typed_<name>`` (one name per value of a statement; the same for every
        statement of the same shape, so that they share one compiled statement) standing for ``value``."""
        name = PREFIX + name
        if name in self.params:
            raise ValueError(f"{name} is bound twice in one statement")
        self.params[name] = value
        return sa.bindparam(name, type_=type_ if type_ is not None else sa.String(), expanding=expanding)
