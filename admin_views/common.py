"""Form fields and choice lists shared by several screens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import fields

from extensions import db
from models import PublicOffice, Topic
from services import access, codes
from services.users import social_workers_query


def _with_blank(choices):
    return [("", str(_l("— not given —")))] + list(choices)


class CountryField(fields.SelectField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("allow_blank", None)
        super().__init__(label, validators, choices=lambda: _with_blank(codes.country_choices()), **kwargs)

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
        fields.SelectField.__init__(self, label, validators, choices=lambda: _with_blank(codes.language_choices()), **kwargs)


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
