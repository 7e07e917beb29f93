"""Extensions, created unbound and initialised in :func:`app.create_app`."""
from functools import cached_property

from flask import has_app_context
from flask_babel import Babel, Domain
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()


class _RequestKeptDomain(Domain):
    """The application's message domain with its translations looked up once per request: every
    ``_()``, lazy label and template string looked up the request context, the locale and the
    catalog cache again (~200 strings a page). See :func:`admin_views.fragments.request_translations`."""

    def get_translations(self):
        if not has_app_context():
            return super().get_translations()
        from admin_views.fragments import request_translations

        return request_translations("poradna_translations", super().get_translations)


class PoradnaBabel(Babel):
    @cached_property
    def domain_instance(self):
        return _RequestKeptDomain(domain=self.domain)


babel = PoradnaBabel()
csrf = CSRFProtect()
