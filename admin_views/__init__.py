"""The back office at /admin: every screen, registered on one Admin."""
from __future__ import annotations

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from admin_views import adapters
from config import BASE_DIR
from models import (
    Agreement, Appointment, AuditEvent, Client, DataRequest, Intake, PublicOffice, RoadmapTask, Topic, Visit,
    WalkInHours, Worker, WorkingHours,
)
from csp import csp_nonce


def init_admin(app) -> Admin:
    from admin_views.account import AccountView, LockoutsView
    from admin_views.centre import CentreProfileView
    from admin_views.cases import AgreementView, IntakeView, TaskView
    from admin_views.clients import ClientView
    from admin_views.contacts import AppointmentView, VisitView
    from admin_views.dashboard import DashboardView
    from admin_views.privacy import DataRequestView, RetentionView
    from admin_views.reception import CalendarLinkView, CalendarView
    from admin_views.reports import ReportsView
    from admin_views.staff import AuditView, OfficeView, TopicView, WalkInHoursView, WorkerView, WorkingHoursView

    admin = Admin(
        app,
        name="Poradna",
        index_view=DashboardView(name=_l("Start"), url="/admin"),
        theme=Bootstrap4Theme(base_template="poradna/base.html", swatch="default", fluid=True),
        translations_path=str(BASE_DIR / "translations"),
        csp_nonce_generator=csp_nonce,  # the request's Content-Security-Policy nonce on Flask-Admin's scripts
    )
    cases, contacts, settings = _l("Cases"), _l("Contacts"), _l("Settings")
    admin.add_view(ClientView(Client, name=_l("Clients"), endpoint="client"))
    admin.add_view(IntakeView(Intake, name=_l("Intakes"), endpoint="intake", category=cases))
    admin.add_view(AgreementView(Agreement, name=_l("Agreements"), endpoint="agreement", category=cases))
    admin.add_view(TaskView(RoadmapTask, name=_l("Roadmap tasks"), endpoint="task", category=cases))
    admin.add_view(AppointmentView(Appointment, name=_l("Appointments"), endpoint="appointment", category=contacts))
    admin.add_view(VisitView(Visit, name=_l("Visits and contacts"), endpoint="visit", category=contacts))
    admin.add_view(CalendarView(name=_l("Calendar"), endpoint="calendar", url="/admin/calendar", category=contacts))
    admin.add_view(CalendarLinkView(name=_l("My calendar link"), endpoint="calendar_link", url="/admin/calendar-link", category=contacts))
    admin.add_view(WorkerView(Worker, name=_l("Staff accounts"), endpoint="worker", category=settings))
    admin.add_view(TopicView(Topic, name=_l("Topics"), endpoint="topic", category=settings))
    admin.add_view(OfficeView(PublicOffice, name=_l("Public offices"), endpoint="office", category=settings))
    admin.add_view(WalkInHoursView(WalkInHours, name=_l("Walk-in hours"), endpoint="walkin_hours", category=settings))
    admin.add_view(WorkingHoursView(WorkingHours, name=_l("Working hours"), endpoint="working_hours", category=settings))
    admin.add_view(CentreProfileView(name=_l("Centre profile"), endpoint="centre", url="/admin/centre", category=settings))
    admin.add_view(LockoutsView(name=_l("Sign-in lockouts"), endpoint="lockouts", url="/admin/lockouts", category=settings))
    admin.add_view(AccountView(name=_l("My account"), endpoint="account", url="/admin/account"))
    privacy = _l("Personal data")
    admin.add_view(DataRequestView(DataRequest, name=_l("Data requests"), endpoint="data_request", category=privacy))
    admin.add_view(RetentionView(name=_l("Retention purge"), endpoint="retention", url="/admin/retention", category=privacy))
    admin.add_view(AuditView(AuditEvent, name=_l("Audit trail"), endpoint="audit", category=privacy))
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", url="/admin/reports"))
    from admin_views import catalogs

    catalogs.correct_admin_catalog(app)
    app.after_request(adapters.document_language)
    return admin
