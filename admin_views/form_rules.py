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


class Row(rules.NestedRule):
    """Short fields that belong together, one after another. (Flask-Admin's own ``rules.Row`` puts them side
    by side but writes its ``column_class`` onto each input as an attribute, which is not valid HTML:
    tests/test_valid_html.py.) A field this form does not have is left out."""

    def __init__(self, *names: str) -> None:
        super().__init__([Optional(name) for name in names])


def section(header, *items) -> rules.FieldSet:
    """A titled section: field names (each on its own line) and :class:`Row` of short fields."""
    return rules.FieldSet([Optional(item) if isinstance(item, str) else item for item in items], header)


def laid_out(*sections) -> tuple:
    """A form's rules: its sections, then the hidden fields."""
    return (*sections, Hidden())


def fields_of(rule_list) -> set[str]:
    """Every field name the rules render (for the tests: nothing of a form may be left out)."""
    found: set[str] = set()
    for rule in rule_list:
        if isinstance(rule, rules.Field):
            found.add(rule.field_name)
        elif isinstance(rule, Hidden):
            found.update(rule.names)
        elif isinstance(rule, str):
            found.add(rule)
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
