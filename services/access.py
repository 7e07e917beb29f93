"""The one access policy: which screens a person may open and which rows they may see.

Every admin view, ajax lookup, action, export, custom page and CLI path asks here.
"""
from __future__ import annotations

from typing import Any

from models.enums import Role

R, W, M, A = Role.RECEPTION, Role.WORKER, Role.MANAGER, Role.ADMIN

#: Which roles may open each back-office screen (by endpoint). Roles add up.
SCREEN_ROLES: dict[str, frozenset[Role]] = {
    "admin": frozenset({R, W, M, A}),  # the dashboard
    "client": frozenset({R, W, M}),
    "intake": frozenset({W, M}),
    "agreement": frozenset({W, M}),
    "task": frozenset({W, M}),
    "appointment": frozenset({R, W, M}),
    "visit": frozenset({R, W, M}),
    "worker": frozenset({A}),
    "topic": frozenset({A}),
    "office": frozenset({A}),
    "audit": frozenset({M}),
}


def is_staff(user: Any) -> bool:
    """A logged-in, active account with at least one role."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role_set", None)
    )


def can_open(user: Any, endpoint: str) -> bool:
    """May ``user`` open the screen ``endpoint`` at all?"""
    if not is_staff(user):
        return False
    allowed = SCREEN_ROLES.get(endpoint)
    if allowed is None:
        return False  # a screen nobody listed is closed to everybody
    return bool(user.role_set & allowed)


def scope(query, model, user: Any):
    """Restrict a query over ``model`` to the rows ``user`` may see.

    Staff who may open a screen see its rows; per-client rules refine this.
    """
    if not is_staff(user):
        return query.filter(False)
    return query
