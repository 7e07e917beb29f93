"""The client's case file: the page and its operations, mixed into :class:`admin_views.clients.ClientView`.

Endpoints (all under /admin/client/case/, ``?id=`` is the client):

=========================== ============================================ ===================================
endpoint                    what                                         who
=========================== ============================================ ===================================
client.case_view            the case file (header, agreement, roadmap,   reception, workers, managers; the
                            next appointment, timeline; ``page=``)        content follows services.access
client.case_intake_view     record the first conversation                a social worker who may write it
client.case_agreement_view  make the agreement (also for a returning     the client's own worker or cover
                            client)
client.case_end_intake_view end the intake with a reason                 the worker holding the intake
client.case_meeting_view    record a meeting (one form, one transaction) the client's own worker or cover
client.case_close_view      end the agreement; the client is closed      the client's own worker or cover
=========================== ============================================ ===================================

Each page asks ``services.casefile.allowed`` for its operation; a refused one is a 403 (audited). The printed roadmap (``client.case_roadmap_view``) and the
other papers a client takes home are in :mod:`admin_views.documents`.
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from admin_views.gate import deny
from admin_views.row_actions import EndpointLink
from admin_views.validators import NumberRange
from admin_views.common import active_offices, active_topics, social_workers
from admin_views.fields import DateField, EnumSelectField, LocalDateTimeField
from admin_views.forms import PoradnaForm, TranslatedMeta
from admin_views.saving import save
from extensions import db
from models import Appointment, Client, RoadmapTask
from models.enums import AppointmentPlace, AppointmentPurpose, AppointmentStatus, IntakeEndReason, Responsible, TaskStatus, VisitChannel
from services import access, case_operations, casefile, client_documents, codes, inputs, scheduling
from services.formats import datetime_text
from services.timeutil import local_now

TEXT = {"rows": 3}


def case_file_url(client, **kwargs) -> str:
    """The case file of ``client`` (a Client or its id); a template global for the dashboards."""
    return url_for("client.case_view", id=getattr(client, "id", client), **kwargs)


def client_name(client: Client) -> str:
    if client.anonymised_at is not None:
        return _("(anonymised)")
    if client.display_name:
        return client.display_name
    return _("(anonymous)")


def documents_language(client: Client) -> dict:
    """The language the client's documents print in (the client's, where the centre has documents in
    it), as a code and named in the staff member's language."""
    lang = client_documents.for_client(client)
    return {"lang": lang, "language_name": codes.language_name(lang)}


def _today():
    return local_now().date()


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


# --- forms -----------------------------------------------------------------------------------

class IntakeForm(PoradnaForm):
    held_on = DateField(_l("Held on"), default=_today, validators=[InputRequired()])
    channel = EnumSelectField(_l("Channel"), enum_class=VisitChannel, default=VisitChannel.WALK_IN)
    issue = TextAreaField(_l("Issue in the client's words"), validators=[InputRequired(), Length(max=case_operations.MAX_TEXT)],
                          render_kw={"rows": 4})
    topics = SelectMultipleField(_l("Topics"), coerce=int, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(), validators=[Optional()])
    minutes = IntegerField(_l("Minutes spent"), validators=[Optional(), NumberRange(0, 1440)])


class AgreementForm(PoradnaForm):
    agreed_on = DateField(_l("Agreed on"), default=_today, validators=[InputRequired()])
    issue = TextAreaField(_l("Issue in the client's words"), validators=[Optional(), Length(max=case_operations.MAX_TEXT)],
                          render_kw=TEXT)
    goal = TextAreaField(_l("Goal"), validators=[InputRequired(), Length(max=case_operations.MAX_TEXT)], render_kw=TEXT,
                         description=_l("What the centre will help the client achieve, in words you both agreed on."))
    consent_service = BooleanField(_l("The client agrees to receive the service"))
    consent_data = BooleanField(_l("The client agrees to the processing of the personal data they have given"))


