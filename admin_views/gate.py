"""Who may open a screen: one gate for every back-office page, asked of :mod:`services.access`.

A page declares its screen once (``screen = "calendar"`` on a ``PolicyGatedView, BaseView`` subclass;
a model view's screen is its endpoint: Flask-Admin's view metaclass takes no class keywords). Someone not signed in is sent to the sign-in page and comes
back to the same address, query string included; a signed-in person the policy refuses gets an
audited 403 (:func:`deny`).
"""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user

from admin_views.static_urls import StaticUrlsKept
from extensions import db
from models.enums import AuditAction
from services import access, audit


def deny(endpoint: str, obj=None, status: int = 403, details: dict | None = None):
    """Audit a refused access and answer 403 (or 404 where existence must not leak).

    ``details`` (no personal data: e.g. the refused action's name) are added to the entry.
    """
    if current_user.is_authenticated:
        if obj is not None:
            audit.record_for(db.session, AuditAction.DENIED, obj, details={"screen": endpoint} | (details or {}))
        else:
            audit.record(db.session, AuditAction.DENIED, entity=endpoint,
                         details={"path": request.path[:200]} | (details or {}))
        db.session.commit()
    abort(status)


def login_redirect():
    """To the sign-in page, and back to this very address (with its query string) afterwards."""
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


class PolicyGatedView(StaticUrlsKept):
    """Flask-Admin's ``is_accessible``/``inaccessible_callback`` answered by the access policy for
    ``screen`` (by default the view's endpoint); the static files' addresses of every back-office page
    built once (:mod:`admin_views.static_urls`)."""

    screen: str | None = None

    @property
    def gate_screen(self) -> str:
        return self.screen or self.endpoint

    def is_accessible(self):
        return access.can_open(current_user, self.gate_screen)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        deny(self.gate_screen)
