"""Form fields for the centre's conventions: local time, translated enums, code lists."""
from __future__ import annotations

from datetime import datetime

from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import fields, widgets
from wtforms.validators import ValidationError

from services.timeutil import local_to_utc, to_local


def _option(value, label, selected) -> str:
    return f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label or value)}</option>'


def _plain_options(field, multiple: bool) -> list[str] | None:
    """The options of a select whose choices are a plain list of ``(value, label)`` pairs, or of a
    Flask-Admin query select, written straight from its values: the same HTML (and the same
    ``selected`` test) as WTForms' ``iter_choices``, without a Choice object, a second parse of the
    choices for ``has_groups`` or — for a query select — a deprecation warning per option.
    ``None`` for anything else (groups, ``render_kw``, booleans), which WTForms renders itself."""
    if isinstance(field, QuerySelectField):
        data = field.data
        kept = _kept_pairs(field)
        if kept is not None:  # the same rows for everyone: their ids and labels kept, the choice marked
            if multiple:
                chosen = {field.get_pk(obj) for obj in data or ()}
            else:
                chosen = {field.get_pk(data)} if data is not None else set()
            html = [_option("__None", field.blank_text, data is None)] if field.allow_blank and not multiple else []
            return html + _marked(kept, chosen)
        get_label = field.get_label
        if multiple:
            data = data or ()
            return [_option(pk, get_label(obj), obj in data) for pk, obj in field._get_object_list()]
        html = [_option("__None", field.blank_text, data is None)] if field.allow_blank else []
        html += [_option(pk, get_label(obj), obj == data) for pk, obj in field._get_object_list()]
        return html
    if not isinstance(field, fields.SelectField):
        return None
    choices = field.choices
    if not isinstance(choices, list):
        return None
    coerce, data = field.coerce, field.data
    try:
        rendered = _rendered_choices(tuple(choices), coerce)
    except (TypeError, ValueError):  # not plain pairs, or a value its coerce refuses: WTForms' way
        rendered = None
    if rendered is None:
        return None
    options, index = rendered
    try:
        if multiple:
            chosen = {index[value] for value in data or () if value in index}
        else:
            chosen = {index[data]} if data in index else set()
    except TypeError:  # an unhashable value
        return None
    return _marked(options, chosen, by_position=True)


#: plain choice lists rendered once: (locale, choices, coerce) -> (each option's unselected and selected HTML,
#: coerced value -> position). Countries have ~250 options; enum and code lists are the same every time.
_RENDERED: dict = {}
_KEPT_LIMIT = 512


def _rendered_choices(choices: tuple, coerce):
    from flask_babel import get_locale

    key = (str(get_locale()), choices, coerce)  # labels may be lazy: their text depends on the locale
    found = _RENDERED.get(key)
    if found is not None:
        return found
    options, index = [], {}
    for position, choice in enumerate(choices):
        if type(choice) is not tuple or len(choice) != 2 or isinstance(choice[0], bool):
            return None
        value, label = choice
        options.append((_option(value, label, False), _option(value, label, True)))
        index.setdefault(coerce(value), position)  # WTForms marks each equal one; the first is enough here
    if len(_RENDERED) >= _KEPT_LIMIT:
        _RENDERED.clear()
    _RENDERED[key] = found = (options, index)
    return found


def _marked(options, chosen, by_position=False) -> list[str]:
    """The options' HTML with the chosen ones (positions, or ids for kept rows) selected."""
    if by_position:
        return [pair[1] if position in chosen else pair[0] for position, pair in enumerate(options)]
    return [selected if pk in chosen else plain for pk, plain, selected in options]


def kept_choices(factory):
    """Mark a query factory whose rows are the same for every user and change rarely (staff, offices,
    topics): the selects built on it show ids and labels kept per process
    (:func:`admin_views.fragments.kept`), not a query and a row object per option on every form.
    A submitted form is still checked against the rows read afresh."""
    factory.poradna_kept = True
    return factory


def _kept_pairs(field):
    """The kept ``(id, unselected HTML, selected HTML)`` of each option of a query select on a kept
    factory, or None for any other query select."""
    factory = field.query_factory
    if field.query is not None or not getattr(factory, "poradna_kept", False):
        return None
    probe = object()
    if field.get_label(probe) is not probe:  # a label of its own: not the shared one
        return None
    from admin_views import fragments

    def read():
        return [(pk, _option(pk, obj, False), _option(pk, obj, True)) for pk, obj in
                ((str(field.get_pk(obj)), obj) for obj in factory())]

    return fragments.kept(("select", factory.__module__, factory.__qualname__), read)


class FastSelect(widgets.Select):
    """WTForms' select with the same HTML, each plain option written directly rather than through
    ``html_params`` (a country list has some 250 options; an edit form spent half its time on them)."""

    def __call__(self, field, **kwargs):
        options = _plain_options(field, self.multiple)
        if options is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", None)
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        return Markup(f"<select {widgets.html_params(name=field.name, **kwargs)}>{''.join(options)}</select>")

    @classmethod
    def render_option(cls, choice, **kwargs):
        value = choice.value
        if kwargs or choice.render_kw or isinstance(value, bool):
            return super().render_option(choice, **kwargs)
        return Markup(_option(value, choice.label, choice.selected))

    @classmethod
    def _dispatch_render_option(cls):
        return cls.render_option  # the 3.3 signature (WTForms would inspect it on every render)


class FastSelect2(FastSelect):
    """Flask-Admin's Select2 widget (the same attributes) on :class:`FastSelect`: the staff, office and
    topic selects of the edit forms."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("data-role", "select2")
        if getattr(field, "allow_blank", False) and not self.multiple:
            kwargs["data-allow-blank"] = "1"
        return super().__call__(field, **kwargs)


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

    def populate_obj(self, obj, name):
        """The codes kept keep their recorded order, new ones follow in the order sent (a select sends
        its options' order, not the order they were picked in): a client's first language stays first."""
        before = [getattr(v, "value", v) for v in (getattr(obj, name, None) or [])]
        chosen = list(self.data or [])
        setattr(obj, name, [c for c in before if c in chosen] + [c for c in chosen if c not in before])
