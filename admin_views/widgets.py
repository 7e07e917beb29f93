"""Select widgets whose options are written by a template.

WTForms' ``Select`` writes each option in Python through ``html_params`` (a sorted dict, an escaped
and formatted attribute each, a ``Markup`` per step): about 140 function calls an option, and the
forms of a client or a visit carry the 257 countries, the 54 languages and the 50 social workers.
These widgets keep WTForms' own attributes of the ``<select>`` (``html_params``) and hand the
options to templates/admin/widgets/select.html, rendered as Flask-Admin renders its template
widgets (``RenderTemplateWidget``): the same HTML, option for option.
"""
from __future__ import annotations

from flask import current_app
from flask_admin.form import Select2Widget
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import html_params


class TemplateSelect(widgets.Select):
    """WTForms' select (attributes, flags, ``multiple``) with its options written by a template."""

    template = "admin/widgets/select.html"

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:  # as WTForms: the flags the field has, unless given
            if name not in kwargs and name in dir(flags):
                kwargs[name] = getattr(flags, name)
        template = current_app.jinja_env.get_template(self.template)
        # the template escapes what it writes (autoescape), so its output is markup as WTForms' is
        return Markup(template.render(field=field, attributes=html_params(name=field.name, **kwargs), widget=self))

    @staticmethod
    def option_attributes(value, selected, render_kw) -> str:
        """An option's attributes when it has attributes of its own (``render_kw``), merged as WTForms merges them."""
        options = {"value": value, **(render_kw or {})}
        if selected:
            options["selected"] = True
        return html_params(**options)


class TemplateSelect2(Select2Widget, TemplateSelect):
    """Flask-Admin's Select2 select (its ``data-role`` and blank marker) with the options of :class:`TemplateSelect`."""
