"""The reception desk and the calendar: walk-ins, attendance buttons, the week view, the private ICS link."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField
from werkzeug.datastructures import MultiDict
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput

from admin_views.gate import PolicyGatedView, deny
from admin_views.forms import PoradnaForm
from admin_views.saving import save
from admin_views.validators import NumberRange
from admin_views.common import active_topics, social_workers
from extensions import db
from models import Appointment, Client, Worker
from models.enums import AgeBand, AppointmentStatus, Role, Sex
from security import safe_next
from services import access, calendar, codes, inputs, scheduling, walkins
from services.formats import datetime_text

QUICK_STATUSES = {
    "attended": AppointmentStatus.ATTENDED,
    "no_show": AppointmentStatus.NO_SHOW,
    "cancelled_phone": AppointmentStatus.CANCELLED_PHONE,
    "cancelled_email": AppointmentStatus.CANCELLED_EMAIL,
}


def _blank(choices):
    return [("", str(_l("— not given —")))] + list(choices)


class WalkInForm(PoradnaForm):
    client_id = HiddenField()
    citizenship = SelectField(_l("Citizenship"), choices=lambda: _blank(codes.country_choices()), validators=[Optional()])
    language = SelectField(_l("Language"), choices=lambda: _blank(codes.language_choices()), validators=[Optional()])
    sex = SelectField(_l("Sex"), choices=lambda: _blank(Sex.choices()), validators=[Optional()])
    age_band = SelectField(_l("Age band"), choices=lambda: _blank(AgeBand.choices()), validators=[Optional()])
    topics = SelectMultipleField(_l("Topics"), coerce=int, option_widget=CheckboxInput(), validators=[Optional()])  # a checkbox each
    minutes = IntegerField(_l("Minutes spent"), validators=[Optional(), NumberRange(min=0, max=1440)])
    urgent = BooleanField(_l("Urgent"))
    worker = SelectField(_l("Social worker"), coerce=lambda v: inputs.to_id(v) if v else None, validators=[Optional()],
                         description=_l("Leave empty: the client's own worker if at work, otherwise the worker on duty."))


class StatusForm(PoradnaForm):
    appointment_id = HiddenField()
    status = HiddenField()


def walk_in_form(**kwargs):
    form = WalkInForm(**kwargs)
    form.topics.choices = [(t.id, t.label) for t in active_topics()]
    form.worker.choices = [("", str(_l("automatically")))] + [(w.id, w.full_name) for w in social_workers()]
    return form


class CalendarView(PolicyGatedView, BaseView):
    """The week view (one worker or the whole centre) and the desk's quick actions."""

    screen = "calendar"

    @expose("/")
    def index(self):
        monday = calendar.parse_week(request.args.get("week"))
        raw = request.args.get("worker", "")
        if raw == "" and current_user.has_role(Role.WORKER) and not current_user.has_role(Role.RECEPTION, Role.MANAGER):
            worker_id = current_user.id
        else:
            worker_id = inputs.to_id(raw)  # "all", a bad or out-of-range number: the whole centre
        data = calendar.week(db.session, current_user, monday, worker_id)
        from admin_views.booking import week_free_time

        return self.render("admin/calendar.html", data=data, worker_id=worker_id, workers=list(social_workers()),
                           free=week_free_time(worker_id, monday),
                           status_form=StatusForm(), quick=QUICK_STATUSES, can_cancel=scheduling.can_cancel_in_advance)

    @expose("/status/", methods=("POST",))
    def status(self):
        """Arrived / no-show / cancelled in advance, one click from the desk."""
        form = StatusForm()
        back = safe_next(request.form.get("next")) or self.get_url(".index")
        pressed = request.form.get("set", "")  # the desk: one form per table, the button says "id:status"
        if pressed and form.appointment_id.data in (None, ""):
            form.appointment_id.data, _sep, form.status.data = pressed.partition(":")
        if not form.validate_on_submit() or form.status.data not in QUICK_STATUSES:
            flash(_("Choose what happened."), "error")
            return redirect(back)
        appointment_id = inputs.to_id(form.appointment_id.data)
        if appointment_id is None:
            deny("calendar", status=404)
        query = access.scope(db.session.query(Appointment), Appointment, current_user).filter(Appointment.id == appointment_id)
        appointment = query.one_or_none()
        if appointment is None:
            deny("calendar", status=404)
        if save(lambda: scheduling.change_status(db.session, appointment, QUICK_STATUSES[form.status.data])):
            flash(_("%(code)s at %(time)s: %(status)s.", code=appointment.client.code,
                    time=_short(appointment.starts_at), status=appointment.status.title), "success")
        return redirect(back)

    @expose("/walk-in/", methods=("POST",))
    def walk_in(self):
        form = walk_in_form()
        back = safe_next(request.form.get("next")) or url_for("admin.index")
        if not form.validate_on_submit():
            flash(_("The walk-in was not logged: %(errors)s", errors="; ".join(
                f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())), "error")
            return self._desk_again(form, back)
        client = None
        if form.client_id.data:
            client_id = inputs.to_id(form.client_id.data)
            if client_id is None:
                deny("calendar", status=404)
            client = access.scope(db.session.query(Client), Client, current_user).filter(Client.id == client_id).one_or_none()
            if client is None:
                deny("calendar", status=404)
        topics = [t for t in active_topics() if t.id in set(form.topics.data or [])]
        worker = db.session.get(Worker, form.worker.data) if form.worker.data else None
        saved = save(lambda: walkins.log_walk_in(
            db.session, client=client, logged_by=current_user._get_current_object(), topics=topics,
            urgent=form.urgent.data, minutes=form.minutes.data, citizenship=form.citizenship.data,
            language=form.language.data, sex=form.sex.data or None, age_band=form.age_band.data or None, worker=worker,
        ), form=form, error=lambda exc: _("The walk-in was not logged: %(errors)s", errors=str(exc.message)))
        if not saved:
            return self._desk_again(form, back)
        who = saved.result.worker.full_name
        if client is not None:
            flash(_("Walk-in of %(code)s logged and handed to %(name)s.", code=client.code, name=who), "success")
        else:
            flash(_("Anonymous walk-in logged and handed to %(name)s.", name=who), "success")
        return redirect(back)


    def _desk_again(self, form, back: str):
        """The desk as it was (its search and worker, from ``back``) with the refused walk-in form filled
        in as it was sent and its errors at the fields: nothing typed or chosen is lost."""
        if form.client_id.data:  # a known client's "Walk-in now": the anonymous form starts empty
            form = walk_in_form(formdata=MultiDict())
        desk = url_for("admin.index")
        parts = urlsplit(back)
        if parts.path != desk:
            back, parts = desk, urlsplit(desk)
        return self.admin.index_view.start_page(MultiDict(parse_qsl(parts.query)), back, walk_in_form=form)


class CalendarLinkView(PolicyGatedView, BaseView):
    """A worker's private, revocable link for calendar apps."""

    screen = "calendar_link"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = FlaskForm()
        token = None
        if request.method == "POST" and form.validate_on_submit():
            worker = current_user._get_current_object()
            if request.form.get("do") == "revoke":
                calendar.revoke_token(db.session, worker)
                flash(_("The calendar link was revoked. Calendar apps using it stop updating."), "success")
            else:
                token = calendar.issue_token(db.session, worker)
                flash(_("A new calendar link was created. Any earlier link stopped working."), "success")
            db.session.commit()
        link = url_for("feeds.calendar_feed", token=token, _external=True) if token else None
        return self.render("admin/calendar_link.html", link=link, has_link=bool(current_user.calendar_token_hash), form=form)


def _short(value):
    return datetime_text(value)

