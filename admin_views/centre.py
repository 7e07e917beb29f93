"""Settings → Centre profile: the centre's name and contacts printed on the client's documents (admins)."""
from __future__ import annotations

from flask import flash, redirect, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from admin_views.forms import PoradnaForm
from admin_views.gate import PolicyGatedView
from admin_views.saving import save
from extensions import db
from services import centre


class CentreProfileForm(PoradnaForm):
    name = StringField(_l("Name of the centre"), validators=[InputRequired(), Length(max=centre.LIMITS["name"])])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=centre.LIMITS["address"])],
                            render_kw={"rows": 3}, description=_l("Street, postcode and town, on two lines."))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=centre.LIMITS["phone"])],
                        description=_l("Clients call this number, for example to cancel an appointment."))
    email = StringField(_l("Email"), validators=[Optional(), Length(max=centre.LIMITS["email"])])
    web = StringField(_l("Web"), validators=[Optional(), Length(max=centre.LIMITS["web"])])
    loaded = HiddenField()


class CentreProfileView(PolicyGatedView, BaseView):
    """One form for the one row of the centre's profile."""

    screen = "centre"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        row = centre.profile(db.session)
        form = CentreProfileForm(obj=row if request.method == "GET" else None)
        if request.method == "GET":
            form.loaded.data = centre.version(row)
        if form.validate_on_submit():
            values = {f: form[f].data for f in centre.FIELDS}
            if save(lambda: centre.save_profile(db.session, current_user._get_current_object(), values,
                                                loaded=form.loaded.data),
                    form=form, success=_("The centre profile is saved. The documents for clients print it from now on.")):
                return redirect(self.get_url(".index"))
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self.render("admin/centre.html", form=form, filled=row is not None)
