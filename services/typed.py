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

import itertools

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

    def bind_values(self, condition, name: str):
        """``condition``, made for this statement alone (e.g. by a library's list filter), with every
        value it holds bound as a parameter instead: ``typed_<name>_0``, ``_1``… in the order
        SQLAlchemy walks it, the same for every condition of the same shape.

        The copy SQLAlchemy makes of ``condition`` remembers the original (what it is a clone of), so
        the original's parameters are emptied too: they must be this condition's own, never shared."""
        count = itertools.count()
        originals = []

        def parameter(element):
            if isinstance(element, sa.sql.elements.BindParameter) and not element.required:
                originals.append(element)
                return self.bind(f"{name}_{next(count)}", element.effective_value, element.type, element.expanding)
            return None

        bound = sa.sql.visitors.replacement_traverse(condition, {}, parameter)
        for original in originals:
            original.value = None
        return bound
