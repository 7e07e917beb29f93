"""Form fields for the centre's conventions: local time, translated enums, code lists."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import fields, widgets
from wtforms.validators import ValidationError

from services.timeutil import local_to_utc, to_local


class FastSelect(widgets.Select):
    """WTForms' select with the same HTML, each plain option written directly rather than through
    ``html_params`` (a country list has some 250 options; an edit form spent half its time on them)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        value = choice.value
        if kwargs or choice.render_kw or isinstance(value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{escape(choice.label or value)}</option>')

    @classmethod
    def _dispatch_render_option(cls):
        return cls.render_option  # the 3.3 signature (WTForms would inspect it on every render)


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

    widget = FastSelect()

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

    widget = FastSelect(multiple=True)

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", [])
        kwargs.setdefault("coerce", str)
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        super().process_data([getattr(v, "value", v) for v in (value or [])])
