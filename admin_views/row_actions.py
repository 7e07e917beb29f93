"""Row actions: Flask-Admin's own, drawn by our macros (``admin/model/poradna_row_actions.html``, imported
by the list page as ``poradna_row_actions``) so that each icon has its words for screen readers and the
rows' delete forms repeat no id. Flask-Admin's own ``admin/model/row_actions.html`` stays as it is: its
row-action classes name the macro they draw with (``TemplateLinkRowAction``'s public ``template_name``),
and :func:`with_policy` swaps them for ones naming ours.

Delete follows the access policy per row: a list offers it only on the rows the person may delete
(services.access.can_delete), so that no button leads to a refusal (reception and a manager who is not
the client's social worker saw Delete on every appointment, and every such POST was a 403)."""
from __future__ import annotations

from flask import g
from flask_admin.model.template import (DeleteRowAction, EditPopupRowAction, EditRowAction, EndpointLinkRowAction,
                                        TemplateLinkRowAction, ViewPopupRowAction, ViewRowAction)
from flask_login import current_user

from extensions import db
from services import access

#: the name the list page imports our macros under
MACROS = "poradna_row_actions"

#: Flask-Admin's row actions and the macro of ours that draws each
_OURS = {
    ViewRowAction: "view_row",
    ViewPopupRowAction: "view_row_popup",
    EditRowAction: "edit_row",
    EditPopupRowAction: "edit_row_popup",
}


def _page_rights(rows) -> dict:
    """Who may delete which row of the page, asked once per request for all the page's rows."""
    kept = g.get("_poradna_delete_rights")
    if kept is None or kept[0] is not rows:
        kept = (rows, access.can_delete_rows(db.session, current_user, rows or ()))
        g._poradna_delete_rights = kept
    return kept[1]


class PolicyDeleteRowAction(TemplateLinkRowAction):
    """Flask-Admin's Delete of a row (drawn by our macro), left out where the policy refuses it."""

    def __init__(self, title=None):
        super().__init__(f"{MACROS}.delete_row", title or DeleteRowAction().title)

    def render(self, context, row_id, row):
        allowed = _page_rights(context.get("data")).get(getattr(row, "id", None))
        if allowed is None:  # a row that is not on the page's list
            allowed = access.can_delete(db.session, current_user, row)
        if not allowed:
            return ""
        return super().render(context, row_id, row)


class EndpointLink(EndpointLinkRowAction):
    """Flask-Admin's link to another page of the row, drawn by our ``link`` macro (words for screen readers)."""

    def render(self, context, row_id, row):
        link = context.resolve(MACROS).link  # Jinja's public Context.resolve: our macros, imported by the list
        url = context.resolve("get_url")(self.endpoint, **dict(self.url_args or {}), **{self.id_arg: row_id})
        return link(self, url)


def with_policy(actions: list) -> list:
    """A view's row actions drawn by our macros, with Delete asking the policy per row."""
    ours = []
    for action in actions:
        kind = type(action)
        if kind is DeleteRowAction:
            action = PolicyDeleteRowAction(action.title)
        elif kind in _OURS:
            action = TemplateLinkRowAction(f"{MACROS}.{_OURS[kind]}", action.title)
        elif kind is EndpointLinkRowAction:
            action = EndpointLink(action.icon_class, action.endpoint, action.title, action.id_arg, action.url_args)
        ours.append(action)
    return ours
