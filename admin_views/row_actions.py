"""Row actions that follow the access policy per row: a list offers Delete only on the rows the person may
delete (services.access.can_delete), so that no button leads to a refusal (reception and a manager who is
not the client's social worker saw Delete on every appointment, and every such POST was a 403)."""
from __future__ import annotations

from flask import g
from flask_admin.model.template import DeleteRowAction
from flask_login import current_user

from extensions import db
from services import access


def _page_rights(rows) -> dict:
    """Who may delete which row of the page, asked once per request for all the page's rows."""
    kept = g.get("_poradna_delete_rights")
    if kept is None or kept[0] is not rows:
        kept = (rows, access.can_delete_rows(db.session, current_user, rows or ()))
        g._poradna_delete_rights = kept
    return kept[1]


class PolicyDeleteRowAction(DeleteRowAction):
    """Flask-Admin's Delete of a row, left out where the policy refuses it."""

    def render(self, context, row_id, row):
        allowed = _page_rights(context.get("data")).get(getattr(row, "id", None))
        if allowed is None:  # a row that is not on the page's list
            allowed = access.can_delete(db.session, current_user, row)
        if not allowed:
            return ""
        return super().render(context, row_id, row)


def with_policy(actions: list) -> list:
    """A view's row actions with its Delete asking the policy per row."""
    return [PolicyDeleteRowAction() if type(action) is DeleteRowAction else action for action in actions]
