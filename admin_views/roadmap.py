"""The roadmap in the case file: a small form per task operation, each saving at once and coming back
to the case file. Mixed into :class:`admin_views.clients.ClientView` next to the case file's pages.

=============================== ============================================ ==========================
endpoint                        what                                         who
=============================== ============================================ ==========================
client.case_task_new_view       add a task (``description``, ``responsible``, the client's own worker
                                ``due_on``)                                  or cover access
client.case_task_edit_view      change a task (``&task=N``)                  the same
client.case_task_done_view      mark it done or not done with an outcome,    the same
                                or open it again
client.case_task_move_view      POST ``direction=up|down``: one place        the same
=============================== ============================================ ==========================

The operations are :mod:`services.tasks`'s; a refusal shows the form again with what was typed.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from admin_views.fields import DateField
from admin_views.forms import PoradnaForm
from admin_views.saving import save
from extensions import db
from models import RoadmapTask
from models.enums import Responsible, TaskStatus
from services import casefile, inputs, tasks


class TaskForm(PoradnaForm):
    description = TextAreaField(_l("What is to be done"), render_kw={"rows": 3},
                                validators=[InputRequired(), Length(max=tasks.MAX_DESCRIPTION)])
    responsible = RadioField(_l("Who does it"), choices=Responsible.choices, default=Responsible.CLIENT.value,
                             validators=[InputRequired()])
    due_on = DateField(_l("Due on"), validators=[Optional()])


def _finish_choices():
    return [(s.value, s.title) for s in (TaskStatus.DONE, TaskStatus.NOT_DONE, TaskStatus.OPEN)]


class FinishTaskForm(PoradnaForm):
    status = RadioField(_l("What happened"), choices=_finish_choices, validators=[InputRequired()])
    outcome = TextAreaField(_l("Outcome"), render_kw={"rows": 3}, validators=[Optional(), Length(max=tasks.MAX_OUTCOME)],
                            description=_l("What came of it; for a task not done, why."))


class RoadmapMixin:
    """The task pages of the case file (see the module doc)."""

    def _roadmap_gate(self, endpoint: str):
        """The client, their active agreement and, with ``&task=N``, the task of that agreement (404 if not);
        anyone but the client's own worker or a colleague with cover access: an audited 403."""
        client = self._case_gate(endpoint, "task")
        agreement = casefile.active_agreement(db.session, client)
        if agreement is None:
            flash(_("The client has no active agreement: make one first."), "error")
            return client, None, None
        task = None
        if "task" in request.values:
            task_id = inputs.to_id(request.values.get("task"))
            task = db.session.get(RoadmapTask, task_id) if task_id is not None else None
            if task is None or task.agreement_id != agreement.id:
                abort(404)
        return client, agreement, task

    def _to_roadmap(self, client):
        return redirect(self.get_url(".case_view", id=client.id) + "#case-roadmap")

    def _task_form(self, client, form, operation, *, title, submit, success=None, saved=None):
        """A task form's round: a valid form runs ``operation`` (a service call) through :func:`save` and
        goes back to the roadmap (``saved`` words the message when it needs the saved task); an invalid or
        refused one shows the form again with what was typed."""
        if form.validate_on_submit():
            if save(operation, form=form, success=success):
                if saved is not None:
                    flash(saved(), "success")
                return self._to_roadmap(client)
        elif form.is_submitted():
            flash(_("Check the highlighted fields. Nothing was saved."), "error")
        return self._form_page(client, form, title=title, submit=submit)

    @expose("/case/task/new/", methods=("GET", "POST"))
    def case_task_new_view(self):
        client, agreement, _task = self._roadmap_gate("client.case_task_new_view")
        if agreement is None:
            return self._back(client)
        form = TaskForm()
        return self._task_form(
            client, form, lambda: tasks.add_task(db.session, agreement, current_user._get_current_object(),
                                                 description=form.description.data,
                                                 responsible=form.responsible.data, due_on=form.due_on.data),
            success=_("The task is on the roadmap."),
            title=_("A new task for %(code)s", code=client.code), submit=_("Add the task"))

    @expose("/case/task/edit/", methods=("GET", "POST"))
    def case_task_edit_view(self):
        client, agreement, task = self._roadmap_gate("client.case_task_edit_view")
        if agreement is None:
            return self._back(client)
        if task is None:
            abort(404)
        form = TaskForm() if request.method == "POST" else TaskForm(
            description=task.description, responsible=task.responsible.value, due_on=task.due_on)
        return self._task_form(
            client, form, lambda: tasks.edit_task(db.session, task, current_user._get_current_object(),
                                                  description=form.description.data,
                                                  responsible=form.responsible.data, due_on=form.due_on.data),
            success=_("The task is saved."), title=_("Change the task"), submit=_("Save the task"))

    @expose("/case/task/done/", methods=("GET", "POST"))
    def case_task_done_view(self):
        client, agreement, task = self._roadmap_gate("client.case_task_done_view")
        if agreement is None:
            return self._back(client)
        if task is None:
            abort(404)
        if request.method == "POST":
            form = FinishTaskForm()
        else:
            wanted = request.args.get("status")
            status = wanted if wanted in dict(_finish_choices()) else (
                TaskStatus.DONE.value if task.status == TaskStatus.OPEN else task.status.value)
            form = FinishTaskForm(data={"status": status, "outcome": task.outcome})
        return self._task_form(
            client, form, lambda: tasks.finish_task(db.session, task, current_user._get_current_object(),
                                                    status=form.status.data, outcome=form.outcome.data),
            saved=lambda: _("%(task)s: %(status)s.", task=str(task), status=task.status.title),
            title=_("What came of the task: %(task)s", task=str(task)), submit=_("Save"))

    @expose("/case/task/move/", methods=("POST",))
    def case_task_move_view(self):
        client, agreement, task = self._roadmap_gate("client.case_task_move_view")
        form = PoradnaForm()
        if agreement is None:
            return self._back(client)
        if task is None:
            abort(404)
        if not form.validate_on_submit():
            flash(_("The page was open too long. Try again."), "error")
            return self._to_roadmap(client)
        save(lambda: tasks.move_task(db.session, task, current_user._get_current_object(),
                                     request.form.get("direction", "")))
        return self._to_roadmap(client)

