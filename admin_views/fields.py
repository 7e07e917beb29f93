"""Form fields for the centre's conventions: local time, translated enums, code lists."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import fields, widgets
from wtforms.validators import ValidationError

from services.timeutil import local_to_utc, to_local


class LocalDateTimeField(fields.DateTimeLocalField):
    """A date and time typed in the centre's zone, stored as UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return to_local(self.data).strftime("%Y-%m-%dT%H:%M")
        return ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        if not text:
            self.data = None
            return
        for fmt in self.strptime_format:
            try:
                self.data = local_to_utc(datetime.strptime(text, fmt))
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(self.gettext("Not a valid datetime value."))


class DateField(fields.DateField):
    """An HTML5 date input (keyboard-friendly, no script)."""

    widget = widgets.DateInput()


class EnumSelectField(fields.SelectField):
    """A select of a :class:`LabeledEnum`'s members showing translated titles."""

    def __init__(self, label=None, validators=None, enum_class=None, allow_blank=False, **kwargs):
        self.enum_class = enum_class
        self.allow_blank = allow_blank

        def choices():
            items = enum_class.choices()
            return ([("", str(_l("— not given —")))] + items) if allow_blank else items

        kwargs.pop("coerce", None)
        super().__init__(label, validators, coerce=enum_class.coerce, choices=choices, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except ValueError as exc:
                self.data = None
                raise ValueError(self.gettext("Not a valid choice.")) from exc

    def pre_validate(self, form):
        # WTForms reports only a ValidationError as a message at the field (a ValueError here is a 500)
        if self.process_errors:
            return  # a tampered value: process_formdata already said so
        if self.data is None:
            if not self.allow_blank:
                raise ValidationError(self.gettext("Not a valid choice."))
            return
        if self.data not in list(self.enum_class):
            raise ValidationError(self.gettext("Not a valid choice."))


class CodeListField(fields.SelectMultipleField):
    """Several codes from a list (roles, languages); choices may be a callable."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", [])
        kwargs.setdefault("coerce", str)
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        super().process_data([getattr(v, "value", v) for v in (value or [])])

    def populate_obj(self, obj, name):
        """The codes kept keep their recorded order, new ones follow in the order sent (a select sends
        its options' order, not the order they were picked in): a client's first language stays first."""
        before = [getattr(v, "value", v) for v in (getattr(obj, name, None) or [])]
        chosen = list(self.data or [])
        setattr(obj, name, [c for c in before if c in chosen] + [c for c in chosen if c not in before])
