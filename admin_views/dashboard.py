"""The start page of the back office."""
from __future__ import annotations

from flask import current_app, request
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from admin_views.gate import PolicyGatedView
from admin_views.reception import walk_in_form as new_walk_in_form
from extensions import db
from models.enums import ClientStatus, Role
from services import clients, dashboard, inputs


#: the desk's pages stop here: far beyond any day's appointments, and no deep offset scans
MAX_DESK_PAGE = 100


class DashboardView(PolicyGatedView, AdminIndexView):
    screen = "admin"

    @expose("/")
    def index(self):
        return self.start_page(request.args, request.full_path)

    def start_page(self, args, desk_url: str, walk_in_form=None):
        """The start page for the query ``args`` (the desk's search and worker); ``desk_url`` is where the
        desk's buttons come back to. A walk-in form that was refused comes back filled in, with its errors."""
        search = args.get("q") if current_user.has_role(Role.RECEPTION) else None  # the desk
        data = dashboard.start_page(db.session, current_user, search=search,
                                    stale_months=current_app.config.get("STALE_CONTACT_MONTHS", 3),
                                    desk_worker=inputs.to_id(args.get("worker")),  # an id in range, or none
                                    desk_page=inputs.to_int(args.get("page"), 1, MAX_DESK_PAGE) or 1,
                                    desk_whole_day=args.get("day") == "all")
        form = (walk_in_form or new_walk_in_form()) if "walk_in" in data else None
        # the walk-in form's list of social workers, also for choosing whose day the desk shows
        desk_workers = [(wid, name) for wid, name in form.worker.choices if wid != ""] if form is not None else []
        return self.render("admin/dashboard.html", data=data, ClientStatus=ClientStatus, walk_in_form=form,
                           desk_workers=desk_workers, desk_url=desk_url, namesake_details=clients.namesake_details)
