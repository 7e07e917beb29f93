"""The input rules every form of the application keeps, whatever its fields.

No submitted value may hold a control character (a NUL byte, an escape; multi-line text may hold
line breaks and tabs), and no whole number may leave the range of the database's integer columns:
PostgreSQL refuses both with an error, SQLite would store them. The check runs before the fields'
own validators (they may ask the database) and marks the offending field with a clear, translated
message, so the page shows the form again with everything that was typed.

:class:`PoradnaForm` is the base of the custom pages' forms (sign-in, the case file, the desk, the
account page); Flask-Admin's model forms get the same check through :class:`AdminForm`, and fields
for the project's own column types through :class:`PoradnaConverter`.
"""
from __future__ import annotations

from babel import support
from flask import current_app, has_request_context
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import BaseForm
from flask_admin.model.form import converts
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf import i18n as flask_wtf_i18n
from wtforms import fields
from wtforms.fields import HiddenField
from wtforms.i18n import messages_path
from wtforms.validators import Length

from admin_views.adapters import ConverterHooks
from admin_views.fields import CodeListField, DateField, EnumSelectField, LocalDateTimeField
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


def visible_lookup(field) -> None:
    """An ajax lookup (a client chosen by code, name or phone) on a text input rather than Flask-Admin's
    hidden one: its label may only name a control a person can reach (Select2 puts its own box in the
    input's place and keeps the chosen id in it either way). No ``required`` on it: the browser would
    stop the form at an input it has hidden; the field's rule is checked when the form is sent."""
    from flask_admin.model.fields import AjaxSelectField

    if isinstance(field, AjaxSelectField):
        field.render_kw = {**(field.render_kw or {}), "type": "text", "required": False}


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
            visible_lookup(field)

    def validate(self, extra_validators=None):
        if not input_errors(self):
            return False
        return super().validate(extra_validators=extra_validators)


class TranslatedMeta(FlaskForm.Meta):
    """Flask-WTF's form options with WTForms' messages in the project's natural wording
    (:class:`WTFormsTranslations`: WTForms' catalog with translations/*/wtforms.po over it), read once
    per language: the custom pages' forms and Flask-Admin's alike."""

    def get_translations(self, form):
        translations = super().get_translations(form)
        if translations is flask_wtf_i18n.translations and has_request_context() and "babel" in current_app.extensions:
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


class WTFormsTranslations:
    """WTForms' own messages ("Not a valid choice", "This field is required.") in the user's language:
    WTForms' catalog with the project's natural wording over it (translations/*/LC_MESSAGES/wtforms.po:
    WTForms' Czech lacks the plural for five and more characters and says "mezi 0 and 1440").

    Flask-WTF reads and parses WTForms' catalog from disk for every request that builds a form; a
    compiled catalog is the same for every request, so each is read once per locale and kept."""

    def __init__(self):
        self._catalogs: dict[str, support.Translations] = {}

    def _get(self):
        locale = get_locale()
        key = str(locale)
        catalog = self._catalogs.get(key)
        if catalog is None:
            from admin_views import catalogs

            catalog = self._catalogs[key] = catalogs.layered_catalog([messages_path(), catalogs.project_dir()], locale,
                                                                     "wtforms")
        return catalog

    def gettext(self, string):
        return self._get().ugettext(string)

    def ngettext(self, singular, plural, n):
        return self._get().ungettext(singular, plural, n)


wtforms_translations = WTFormsTranslations()


class AdminForm(CleanInput, BaseForm):
    """Flask-Admin's form with Flask-WTF's CSRF (also for delete and action forms) and the application's
    input rules (no control characters, numbers within the columns' range)."""

    Meta = TranslatedMeta  # WTForms' messages in natural Czech and English


class PoradnaConverter(ConverterHooks, AdminModelConverter):
    """Model → form conversion for the project's own column types."""

    def select_field_args(self, multiple: bool, kwargs: dict) -> dict:
        """A related record's select: an unchosen single choice reads "— not given —" (not an empty
        option, whose value is "__None")."""
        if not multiple:
            kwargs.setdefault("blank_text", _l("— not given —"))
        return kwargs

    @converts("Text")
    def conv_long_text(self, column, field_args, **extra):
        """Long text (notes, issues, goals) refused past :func:`services.inputs.text_limit` on the form,
        as the case file's forms and the flush check (services/writes.py) refuse it."""
        field_args["validators"].append(Length(max=inputs.text_limit(column)))
        return super().conv_Text(column=column, field_args=field_args, **extra)

    @converts("UTCDateTime")
    def conv_utc_datetime(self, field_args, **extra):
        return LocalDateTimeField(**field_args)

    @converts("Date")
    def convert_date(self, field_args, **extra):
        return DateField(**field_args)

    @converts("EnumText")
    def conv_enum_text(self, column, field_args, **extra):
        field_args.pop("filters", None)
        return EnumSelectField(enum_class=column.type.enum_class, allow_blank=column.nullable, **field_args)

    @converts("CodeList")
    def conv_code_list(self, column, field_args, **extra):
        field_args["validators"] = [v for v in field_args.get("validators", []) if not v.__class__.__name__ == "InputRequired"]
        field_args.pop("filters", None)
        return CodeListField(**field_args)
