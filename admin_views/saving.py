"""Saving from a custom page: a service operation, then commit and a message, or roll back and say why.

Every operation of :mod:`services` changes the session, audits and flushes; the page that called it
commits (:func:`save`). On a :class:`~services.errors.ServiceError` nothing of the operation is kept:
the session is rolled back, the message is shown at the form field the error names and at the top of
the page, and the page shows the form again with what was typed. Return addresses a request carries
go through the one safe-redirect check (:func:`security.safe_next`).
"""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, request
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict

from extensions import db
from security import safe_next
from services.errors import ServiceError


class Saved:
    """What :func:`save` did: ``ok`` when the operation was committed, with its ``result``."""

    __slots__ = ("ok", "result", "error")

    def __init__(self, ok: bool, result: Any = None, error: ServiceError | None = None):
        self.ok, self.result, self.error = ok, result, error

    def __bool__(self) -> bool:
        return self.ok


def field_of(fields, name: str | None):
    """The field ``name`` of a form, also inside field lists and subforms (``new_tasks-0-description``)."""
    if fields is None or not name:
        return None
    for f in fields:
        if f.name == name:
            return f
        if f.type in ("FieldList", "FormField"):
            found = field_of(f, name)
            if found is not None:
                return found
    return None


def show_error(form, exc: ServiceError, *, flash_message: str | None = None, fields: dict | None = None) -> None:
    """A service's refusal at its field (when it names one; ``fields`` maps the service's name of it to
    the form's, e.g. ``{"password": "new_password"}``) and at the top of the page."""
    target = field_of(form, (fields or {}).get(exc.field, exc.field))
    if target is not None:
        target.errors = list(target.errors or []) + [str(exc.message)]
    flash(flash_message if flash_message is not None else str(exc.message), "error")


def save(operation: Callable[[], Any], *, form=None, success: str | None = None,
         error: Callable[[ServiceError], str] | None = None, fields: dict | None = None) -> Saved:
    """Run ``operation`` (a service call that flushes) and commit, flashing ``success``; on a
    :class:`ServiceError` roll back and show it (:func:`show_error`; ``error`` words the message at the
    top, ``fields`` names the form's field for the service's). Other errors propagate (the error page
    rolls back)."""
    try:
        result = operation()
    except ServiceError as exc:
        db.session.rollback()
        show_error(form, exc, flash_message=error(exc) if error is not None else None, fields=fields)
        return Saved(False, error=exc)
    db.session.commit()
    if success:
        flash(success, "success")
    return Saved(True, result)


def safe_redirect(target: str | None, fallback: str):
    """A redirect to ``target`` when it is a safe return address, else to ``fallback``."""
    return redirect(safe_next(target) or fallback)


def forget_unsafe_return_address() -> None:
    """Flask-Admin's return address (``url``, in the address or a posted form) only when the one
    safe-redirect check (:func:`security.safe_next`) accepts it; otherwise this request goes on as if
    none was given, and Flask-Admin returns to the list."""
    changed = False
    for source in ("args", "form"):
        data = getattr(request, source)
        raw = data.get("url")
        if raw is not None and safe_next(raw) is None:
            kept = data.copy()
            kept.poplist("url")
            setattr(request, source, ImmutableMultiDict(kept))  # a cached property: the rest of the request reads this
            changed = True
    if changed:
        request.values = CombinedMultiDict([request.args] if request.method == "GET" else [request.args, request.form])
