"""Clients and interested persons: the list, details, forms, and the client's own operations
(reassignment, cover access, who accessed the record)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin_views.base import SecureModelView
from admin_views.gate import deny
from admin_views.casefile import CaseFileMixin
from admin_views.documents import ClientDocumentsMixin
from admin_views.roadmap import RoadmapMixin
from admin_views.common import CountryField, social_workers
from admin_views.filters import WorkerFilter
from admin_views.form_rules import GroupedDetailsMixin, Row, laid_out, section
from admin_views.formatters import fmt_country, fmt_languages
from admin_views.forms import PoradnaForm
from admin_views.saving import save
from admin_views.validators import FieldRule
from extensions import db
from models import Client, Worker
from models.enums import AuditAction, ReassignReason
from csp import csp_nonce
from services import access, audit, client_documents, clients, codes, cover, formats, merge, privacy, scheduling
from services.errors import ServiceError
from services.formats import datetime_text


def _fmt_name(view, context, model, name):
    if model.anonymised_at is not None:
        return _l("(anonymised)")
    if model.is_anonymous and not model.alias:
        return _l("(anonymous)")
    return model.display_name


class ReassignForm(PoradnaForm):
    to_worker = SelectField(_l("New social worker"), coerce=int, validators=[DataRequired()])
    reason = SelectField(_l("Reason"), choices=lambda: [c for c in ReassignReason.choices() if c[0] != ReassignReason.MERGE],
                         validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("Internal note for managers; it is not part of the audit trail."))


class CoverForm(PoradnaForm):
    reason = StringField(_l("Why do you need to open this case?"), validators=[DataRequired(), Length(min=5, max=500)],
                         description=_l("For example: the client came urgently and their worker is on leave."))


def _document_languages():
    """The languages of the client's documents, each named in itself."""
    return [(code, client_documents.native_name(code)) for code in client_documents.languages()]


class ExportForm(PoradnaForm):
    format = RadioField(_l("Format"), choices=[("html", _l("Printable page (HTML, print to PDF)")), ("json", _l("Machine-readable (JSON)"))], default="html")
    lang = RadioField(_l("Language of the printable page"), choices=_document_languages,
                      description=_l("The client's language is chosen when the centre has the documents in it."))


class MergeForm(PoradnaForm):
    confirm = BooleanField(_l("Both records are the same person. I understand that the merge cannot be undone."),
                           validators=[DataRequired()])


class ConfirmForm(PoradnaForm):
    ids = HiddenField()
    confirm = BooleanField(_l("I understand that this cannot be undone."), validators=[DataRequired()])


def _ids_arg() -> list[str]:
    raw = request.values.get("ids") or request.args.get("id") or ""
    return [part for part in raw.replace(" ", "").split(",") if part]


