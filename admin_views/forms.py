"""The input rules every form of the application keeps, whatever its fields.

No submitted value may hold a control character (a NUL byte, an escape; multi-line text may hold
line breaks and tabs), and no whole number may leave the range of the database's integer columns:
PostgreSQL refuses both with an error, SQLite would store them. The check runs before the fields'
own validators (they may ask the database) and marks the offending field with a clear, translated
message, so the page shows the form again with everything that was typed.

:class:`PoradnaForm` is the base of the custom pages' forms (sign-in, the case file, the desk, the
account page); Flask-Admin's model forms get the same check through ``admin_views.base.AdminForm``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import fields
from wtforms.fields import HiddenField

from services import inputs

CONTROL_CHARACTERS = _l("This field contains control characters (such as a NUL byte) that cannot be saved. Remove them.")
NUMBER_OUT_OF_RANGE = _l("This number is too large to be saved.")

#: selects of one choice (WTForms' and Flask-Admin's query selects)
_SELECTS = (fields.SelectFieldBase,)
#: fields whose text may span several lines (line breaks and tabs are allowed there)
_MULTILINE = (fields.TextAreaField,)


def _leaf_fields(form):
    for field in form:
        if isinstance(field, fields.FormField):
            yield from _leaf_fields(field.form)
        elif isinstance(field, fields.FieldList):
            for entry in field.entries:
                if isinstance(entry, fields.FormField):
                    yield from _leaf_fields(entry.form)
                else:
                    yield entry
        else:
            yield field


def input_errors(form) -> bool:
    """Add an error to every field of ``form`` holding a control character or an out-of-range
    number; True when there was none."""
    clean = True
    for field in _leaf_fields(form):
        values = [v for v in (getattr(field, "raw_data", None) or ()) if isinstance(v, str)]
        if isinstance(field.data, str):
            values.append(field.data)
        multiline = isinstance(field, _MULTILINE)
        if any(inputs.has_control_characters(value, multiline=multiline) for value in values):
            _add_error(field, CONTROL_CHARACTERS)
            clean = False
            continue
        if isinstance(field, fields.IntegerField) and isinstance(field.data, int) \
                and not inputs.MIN_INT <= field.data <= inputs.MAX_INT:
            _add_error(field, NUMBER_OUT_OF_RANGE)
            clean = False
    return clean


def unrequire_select(field) -> None:
    """A single-choice select without the browser's ``required`` attribute: HTML allows it only on a select
    whose first option is an empty placeholder, and a select always sends one of its options anyway. The
    field's own rule (a choice must be made) is still checked when the form is sent."""
    if isinstance(field, _SELECTS) and not getattr(field.widget, "multiple", False) \
            and getattr(field.flags, "required", False):
        field.render_kw = {**(field.render_kw or {}), "required": False}


def _add_error(field, message) -> None:
    errors = field.errors if isinstance(field.errors, list) else list(field.errors or [])
    text = str(message)
    if text not in errors:
        errors.append(text)
    field.errors = errors


class CleanInput:
    """A form mixin: :func:`input_errors` before the fields' own validation, which does not run when it
    finds a problem (a validator such as Flask-Admin's ``Unique`` would send the value to the database)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in _leaf_fields(self):
            unrequire_select(field)

    def validate(self, extra_validators=None):
        if not input_errors(self):
            return False
        return super().validate(extra_validators=extra_validators)


class TranslatedMeta(FlaskForm.Meta):
    """Flask-WTF's form options with WTForms' messages in the project's natural wording
    (:class:`admin_views.fragments.WTFormsTranslations`: WTForms' catalog with translations/*/wtforms.po
    over it), read once per language."""

    def get_translations(self, form):
        from flask import current_app, has_request_context
        from flask_wtf import i18n

        translations = super().get_translations(form)
        if translations is i18n.translations and has_request_context() and "babel" in current_app.extensions:
            from admin_views.fragments import wtforms_translations

            return wtforms_translations
        return translations


class PoradnaForm(CleanInput, FlaskForm):
    """Flask-WTF's form (CSRF) with the application's input rules."""

    Meta = TranslatedMeta


class VersionField(HiddenField):
    """The version a record had when its edit form was loaded (``version``, SQLAlchemy's
    ``version_id_col``): sent back with the form and compared with the stored one, never written to
    the record (admin_views/base.py refuses a save from an older version)."""

    def process_formdata(self, valuelist):
        self.data = inputs.to_int(valuelist[0], 0, inputs.MAX_INT) if valuelist else None

    def populate_obj(self, obj, name):
        pass  # the database raises the version; the form only says which one it saw
