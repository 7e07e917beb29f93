"""Validators with the project's own translated messages, and the services' rules of one field checked
with the form's other fields (:class:`FieldRule`).

WTForms' ``NumberRange`` says "Number must be between %(min)s and %(max)s.", and its Czech catalog
leaves the English "and" in it ("Hodnota čísla má být mezi 0 and 1440"). Every number field of the
application uses :class:`NumberRange` from here instead, which tells the person what to type.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import validators


class NumberRange(validators.NumberRange):
    """WTForms' ``NumberRange`` with a natural message in the page's language."""

    def __init__(self, min=None, max=None, message=None):  # noqa: A002 - WTForms' own argument names
        if message is None:
            if min is not None and max is not None:
                message = _l("Enter a number from %(min)s to %(max)s.")
            elif min is not None:
                message = _l("Enter a number of at least %(min)s.")
            else:
                message = _l("Enter a number of at most %(max)s.")
        super().__init__(min=min, max=max, message=message)  # WTForms fills in the bounds


class FieldRule:
    """A service's rule of one field (``rule(value)`` → the message, or None), checked as the form's other
    fields are: a form shows every error at once, not the service's first one on a second try."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        problem = self.rule(field.data)
        if problem is not None:
            raise validators.ValidationError(str(problem))