class ClientView(GroupedDetailsMixin, RoadmapMixin, CaseFileMixin, ClientDocumentsMixin, SecureModelView):
    column_list = ("code", "name", "status", "worker", "citizenship", "phone", "last_contact_at")
    list_load_columns = ("first_name", "last_name", "alias", "is_anonymous", "anonymised_at")  # the "name" column
    column_details_list = (
        "code", "status", "is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex",
        "citizenship", "languages", "phone", "email", "municipality", "district", "residence_status", "worker",
        "legal_hold", "legal_hold_reason", "created_at", "last_contact_at", "anonymised_at",
    )
    column_sortable_list = ("code", "status", "last_name", "last_contact_at", "created_at", ("worker", "worker.full_name"))
    column_default_sort = ("created_at", True)
    column_searchable_list = ("code", "last_name", "first_name", "alias", "phone")
    search_by_client = True
    column_filters = ("status", WorkerFilter(Client.worker_id, _l("Social worker")), "citizenship", "residence_status", "is_anonymous", "legal_hold", "created_at", "last_contact_at", "district")
    column_labels = {
        "code": _l("Code"), "name": _l("Name"), "status": _l("Status"), "is_anonymous": _l("Anonymous"),
        "first_name": _l("First name"), "last_name": _l("Last name"), "alias": _l("Alias"),
        "birth_year": _l("Year of birth"), "birth_date": _l("Date of birth"), "sex": _l("Sex"),
        "citizenship": _l("Citizenship"), "languages": _l("Languages"), "phone": _l("Phone"), "email": _l("Email"),
        "municipality": _l("Municipality"), "district": _l("District"), "residence_status": _l("Residence status"),
        "worker": _l("Social worker"), "worker.full_name": _l("Social worker"), "legal_hold": _l("Legal hold"),
        "legal_hold_reason": _l("Reason for the legal hold"), "created_at": _l("Created"),
        "last_contact_at": _l("Last contact"), "anonymised_at": _l("Anonymised"),
    }
    column_descriptions = {
        "is_anonymous": _l("The person chose not to give their identity."),
        "alias": _l("A name the person wants to be called by instead of their real name."),
        "legal_hold": _l("Keeps the record from anonymisation and the retention purge."),
        "worker": _l("Set when the record is created; later changed only by a manager (reassignment)."),
    }
    column_formatters = {"name": _fmt_name, "citizenship": fmt_country, "languages": fmt_languages,
                         "phone": lambda view, context, model, name: clients.phone_tail(model.phone)}  # never the whole number in a list
    column_formatters_detail = {"name": _fmt_name, "citizenship": fmt_country, "languages": fmt_languages}
    form_columns = (
        "status", "is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex", "citizenship",
        "languages", "phone", "email", "municipality", "district", "residence_status", "worker", "legal_hold",
        "legal_hold_reason",
    )
    form_overrides = {"citizenship": CountryField, "legal_hold_reason": TextAreaField}  # a sentence or two: rows
    form_args = {
        # an interested person may have nobody yet (a client may not: services/clients.validate)
        "worker": {"query_factory": social_workers, "label": _l("Social worker"), "blank_text": _l("— nobody yet —")},
        "languages": {"choices": codes.language_choices, "label": _l("Languages")},
        "email": {"label": _l("Email"), "validators": [FieldRule(clients.email_problem)]},
        "phone": {"validators": [FieldRule(clients.phone_problem)]},
        "birth_year": {"validators": [FieldRule(clients.birth_year_problem)]},
    }
    form_widget_args = {
        "legal_hold_reason": {"rows": 2},
        # a searchable multi-select (Flask-Admin's select2), not a Ctrl-click list
        "languages": {"data-role": "select2", "data-placeholder": _l("Type a language")},
    }
    #: registration in sections, "anonymous" first, short fields side by side (admin_views/form_rules.py)
    form_create_rules = form_edit_rules = laid_out(
        section(_l("Who the person is (all optional)"), "is_anonymous", Row("first_name", "last_name", "alias"),
                Row("birth_year", "birth_date", "sex")),
        section(_l("Contact"), Row("phone", "email"), Row("municipality", "district")),
        section(_l("Situation"), Row("citizenship", "residence_status"), "languages"),
        section(_l("Social worker"), Row("status", "worker")),
        section(_l("Keeping the record"), "legal_hold", "legal_hold_reason", "confirm_new"),
    )
    #: the details page in the same groups
    details_groups = (
        (_l("Record"), ("code", "status", "worker", "created_at", "last_contact_at", "anonymised_at")),
        (_l("Who the person is"), ("is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex")),
        (_l("Contact"), ("phone", "email", "municipality", "district")),
        (_l("Situation"), ("citizenship", "residence_status", "languages")),
        (_l("Keeping the record"), ("legal_hold", "legal_hold_reason")),
    )
    can_delete = False  # erasure is a privacy operation with its own confirmation
    audit_views = True  # personal data: every opening is recorded
    details_template = "admin/client/details.html"

    # --- records merged into another one: out of the list, their code leads to the kept record -------
    def get_query(self):
        query = super().get_query()
        return query.filter(Client.merged_into_id.is_(None)) if self._on_list_page() else query

    def get_count_query(self):
        query = super().get_count_query()
        return query.filter(Client.merged_into_id.is_(None)) if query is not None and self._on_list_page() else query

    def get_one(self, id):
        client = super().get_one(id)
        if client.merged_into_id is not None:
            abort(self._to_kept_record(client))
        return client

    def _to_kept_record(self, client):
        """A merged record's page: the same page of the record it was merged into (details, edit, case
        file), anything else its details."""
        kept = db.session.get(Client, client.merged_into_id)
        flash(_("The record %(code)s was merged into %(kept)s.", code=client.code, kept=kept.code), "info")
        view = request.endpoint.rpartition(".")[2] if request.endpoint else ""
        if request.method != "GET" or view not in ("details_view", "edit_view", "case_view"):
            view = "details_view"
        return redirect(self.get_url(f".{view}", id=kept.id))

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if "worker" in form:
            del form["worker"]  # reassignment is a separate, manager-only operation
        return form

    def check_model(self, form, model, is_created):
        if not is_created:
            clients.validate(model)
            return
        clients.prepare_new(db.session, model, code=False)
        if not form.confirm_new.data:
            matches = clients.possible_duplicates(db.session, model, current_user)
            if matches:  # nothing saved: the form comes back with the people this may be
                self._template_args.update(possible_duplicates=matches, country_name=codes.country_name)
                raise ServiceError(_l("This person may already be registered. Nothing was saved: check the "
                                      "possible matches below."))
        model.code = clients.next_code(db.session)

    # --- the duplicate warning at registration ---------------------------------------------------
    create_template = "admin/client/create.html"

    def get_create_form(self):
        """The create form with ``confirm_new``: save although possible duplicates were shown."""
        class ClientCreateForm(super().get_create_form()):
            confirm_new = BooleanField(_l("This is a different person: save anyway"))

        return ClientCreateForm

    def render(self, template, **kwargs):
        form = kwargs.get("form")
        if template == self.create_template and form is not None and "confirm_new" in form \
                and not self._template_args.get("possible_duplicates") and not form.confirm_new.data:
            del form["confirm_new"]  # offered only with the possible duplicates it confirms
        return super().render(template, **kwargs)

    # --- the client's own operations ------------------------------------------------------------
    def _client_or_404(self):
        return self.get_one(request.args.get("id", ""))

    @expose("/reassign/", methods=("GET", "POST"))
    def reassign_view(self):
        if not access.can(current_user, "reassign"):
            deny("client.reassign")
        client = self._client_or_404()
        form = ReassignForm()
        form.to_worker.choices = [(w.id, w.full_name) for w in social_workers() if w.id != client.worker_id]
        if form.validate_on_submit():
            if save(lambda: clients.reassign(db.session, client, db.session.get(Worker, form.to_worker.data),
                                             form.reason.data, form.note.data, by=current_user), form=form):
                flash(_("The client %(code)s is now assigned to %(name)s.", code=client.code, name=client.worker.full_name), "success")
                return redirect(self.get_url(".details_view", id=client.id))
        return self.render("admin/client/reassign.html", client=client, form=form)

    @expose("/cover/", methods=("GET", "POST"))
    def cover_view(self):
        if not access.can(current_user, "cover"):
            deny("client.cover")
        client = self._client_or_404()
        form = CoverForm()
        if form.validate_on_submit():
            saved = save(lambda: cover.grant_cover(db.session, current_user._get_current_object(), client, form.reason.data),
                         form=form)
            if saved:
                flash(_("You have access to %(code)s until %(time)s. It is recorded in the audit trail.",
                        code=client.code, time=_format_time(saved.result.expires_at)), "success")
                return redirect(self.get_url(".case_view", id=client.id))  # where the work is
        return self.render("admin/client/cover.html", client=client, form=form)

    @expose("/accesses/")
    def accesses_view(self):
        if not access.can(current_user, "client_accesses"):
            deny("client.accesses")
        client = self._client_or_404()
        return self.render("admin/client/accesses.html", client=client, events=clients.accesses(db.session, client))

    # --- privacy: export, anonymisation, deletion ------------------------------------------------
    def is_action_allowed(self, name):
        operations = {"export": "export", "anonymise": "anonymise"}
        if name in operations:
            return access.can(current_user, operations[name])
        return super().is_action_allowed(name)

    @action("export", _l("Export the record"))
    def action_export(self, ids):
        scoped = self.scoped_ids(ids)
        if len(scoped) != 1:
            flash(_("Choose exactly one client to export."), "error")
            return redirect(self.get_url(".index_view"))
        return redirect(self.get_url(".export_view", id=scoped[0]))

    @action("anonymise", _l("Anonymise"))
    def action_anonymise(self, ids):
        scoped = self.scoped_ids(ids)
        if not scoped:
            flash(_("No client was chosen."), "error")
            return redirect(self.get_url(".index_view"))
        return redirect(self.get_url(".anonymise_view", ids=",".join(map(str, scoped))))

    @expose("/export/", methods=("GET", "POST"))
    def export_view(self):
        if not access.can(current_user, "export"):
            deny("client.export")
        client = self._client_or_404()
        form = ExportForm()
        if not form.is_submitted():
            form.lang.data = client_documents.for_client(client)
        if form.validate_on_submit():
            page = {} if form.format.data == "json" else {"links": self._export_links(client, form.lang.data), "nonce": csp_nonce()}
            body = privacy.export_client(db.session, client, form.format.data, form.lang.data,
                                         user=current_user._get_current_object(), **page)
            db.session.commit()
            if form.format.data == "json":
                return Response(body, mimetype="application/json", headers={
                    "Content-Disposition": f'attachment; filename="{client.code}.json"', "Cache-Control": "no-store"})
            return Response(body, mimetype="text/html", headers={"Cache-Control": "no-store"})
        return self.render("admin/client/export.html", client=client, form=form)

    def _export_links(self, client, lang: str) -> list:
        """The printable record in the other languages: the export form sent again (each one audited)."""
        action = self.get_url(".export_view", id=client.id)
        token = generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""
        return [client_documents.LanguageLink(code, client_documents.native_name(code), code == lang, url=action,
                                              fields={"csrf_token": token, "format": "html", "lang": code})
                for code in client_documents.languages()]

    def _confirm_targets(self):
        ids = self.scoped_ids(_ids_arg())
        if not ids:
            abort(404)
        return (db.session.query(Client).filter(Client.id.in_(ids)).options(joinedload(Client.worker))
                .order_by(Client.code).all())

    @expose("/anonymise/", methods=("GET", "POST"))
    def anonymise_view(self):
        if not access.can(current_user, "anonymise"):
            deny("client.anonymise")
        targets = self._confirm_targets()
        form = ConfirmForm(ids=",".join(str(c.id) for c in targets))
        if form.validate_on_submit():
            done, refused = 0, []
            for client in targets:
                try:
                    if privacy.anonymise(db.session, client, current_user.id):
                        done += 1
                    db.session.commit()
                except ServiceError:
                    db.session.rollback()
                    refused.append(client.code)
            if not privacy.wipe_freed_space(db.session):
                flash(str(privacy.WIPE_PENDING), "warning")
            flash(ngettext("%(num)d client was anonymised.", "%(num)d clients were anonymised.", done), "success")
            if refused:
                flash(_("Not anonymised because of a legal hold: %(codes)s", codes=", ".join(refused)), "error")
            return redirect(self.get_url(".index_view"))
        planned = privacy.planned_appointments(db.session, [c.id for c in targets])
        previews = [{"client": c, "person": _person(c), "removed": privacy.anonymise_preview(db.session, c),
                     "needed": privacy.needs_anonymising(db.session, c),
                     "planned": [a for a in planned if a.client_id == c.id]} for c in targets]
        return self.render("admin/client/anonymise.html", previews=previews, form=form)

    @expose("/delete-record/", methods=("GET", "POST"))
    def delete_record_view(self):
        if not access.can(current_user, "delete_client"):
            deny("client.delete_record")
        client = self._client_or_404()
        form = ConfirmForm(ids=str(client.id))
        if form.validate_on_submit():
            saved = save(lambda: privacy.delete_client(db.session, client, current_user.id))
            if not saved:
                return redirect(self.get_url(".details_view", id=client.id))
            if not privacy.wipe_freed_space(db.session):
                flash(str(privacy.WIPE_PENDING), "warning")
            flash(_("The record %(code)s and everything under it was deleted.", code=saved.result), "success")
            return redirect(self.get_url(".index_view"))
        return self.render("admin/client/delete.html", client=client, person=_person(client),
                           counts=privacy.delete_preview(db.session, client), form=form)

    # --- merging two records of one person ------------------------------------------------------
    def _any_record(self, raw):
        """A client the user may see by id, merged or not (the merge's refusals say why not)."""
        return SecureModelView.get_one(self, raw)

    def _merge_value(self, name, value):
        """A personal field's value as the merge page shows it."""
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if name == "citizenship":
            return codes.country_name(value)
        if name == "birth_date":
            return formats.date_text(value)
        return str(value)

    @expose("/merge/", methods=("GET", "POST"))
    def merge_view(self):
        """Merge this record (a duplicate) into another record of the same person: first choose the
        record to keep (by code or name, or among the likely matches), then confirm on the preview."""
        if not access.can(current_user, "merge"):
            deny("client.merge")
        duplicate = self._any_record(request.args.get("id", ""))
        if duplicate.merged_into_id is not None:
            return self._to_kept_record(duplicate)
        if not request.args.get("into"):
            query = (request.args.get("q") or "").strip()[:100]
            found = [c for c in clients.search(db.session, query, current_user, limit=15) if c.id != duplicate.id] if query else []
            likely = clients.possible_duplicates(db.session, duplicate, current_user)
            return self.render("admin/client/merge_choose.html", client=duplicate, query=query, found=found, likely=likely,
                               country_name=codes.country_name)
        kept = self._any_record(request.args["into"])
        take = [name for name in merge.FIELDS if request.form.get(f"take_{name}") == "other"]
        form = MergeForm()
        try:
            plan = merge.preview(db.session, duplicate, kept, take)
        except ServiceError as exc:
            flash(str(exc.message), "error")
            return redirect(self.get_url(".merge_view", id=duplicate.id))
        if form.validate_on_submit():
            if not save(lambda: merge.merge(db.session, duplicate, kept, take=take, actor_id=current_user.id)):
                return redirect(self.get_url(".merge_view", id=duplicate.id, into=kept.id))
            if not privacy.wipe_freed_space(db.session):
                flash(str(privacy.WIPE_PENDING), "warning")
            flash(_("The record %(code)s was merged into %(kept)s.", code=duplicate.code, kept=kept.code), "success")
            return redirect(self.get_url(".details_view", id=kept.id))
        if form.is_submitted():
            flash(_("Tick the confirmation to merge the records."), "error")
        for record in (duplicate, kept):  # the preview shows both people's personal data
            audit.record_for(db.session, AuditAction.VIEW, record, details={"screen": "client.merge_view"})
        fields = [(choice, self.column_labels.get(choice.name, choice.name), self._merge_value(choice.name, choice.kept),
                   self._merge_value(choice.name, choice.other)) for choice in plan.fields]
        html = self.render("admin/client/merge.html", duplicate=duplicate, kept=kept, plan=plan, fields=fields, form=form,
                           take=take, workers={w.id: w.full_name for w in social_workers()}, country_name=codes.country_name)
        db.session.commit()
        return html

    def merged_codes(self, client) -> list[str]:
        """The codes of the records merged into this one, for its details page."""
        return clients.codes_of(db.session, client)[1:]

    def attendance(self, client) -> dict:
        return scheduling.attendance_counts(db.session, client.id)

    def client_actions(self, client) -> dict:
        """What the current user may do with this client, for the details page."""
        return {
            "export": access.can(current_user, "export"),
            # also a client marked anonymised who still holds personal data or text (anonymised again)
            "anonymise": access.can(current_user, "anonymise") and privacy.needs_anonymising(db.session, client),
            "delete": access.can(current_user, "delete_client"),
            "reassign": access.can(current_user, "reassign") and client.anonymised_at is None,
            "cover": access.can(current_user, "cover") and client.worker_id not in (None, current_user.id)
            and not access.holds_client(db.session, current_user, client.id),
            "accesses": access.can(current_user, "client_accesses"),
            "merge": access.can(current_user, "merge") and client.anonymised_at is None,
            "book": access.can_open(current_user, "appointment") and client.anonymised_at is None
            and client.merged_into_id is None,
        }


def _person(client: Client) -> dict:
    """Who a destructive operation concerns, as its confirmation page names them: the name (or alias),
    the year of birth and their social worker, so that the manager confirms the right person."""
    if client.anonymised_at is not None:
        name = _("(anonymised)")
    else:
        name = client.display_name or _("(anonymous)")
    year = client.birth_year or (client.birth_date.year if client.birth_date else None)
    return {"name": name, "birth_year": year, "worker": client.worker.full_name if client.worker else None}


def _format_time(value):
    return datetime_text(value)
