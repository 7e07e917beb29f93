"""Edit and create forms written in Python: the same HTML as Flask-Admin's ``lib.render_form_fields``.

Flask-Admin renders every field of a form through the Jinja macro ``render_field`` (bootstrap4
``admin/lib.html``): a label, the widget, its errors or description, around a dozen tests of the
field each. An appointment form has sixteen fields; the macros took a third of the page. This writes
the same markup (tests/admin_views/test_form_rendering.py compares the two for every form) and leaves
the widgets themselves to WTForms.
"""
from __future__ import annotations

from flask_admin import helpers as admin_helpers
from jinja2 import pass_context
from markupsafe import Markup, escape


def _field_html(field, kwargs: dict) -> str:
    """``render_field(form, field, kwargs)`` of Flask-Admin's bootstrap4 ``lib.html``."""
    direct_error = admin_helpers.is_field_error(field.errors)
    prepend = kwargs.pop("prepend", None)
    append = kwargs.pop("append", None)
    input_type = getattr(field.widget, "input_type", None)
    checkbox = input_type == "checkbox"
    out = [f'<div class="form-group {escape(kwargs.get("column_class", ""))}">',
           f'<label for="{escape(field.id)}" class="col-form-label {"d-block mb-0" if checkbox else ""}">',
           str(escape(field.label.text)),
           ' <strong class="text-danger">&#42;</strong>' if admin_helpers.is_required_form_field(field) else " &nbsp;",
           "</label>"]
    if prepend or append:
        out.append('<div class="input-group">')
        if prepend:
            out.append(f'<div class="input-group-prepend">{escape(prepend)}</div>')
    if checkbox:
        kwargs.setdefault("class", "")
    elif input_type == "file":
        kwargs.setdefault("class", "form-control-file")
    else:
        kwargs.setdefault("class", "form-control")
    if direct_error:
        kwargs["class"] = kwargs["class"] + " is-invalid"
    out.append(str(field(**kwargs)))
    if append:
        out.append(f'<div class="input-group-append">{escape(append)}</div>')
    if direct_error:
        out.append(f'<div class="invalid-feedback"><ul class="form-text text-danger {"mt-0" if checkbox else ""}">')
        out.extend(f"<li>{escape(error)}</li>" for error in field.errors if isinstance(error, str))
        out.append("</ul></div>")
    elif field.description:
        out.append(f'<small class="form-text text-muted {"mt-0" if checkbox else ""}">{field.description}</small>')
    if prepend or append:
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


class FormRenderingMixin:
    """``form_fields_html``, which the edit and create templates call instead of Flask-Admin's macros."""

    @pass_context
    def form_fields_html(self, context, form, form_opts=None) -> Markup | None:
        """``lib.render_form_fields(form, form_opts)`` as HTML, or None when the form has rules (the
        template then renders it as Flask-Admin does)."""
        if form_opts is not None and getattr(form_opts, "form_rules", None):
            return None
        out = []
        if hasattr(form, "hidden_tag"):
            out.append(str(form.hidden_tag()))
        else:
            csrf_token = context.resolve_or_missing("csrf_token")
            if callable(csrf_token):
                out.append(f'<input type="hidden" name="csrf_token" value="{escape(csrf_token())}"/>')
            out.extend(str(f()) for f in form if getattr(f.widget, "input_type", None) == "hidden")
        widget_args = form_opts.widget_args if form_opts is not None and form_opts.widget_args else {}
        for f in form:
            if getattr(f.widget, "input_type", None) == "hidden":
                continue
            out.append(_field_html(f, dict(widget_args.get(f.short_name, {}))))
        return Markup("".join(out))
