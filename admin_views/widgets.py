"""Form widgets whose HTML is written by templates rather than in Python, option for option and
attribute for attribute as WTForms writes it.

WTForms writes each attribute through ``html_params`` (an escaped, ``Markup.format``-ed string each:
about 80 function calls an attribute) and each option of a select through it again (about 140 calls
an option), and the forms of a client or a visit carry the 257 countries, the 54 languages and the 50
social workers. Here the options are written by templates/admin/widgets/select.html, rendered as
Flask-Admin renders its template widgets (``RenderTemplateWidget``), and the attributes of selects and
inputs by the macro of templates/admin/widgets/attributes.html (the inputs through WTForms' own hook
for it, ``Input.html_params``). The HTML is the same (tests/admin_views/test_select_widget.py).
"""
from __future__ import annotations

from flask import current_app
from flask_admin.form import RenderTemplateWidget, Select2Widget
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets.core import clean_key

ATTRIBUTES = "admin/widgets/attributes.html"


def template_attributes(**kwargs) -> Markup:
    """WTForms' ``html_params`` written by a template: sorted by name, each name as WTForms writes it
    (``class_`` is ``class``, ``data_role`` is ``data-role``), True as the bare name, False left out."""
    items = [(clean_key(name), value) for name, value in sorted(kwargs.items()) if value is not False]
    return current_app.jinja_env.get_template(ATTRIBUTES).module.attributes(items)


class TemplateSelect(widgets.Select, RenderTemplateWidget):
    """WTForms' select (its ``multiple``, its flags as attributes) written by Flask-Admin's template widget
    (``RenderTemplateWidget``, which hands the field to the template): its options through the field's
    public ``iter_choices()`` (``has_groups()``, ``iter_groups()``), its attributes by :func:`template_attributes`."""

    def __init__(self, multiple=False):
        widgets.Select.__init__(self, multiple=multiple)
        RenderTemplateWidget.__init__(self, "admin/widgets/select.html")

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:  # as WTForms: the flags the field has, unless given
            if name not in kwargs and name in dir(flags):
                kwargs[name] = getattr(flags, name)
        # the template escapes what it writes (autoescape), so its output is markup as WTForms' is
        return Markup(RenderTemplateWidget.__call__(self, field, attributes=template_attributes(name=field.name, **kwargs),
                                                    widget=self))

    @staticmethod
    def option_attributes(value, selected, render_kw) -> Markup:
        """An option's attributes when it has attributes of its own (``render_kw``), merged as WTForms merges them."""
        options = {"value": value, **(render_kw or {})}
        if selected:
            options["selected"] = True
        return template_attributes(**options)


class TemplateSelect2(Select2Widget, TemplateSelect):
    """Flask-Admin's Select2 select (its ``data-role`` and blank marker) written as :class:`TemplateSelect` writes it."""


class _TemplateAttributes:
    """WTForms' input widget with its attributes written by :func:`template_attributes` (WTForms' hook)."""

    html_params = staticmethod(template_attributes)


class TextInput(_TemplateAttributes, widgets.TextInput):
    pass


class PasswordInput(_TemplateAttributes, widgets.PasswordInput):
    pass


class HiddenInput(_TemplateAttributes, widgets.HiddenInput):
    pass


class CheckboxInput(_TemplateAttributes, widgets.CheckboxInput):
    pass


class NumberInput(_TemplateAttributes, widgets.NumberInput):
    pass


class DateInput(_TemplateAttributes, widgets.DateInput):
    pass


class DateTimeLocalInput(_TemplateAttributes, widgets.DateTimeLocalInput):
    pass


#: WTForms' input widgets and Flask-Admin's select (as fields declare them, without arguments but ``multiple``)
#: and the same written by templates
INPUTS = {widgets.TextInput: TextInput(), widgets.PasswordInput: PasswordInput(), widgets.HiddenInput: HiddenInput(),
          widgets.CheckboxInput: CheckboxInput(), widgets.NumberInput: NumberInput(), widgets.DateInput: DateInput(),
          widgets.DateTimeLocalInput: DateTimeLocalInput()}
SELECT2 = {False: TemplateSelect2(), True: TemplateSelect2(multiple=True)}


def template_widget_for(field_class):
    """The template widget standing in for ``field_class``'s own (one of WTForms' inputs, Flask-Admin's
    select of related records), or None."""
    widget = getattr(field_class, "widget", None)
    if type(widget) is Select2Widget:
        return SELECT2[bool(widget.multiple)]
    return INPUTS.get(type(widget))
