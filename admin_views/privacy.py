"""The data-request register and the retention purge (managers)."""
from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField
from wtforms.validators import Optional

from admin_views.base import SecureModelView
from admin_views.gate import PolicyGatedView, deny
from admin_views.cases import client_loader
from admin_views.formatters import fmt_client_link
from admin_views.forms import PoradnaForm
from extensions import db
from services import access, data_requests, retention


class DataRequestView(SecureModelView):
    column_list = ("client_code", "type", "received_on", "channel", "due_on", "status", "completed_on")
    column_details_list = ("client", "client_code", "type", "received_on", "channel", "due_on", "status", "completed_on", "completed_by", "note", "created_at")
    column_sortable_list = ("client_code", "received_on", "due_on", "status")
    column_default_sort = ("due_on", False)
    column_searchable_list = ("client_code",)
    column_filters = ("type", "status", "received_on", "due_on", "channel")
    column_labels = {
        "client": _l("Client"), "client_code": _l("Client code"), "type": _l("Request"), "received_on": _l("Received on"),
        "channel": _l("Received by"), "due_on": _l("Due on"), "status": _l("Status"), "completed_on": _l("Completed on"),
        "completed_by": _l("Completed by"), "note": _l("Note"), "created_at": _l("Created"),
    }
    column_descriptions = {"due_on": _l("One month after receipt unless filled in (GDPR).")}
    column_formatters = {"client": fmt_client_link}
    form_columns = ("client", "type", "received_on", "channel", "due_on", "status", "note")
    form_ajax_refs = {"client": client_loader(anonymised=True)}  # a request may concern an anonymised client
    can_delete = False

    def scaffold_form(self):
        """The due date is optional: the service fills in one month after receipt when it is left empty
        (Flask-Admin makes a NOT NULL column a required field, which the browser would insist on)."""
        form_class = super().scaffold_form()
        form_class.due_on.kwargs["validators"] = [Optional()]  # the unbound field: its type and place stay
        return form_class

    def check_model(self, form, model, is_created):
        data_requests.save(db.session, model, by_id=current_user.id)


class PurgeForm(PoradnaForm):
    as_of = DateField(_l("Reference date"), validators=[Optional()], description=_l("Usually today."))
    confirm = BooleanField(_l("I have checked the preview; anonymise these clients now."))


class RetentionView(PolicyGatedView, BaseView):
    """Preview and run the retention purge."""

    screen = "retention"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = PurgeForm(request.args) if request.method == "GET" else PurgeForm()
        years = current_app.config["RETENTION_YEARS"]
        as_of = form.as_of.data if form.as_of.data and not form.as_of.errors else retention.default_as_of()
        if request.method == "GET" and request.args.get("as_of") and not form.as_of.validate(form):
            flash(_("Enter the date as YYYY-MM-DD."), "error")
        if request.method == "POST" and form.validate_on_submit():
            if not access.can(current_user, "purge"):
                deny("retention.purge")
            if not form.confirm.data:
                flash(_("Tick the confirmation to run the purge."), "error")
            else:
                counts = retention.purge(db.session, as_of, years, actor_id=current_user.id)
                from services import privacy

                if not privacy.wipe_freed_space(db.session):
                    flash(str(privacy.WIPE_PENDING), "warning")
                flash(_("Purge finished: %(n)s clients anonymised, %(w)s walk-in summaries removed, %(h)s kept on legal hold.",
                        n=counts["anonymised"], w=counts["walk_in_summaries"], h=counts["legal_hold"]), "success")
                return redirect(self.get_url(".index", as_of=as_of.isoformat()))
        plan = retention.plan(db.session, as_of, years)
        return self.render("admin/retention.html", form=form, plan=plan, years=years, as_of=as_of)
