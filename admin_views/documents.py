"""The papers a client takes home, printed in the client's language (services/client_documents.py).

=============================== ===================================================== ==========================
endpoint                        what                                                  who (services.access)
=============================== ===================================================== ==========================
client.case_roadmap_view        ``/admin/client/case/roadmap/?id=N&lang=xx``: the     whoever may read the case
                                roadmap of client N                                   (own worker, cover, manager)
client.rules_view               ``/admin/client/rules/?lang=xx``: the rules for       reception, workers, managers
                                clients, the walk-in hours, personal data
appointment.card_view           ``/admin/appointment/card/?id=N&lang=xx``: the card    whoever may see the
                                of planned appointment N                              appointment (reception books)
client.export_view (clients.py) the printable record export                           managers
=============================== ===================================================== ==========================

Without ``lang`` (or with a language that has no catalog) a document is in the client's first
recorded language that has one, otherwise Czech; the page links to the others (hidden in print).
Each printing is one operation of services.client_documents (checked, rendered, audited as an export);
the page is not cached.
"""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.gate import deny
from extensions import db
from csp import csp_nonce
from services import access, client_documents, roadmap


def document_response(html: str, status: int = 200) -> Response:
    return Response(html, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def language_links(endpoint: str, lang: str, **args) -> list[client_documents.LanguageLink]:
    """Links to the document of ``endpoint`` in every language."""
    return client_documents.language_links(lang, lambda code: url_for(endpoint, **args, lang=code))


def print_document(kind: str, lang: str, endpoint: str, link_args: dict, **context) -> str:
    """One printing (services.client_documents.print_document: checked, rendered, audited); a person who
    may not print it: an audited 404 (the document does not say whether it exists)."""
    try:
        return client_documents.print_document(db.session, kind, current_user, lang, nonce=csp_nonce(),
                                               links=language_links(endpoint, lang, **link_args), **context)
    except PermissionError:
        deny(endpoint, context.get("appointment") or context.get("client"), status=404)


class ClientDocumentsMixin:
    """The roadmap and the rules for clients, on :class:`~admin_views.clients.ClientView`."""

    @expose("/case/roadmap/")
    def case_roadmap_view(self):
        if not access.can_open(current_user, "agreement"):
            deny("client.case_roadmap_view")
        client = self.get_one(request.args.get("id", ""))
        data = roadmap.printed(db.session, client, current_user)
        if data is None:  # no agreement this person may read
            if not client_documents.may_print(db.session, "roadmap", current_user, client=client):
                deny("client.case_roadmap_view", client, status=404)
            abort(404)
        lang = client_documents.for_client(client, request.args.get("lang"))
        html = print_document("roadmap", lang, "client.case_roadmap_view", {"id": client.id}, **data)
        db.session.commit()
        return document_response(html)

    @expose("/rules/")
    def rules_view(self):
        lang = client_documents.choose(None, request.args.get("lang"))
        html = print_document("rules", lang, "client.rules_view", {}, retention_years=current_app.config["RETENTION_YEARS"])
        db.session.commit()
        return document_response(html)


class AppointmentCardMixin:
    """The appointment card, on :class:`~admin_views.contacts.AppointmentView`."""

    @expose("/card/")
    def card_view(self):
        appointment = self.get_one(request.args.get("id", ""))  # scoped: 404 (audited) if not to be seen
        if not client_documents.has_card(appointment):
            html = render_template("error.html", code=404, message=_(
                "This appointment is not planned any more, so there is no card to print for it."))
            return document_response(html, 404)
        lang = client_documents.for_client(appointment.client, request.args.get("lang"))
        html = print_document("appointment_card", lang, "appointment.card_view", {"id": appointment.id},
                              appointment=appointment)
        db.session.commit()
        return document_response(html)