class EndIntakeForm(PoradnaForm):
    end_reason = RadioField(_l("Ended without agreement because"), choices=IntakeEndReason.choices,
                            validators=[InputRequired()])
    end_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=case_operations.MAX_TEXT)], render_kw=TEXT,
                             description=_l("Needed for another reason."))
    ended_on = DateField(_l("Ended on"), default=_today, validators=[InputRequired()])


def _ended_choices():
    return [(s.value, s.title) for s in case_operations.ENDED]


class CloseForm(PoradnaForm):
    status = RadioField(_l("How the agreement ended"), choices=_ended_choices, validators=[InputRequired()])
    end_reason = TextAreaField(_l("Why it ended"), validators=[InputRequired(), Length(max=case_operations.MAX_TEXT)],
                               render_kw=TEXT)
    ended_on = DateField(_l("Ended on"), default=_today, validators=[InputRequired()])
    cancel_appointments = BooleanField(
        _l("Cancel the client's planned appointments listed above (cancelled by the centre)"), default=True,
        description=_l("Untick it to keep them, for example a last meeting already agreed."))


class NewTaskForm(Form):
    class Meta(TranslatedMeta):
        csrf = False  # a row of the meeting form, which carries the token; messages translated like the rest

    description = TextAreaField(_l("What is to be done"), validators=[Optional(), Length(max=case_operations.MAX_TEXT)],
                                render_kw={"rows": 2})
    responsible = EnumSelectField(_l("Responsible"), enum_class=Responsible, default=Responsible.CLIENT)
    due_on = DateField(_l("Due on"), validators=[Optional()])


def _attendance_choices():
    return [(s.value, s.title) for s in case_operations.ATTENDANCE]


def _default_start():
    """An hour ago, on a five-minute mark (the centre's time)."""
    start = local_now().replace(second=0, microsecond=0) - timedelta(minutes=60)
    return start.replace(minute=start.minute - start.minute % 5)


TASK_CHOICES = [("continue", _l("Continue")), ("done", _l("Done")), ("not_done", _l("Not done"))]


class MeetingForm(PoradnaForm):
    appointment = RadioField(_l("Which meeting"), validators=[InputRequired()])
    attendance = RadioField(_l("Attendance"), choices=_attendance_choices, default="attended",
                            validators=[InputRequired()])
    held_at = LocalDateTimeField(_l("Started at"), validators=[Optional()],
                                 description=_l("Only for a meeting that was not planned."))
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[Optional(), NumberRange(1, 720)])
    place = EnumSelectField(_l("Place"), enum_class=AppointmentPlace, default=AppointmentPlace.CENTRE)
    purpose = EnumSelectField(_l("Purpose"), enum_class=AppointmentPurpose, default=AppointmentPurpose.CONSULTATION)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=case_operations.MAX_TEXT)], render_kw={"rows": 4})
    evaluation = TextAreaField(_l("Evaluation of results"), validators=[Optional(), Length(max=case_operations.MAX_TEXT)],
                               render_kw=TEXT)
    next_steps = TextAreaField(_l("Next steps agreed"), validators=[Optional(), Length(max=case_operations.MAX_TEXT)],
                               render_kw=TEXT)
    new_tasks = FieldList(FormField(NewTaskForm), min_entries=3, max_entries=10)
    book_next = BooleanField(_l("Book the next appointment"))
    next_starts_at = LocalDateTimeField(_l("Starts at"), validators=[Optional()])
    next_duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[Optional(), NumberRange(1, 720)])
    next_worker = SelectField(_l("Social worker"), coerce=_int_or_none, validators=[Optional()])
    next_other_worker_reason = StringField(_l("Reason for another worker"), validators=[Optional(), Length(max=300)],
                                           description=_l("Needed only when you book someone else than the client's own social worker."))
    next_place = EnumSelectField(_l("Place"), enum_class=AppointmentPlace, default=AppointmentPlace.CENTRE)
    next_office = SelectField(_l("Public office"), coerce=_int_or_none, validators=[Optional()])
    next_purpose = EnumSelectField(_l("Purpose"), enum_class=AppointmentPurpose, default=AppointmentPurpose.CONSULTATION)


