"""Fields and formatters shared by several screens."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import fields

from extensions import db
from models import PublicOffice, Topic
from services import codes
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
    return social_workers_query(db.session)


def active_topics():
    return db.session.query(Topic).filter(Topic.active.is_(True)).order_by(Topic.code)


def active_offices():
    return db.session.query(PublicOffice).filter(PublicOffice.active.is_(True)).order_by(PublicOffice.code)


def fmt_country(view, context, model, name):
    return codes.country_name(getattr(model, name))


def fmt_language(view, context, model, name):
    return codes.language_name(getattr(model, name))


def fmt_languages(view, context, model, name):
    return ", ".join(codes.language_name(c) for c in getattr(model, name) or [])


def fmt_client_link(view, context, model, name):
    client = getattr(model, "client", None)
    if client is None:
        return Markup("<em>{}</em>").format(_l("anonymous walk-in"))
    from flask import url_for

    return Markup('<a href="{}">{}</a>').format(url_for("client.details_view", id=client.id), client.code)


def fmt_text_excerpt(view, context, model, name):
    text = getattr(model, name) or ""
    return text if len(text) <= 80 else text[:77] + "…"
