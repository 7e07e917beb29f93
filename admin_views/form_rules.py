"""Forms laid out for the task: Flask-Admin's form rules (sections, short fields side by side) shared by
the views.

Every field of a form must appear in its rules: a field left out is not rendered, and an edit would
then save it empty. A field may be missing from one form and not another (the access policy takes the
confidential fields out of the form of someone who may not write them; an edit form has no
``worker``; ``confirm_new`` appears only with the possible duplicates): :class:`Optional` renders
nothing for a field the form does not have. Flask-Admin takes every field missing from the rules out
of the form, hidden ones too: :func:`section` and the views' rules end with :class:`Hidden` for the
record's ``version`` (the stale-form check of admin_views/base.py) and the CSRF token.
"""
from __future__ import annotations

from flask_admin.form import rules
from markupsafe import Markup

#: The hidden fields a model form may carry (each written only when the form has it).
HIDDEN = ("version", "csrf_token")


class Optional(rules.Field):
    """A field rendered as Flask-Admin renders it, or nothing when this form does not have it."""

    def __call__(self, form, form_opts=None, field_args=None):
        if getattr(form, self.field_name, None) is None:
            return ""
        return super().__call__(form, form_opts, field_args)


class Hidden(rules.BaseRule):
    """Hidden fields, each written by its own widget, when the form has them (the rules keep them in the form)."""

    def __init__(self, *names: str) -> None:
        super().__init__()
        self.names = names or HIDDEN

    @property
    def visible_fields(self) -> list[str]:
        return list(self.names)

    def __call__(self, form, form_opts=None, field_args=None):
        return Markup("")  # Flask-Admin's render_form_fields writes the hidden fields themselves


class Row(rules.Macro):
    """Short fields that belong together, side by side: Bootstrap's ``form-row`` with a column each (one
    under another on a narrow screen), each field written by Flask-Admin's own ``render_field`` (its label,
    its errors next to it). The markup is the macro ``row`` of templates/admin/lib_poradna.html, which the
    create and edit pages import as ``poradna_form``. (Flask-Admin's own ``rules.Row`` writes its
    ``column_class`` onto each input as an attribute, which is not valid HTML: tests/test_valid_html.py.)
    A field this form does not have is left out; a row left without fields writes nothing."""

    def __init__(self, *names: str, macro: str = "poradna_form.row") -> None:
        super().__init__(macro)
        self.names = names

    @property
    def visible_fields(self) -> list[str]:
        return list(self.names)

    def __call__(self, form, form_opts=None, field_args=None):
        widget_args = form_opts.widget_args if form_opts else {}
        # a copy each: render_field adds its classes to the arguments it is given
        fields = [(form[name], dict(widget_args.get(name, {}))) for name in self.names if name in form]
        if not fields:
            return ""
        return super().__call__(form, form_opts, {"form": form, "fields": fields})


class Section(rules.FieldSet):
    """A titled section, or nothing when this form has none of its fields (a heading over nothing: the
    record of a meeting on a booking form without it)."""

    def __call__(self, form, form_opts=None, field_args=None):
        if not any(name in form for name in self.visible_fields):
            return ""
        return super().__call__(form, form_opts, field_args)


def section(header, *items) -> Section:
    """A titled section: field names (each on a line of its own) and :class:`Row` of short fields."""
    return Section([Optional(item) if isinstance(item, str) else item for item in items], header)


def laid_out(*sections) -> tuple:
    """A form's rules: its sections, then the hidden fields."""
    return (*sections, Hidden())


def fields_of(rule_list) -> set[str]:
    """Every field name the rules render (for the tests: nothing of a form may be left out)."""
    found: set[str] = set()
    for rule in rule_list:
        if isinstance(rule, str):
            found.add(rule)
        elif isinstance(rule, (rules.Field, Row, Hidden)):
            found.update(rule.visible_fields)
        found |= fields_of(getattr(rule, "rules", None) or [])
    return found


class GroupedDetailsMixin:
    """Details pages grouped as the forms are: ``details_groups`` is a sequence of ``(header, columns)``;
    the columns a page shows (after the access policy took out what the user may not read) fall into
    their group in the group's order, the rest into a last group without a header. The template is
    ``templates/poradna/_grouped_details.html``."""

    details_groups: tuple = ()

    def details_sections(self, details_columns) -> list[tuple[object, list[tuple[str, object]]]]:
        shown = dict(details_columns)
        sections, used = [], set()
        for header, names in self.details_groups:
            rows = [(name, shown[name]) for name in names if name in shown]
            used.update(name for name, _label in rows)
            if rows:
                sections.append((header, rows))
        rest = [(name, label) for name, label in details_columns if name not in used]
        if rest:
            sections.append((None, rest))
        return sections