def meeting_form(tasks: list[RoadmapTask], appointments, client: Client) -> MeetingForm:
    """The meeting form with one status and one outcome field per open task (``task_<id>_status``)."""

    class _Form(MeetingForm):
        pass

    for task in tasks:
        setattr(_Form, f"task_{task.id}_status", RadioField(_l("What happened with the task"), choices=TASK_CHOICES,
                                                              default="continue", validators=[DataRequired()]))
        setattr(_Form, f"task_{task.id}_outcome", StringField(_l("Short outcome"),
                                                               validators=[Optional(), Length(max=case_operations.MAX_OUTCOME)]))
    form = _Form(held_at=_default_start())
    # an appointment reception marked as arrived comes first: it is the meeting the worker records next
    choices = [(str(a.id), _("%(time)s with %(name)s (arrived, not yet recorded)", time=_fmt_time(a.starts_at),
                             name=a.worker.full_name) if case_operations.is_arrived(a) else
                _("%(time)s with %(name)s (planned)", time=_fmt_time(a.starts_at), name=a.worker.full_name)
                if a.status == AppointmentStatus.PLANNED else
                _("%(time)s with %(name)s (already recorded)", time=_fmt_time(a.starts_at), name=a.worker.full_name))
               for a in appointments]
    choices.append(("new", _("A meeting that was not planned")))
    form.appointment.choices = choices
    if not form.is_submitted():
        wanted = request.args.get("appointment_id", "")
        form.appointment.data = wanted if wanted in {c[0] for c in choices} else choices[0][0]
        form.next_worker.data = client.worker_id
    form.next_worker.choices = [(w.id, w.full_name) for w in social_workers()]
    form.next_office.choices = [("", _("— not given —"))] + [(o.id, o.name) for o in active_offices()]
    return form


def _fmt_time(value):
    return datetime_text(value)


# --- the view --------------------------------------------------------------------------------

