"""The start page of the back office."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from extensions import db
from models.enums import ClientStatus
from services import access, dashboard


class DashboardView(AdminIndexView):
    def is_accessible(self):
        return access.can_open(current_user, "admin")

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        abort(403)

    @expose("/")
    def index(self):
        data = dashboard.start_page(db.session, current_user)
        return self.render("admin/dashboard.html", data=data, ClientStatus=ClientStatus)
