"""Form fields and choice lists shared by several screens."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import fields
from wtforms.fields import SelectChoice

from admin_views.widgets import TemplateSelect
from extensions import db
from models import PublicOffice, Topic
from services import access, codes
from services.users import social_workers_query


#: the ISO code lists a form offers, each read from services.codes in the page's language
_CODE_LISTS = {"countries": codes.country_choices, "languages": codes.language_choices}


def code_choices(kind: str, *, blank: bool = False) -> tuple[SelectChoice, ...]:
    """The countries or languages as a select's choices in the page's language (with an empty first
    choice when ``blank``): built once per language, as the names and their order are the same for
    every request in it, so that a form does not build 257 choices anew for each select."""
    return _code_choices(kind, str(get_locale()), blank)


@lru_cache(maxsize=32)
def _code_choices(kind: str, locale: str, blank: bool) -> tuple[SelectChoice, ...]:
    # ``locale`` is the current request's (code_choices passes it): the key under which its names are kept
    items = tuple(SelectChoice(code, name) for code, name in _CODE_LISTS[kind]())
    return ((SelectChoice("", str(_l("— not given —"))),) + items) if blank else items


class CountryField(fields.SelectField):
    widget = TemplateSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("allow_blank", None)
        super().__init__(label, validators, choices=lambda: code_choices("countries", blank=True), **kwargs)

    def has_groups(self):
        return False  # a code list is never grouped (WTForms would read the choices through to know it)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = self.data or None

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class LanguageField(CountryField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("allow_blank", None)
        fields.SelectField.__init__(self, label, validators, choices=lambda: code_choices("languages", blank=True), **kwargs)


def social_workers():
    """The social workers the signed-in person may choose from, as the access policy lets them."""
    return access.choosable_workers(social_workers_query(db.session), current_user)


def active_topics():
    """Active topics in the dictionary order of their labels in the page's language."""
    topics = db.session.query(Topic).filter(Topic.active.is_(True)).all()
    return codes.sorted_by_label(topics, label=lambda topic: topic.label)


def active_offices():
    """Active public offices in the dictionary order of their names."""
    offices = db.session.query(PublicOffice).filter(PublicOffice.active.is_(True)).all()
    return codes.sorted_by_label(offices, label=lambda office: office.name)