class CaseFileMixin:
    """The case-file pages of :class:`~admin_views.clients.ClientView`."""

    column_extra_row_actions = [EndpointLink("fa fa-folder-open", ".case_view", title=_l("Case file"))]

    def create_blueprint(self, admin):
        blueprint = super().create_blueprint(admin)
        blueprint.add_app_template_global(case_file_url, "case_file_url")
        return blueprint

    def _case_client(self) -> Client:
        return self.get_one(request.args.get("id", ""))

    def _case_gate(self, endpoint: str, operation: str) -> Client:
        """The case's client (404 when not to be seen), when ``casefile.allowed`` lets the person run
        ``operation`` on it; otherwise an audited 403."""
        client = self._case_client()
        if not casefile.allowed(db.session, current_user, client, operation):
            deny(endpoint, client)
        return client

    def _back(self, client):
        return redirect(self.get_url(".case_view", id=client.id))

    @expose("/case/")
    def case_view(self):
        page = max(1, min(request.args.get("page", 1, type=int) or 1, 10**6))
        pk = inputs.to_id(request.args.get("id"))
        case = casefile.open_case_file(db.session, pk, current_user, page=page) if pk is not None else None
        if case is None:
            self._case_client()  # 404, and an audited denial where the client exists
            abort(404)
        client = case.client
        if client.merged_into_id is not None:
            return self._to_kept_record(client)
        casefile.record_view(db.session, client, current_user, confidential=case.confidential)
        html = self.render("admin/client/case.html", client=client, case=case, name=client_name(client),
                           languages=", ".join(codes.language_name(c) for c in client.languages or []),
                           Responsible=Responsible, can_book=access.can_open(current_user, "appointment"),
                           documents=documents_language(client))
        db.session.commit()
        return html

    def _form_page(self, client, form, *, title, intro=None, submit, fields=None):
        return self.render("admin/client/case_form.html", client=client, form=form, title=title, intro=intro,
                           submit=submit, fields=fields)

    @expose("/case/intake/", methods=("GET", "POST"))
    def case_intake_view(self):
        client = self._case_gate("client.case_intake_view", "intake")
        form = IntakeForm()
        form.topics.choices = [(t.id, t.label) for t in active_topics()]
        if form.validate_on_submit():
            if save(lambda: case_operations.record_intake(
                    db.session, client, current_user._get_current_object(), issue=form.issue.data, held_on=form.held_on.data,
                    topic_ids=form.topics.data or (), channel=form.channel.data, minutes=form.minutes.data),
                    form=form, success=_("The first conversation with %(code)s is recorded.", code=client.code)):
                return self._back(client)
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self._form_page(client, form, title=_("The first conversation with %(code)s", code=client.code),
                               intro=_("Tell the person about the centre and its services, then write down the issue they need help with, in their own words."),
                               submit=_("Save the conversation"))

    @expose("/case/agreement/", methods=("GET", "POST"))
    def case_agreement_view(self):
        client = self._case_gate("client.case_agreement_view", "agreement")
        intake = casefile.open_intake(db.session, client, current_user)
        form = AgreementForm()
        if request.method == "GET" and intake is not None and not form.issue.data:
            form.issue.data = intake.issue
        if form.validate_on_submit():
            saved = save(lambda: case_operations.make_agreement(
                db.session, client, current_user._get_current_object(), goal=form.goal.data, issue=form.issue.data,
                consent_service=form.consent_service.data, consent_data=form.consent_data.data,
                agreed_on=form.agreed_on.data), form=form)
            if saved:
                flash(_("The agreement is made; %(code)s is a client of %(name)s.", code=client.code,
                        name=client.worker.full_name), "success")
                return self._back(client)
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self._form_page(
            client, form, title=_("Agreement with %(code)s", code=client.code),
            intro=_("The agreement is verbal. Agree on the goal together; the client's consent, today's date and your name are recorded."),
            submit=_("Make the agreement"),
            fields=[form.agreed_on, form.issue, form.goal, (_("Consent given verbally"), [form.consent_service, form.consent_data])],
        )

    @expose("/case/end-intake/", methods=("GET", "POST"))
    def case_end_intake_view(self):
        client = self._case_gate("client.case_end_intake_view", "end_intake")
        form = EndIntakeForm()
        if form.validate_on_submit():
            if save(lambda: case_operations.end_intake(
                    db.session, client, current_user._get_current_object(), reason=form.end_reason.data,
                    note=form.end_note.data, ended_on=form.ended_on.data),
                    form=form, success=_("The intake with %(code)s ended without an agreement.", code=client.code)):
                return self._back(client)
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self._form_page(client, form, title=_("End the intake with %(code)s", code=client.code),
                               intro=_("When the centre cannot help, end the intake with the reason; it is counted in the statistics of refusals."),
                               submit=_("End the intake"))

    @expose("/case/close/", methods=("GET", "POST"))
    def case_close_view(self):
        client = self._case_gate("client.case_close_view", "close")
        form = CloseForm()
        planned = scheduling.planned_ahead(db.session, [client.id])
        if not planned:
            del form.cancel_appointments  # nothing to cancel
        if form.validate_on_submit():
            cancel = bool(planned) and form.cancel_appointments.data
            if save(lambda: case_operations.close_case(
                    db.session, client, current_user._get_current_object(), status=form.status.data,
                    reason=form.end_reason.data, ended_on=form.ended_on.data, cancel_appointments=cancel),
                    form=form, success=_("The agreement has ended and %(code)s is closed.", code=client.code)):
                if cancel:
                    flash(ngettext("%(num)d planned appointment was cancelled.", "%(num)d planned appointments were cancelled.",
                                   len(planned)), "success")
                return self._back(client)
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self.render("admin/client/case_form.html", client=client, form=form,
                           title=_("End the agreement with %(code)s", code=client.code),
                           intro=_("Open tasks of the roadmap are dropped. The history stays; if the client comes back, make a new agreement."),
                           submit=_("End the agreement"), fields=None, planned=planned)

    @expose("/case/meeting/", methods=("GET", "POST"))
    def case_meeting_view(self):
        client = self._case_gate("client.case_meeting_view", "meeting")
        agreement = casefile.active_agreement(db.session, client)
        if agreement is None:
            flash(_("The client has no active agreement. Make the agreement first."), "error")
            return self._back(client)
        tasks = [t for t in agreement.tasks if t.status == TaskStatus.OPEN]
        until = local_now().replace(hour=23, minute=59, second=59)
        appointments = case_operations.planned_appointments(db.session, client, until=until)
        posted = inputs.to_id(request.form.get("appointment")) if request.method == "POST" else None
        if posted is not None and posted not in {a.id for a in appointments}:
            # recorded meanwhile (another tab, a second click): the service says so, and changes nothing
            recorded = db.session.get(Appointment, posted)
            if recorded is not None and recorded.client_id == client.id:
                appointments = [*appointments, recorded]
        form = meeting_form(tasks, appointments, client)
        if form.validate_on_submit():
            saved = save(lambda: case_operations.record_meeting(
                db.session, client, current_user._get_current_object(), _meeting_data(form, tasks)),
                form=form, success=_("The meeting is recorded."))
            if saved:
                warn_outside_working_hours(saved.result.next_appointment)
                return self._back(client)
            agreement = casefile.active_agreement(db.session, client)  # as it is after the rollback
            tasks = [t for t in agreement.tasks if t.status == TaskStatus.OPEN] if agreement else []
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self.render("admin/client/meeting.html", client=client, form=form, agreement=agreement, tasks=tasks,
                           today=_today(), name=client_name(client))


def warn_outside_working_hours(appointment) -> None:
    """A booking outside the worker's working hours is saved with a warning (every booking path)."""
    if appointment is not None and scheduling.outside_working_hours(
            db.session, appointment.worker_id, appointment.starts_at, appointment.duration_minutes):
        flash(_("Note: the appointment is outside %(name)s's working hours.", name=appointment.worker.full_name), "warning")


def _meeting_data(form: MeetingForm, tasks) -> case_operations.Meeting:
    appointment = form.appointment.data
    next_appointment = None
    if form.book_next.data:
        next_appointment = case_operations.NextAppointment(
            starts_at=form.next_starts_at.data, duration_minutes=form.next_duration_minutes.data or 60,
            worker_id=form.next_worker.data, other_worker_reason=form.next_other_worker_reason.data,
            place=form.next_place.data or AppointmentPlace.CENTRE, office_id=form.next_office.data,
            purpose=form.next_purpose.data or AppointmentPurpose.CONSULTATION,
        )
    return case_operations.Meeting(
        appointment_id=int(appointment) if appointment and appointment.isdigit() else None,
        attendance=form.attendance.data, held_at=form.held_at.data, duration_minutes=form.duration_minutes.data or 60,
        place=form.place.data or AppointmentPlace.CENTRE, purpose=form.purpose.data or AppointmentPurpose.CONSULTATION,
        notes=form.notes.data, evaluation=form.evaluation.data, next_steps=form.next_steps.data,
        task_updates=[case_operations.TaskUpdate(task_id=t.id, action=form[f"task_{t.id}_status"].data,
                                          outcome=form[f"task_{t.id}_outcome"].data) for t in tasks],
        new_tasks=[case_operations.NewTask(description=entry.form.description.data, responsible=entry.form.responsible.data
                                    or Responsible.CLIENT, due_on=entry.form.due_on.data, row=i)
                   for i, entry in enumerate(form.new_tasks.entries)],
        next_appointment=next_appointment,
    )
