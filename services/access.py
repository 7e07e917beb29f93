"""The one access policy: which screens a person may open, which rows they may see, which fields
they may read and write.

Every admin view, ajax lookup, action, export, custom page and CLI path asks here.

- reception: interested persons and walk-ins, the appointment book, visits; never confidential text.
- worker: full access to their own clients (and to clients they hold cover access for, and to
  interested persons whose intake they held); for everyone else only what reception sees.
- manager: reads everything (every read of confidential content is audited), reassigns clients;
  writes and deletes no case content (unless also the client's social worker).
- admin: staff accounts and code lists only.
Roles add up.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from werkzeug.local import LocalProxy

from models import Agreement, Appointment, AuditEvent, CentreProfile, Client, CoverGrant, DataRequest, Intake, PublicOffice, Reassignment, RoadmapTask, Topic, Visit, WalkInHours, Worker, WorkingHours
from models.base import utcnow
from models.enums import Role

R, W, M, A = Role.RECEPTION, Role.WORKER, Role.MANAGER, Role.ADMIN

#: Which roles may open each back-office screen (by endpoint). Roles add up.
SCREEN_ROLES: dict[str, frozenset[Role]] = {
    "admin": frozenset({R, W, M, A}),  # the start page
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
    "reports": frozenset({W, M}),  # managers: every figure; social workers: their own clients' figures
    "data_request": frozenset({M}),
    "retention": frozenset({M}),
    "calendar": frozenset({R, W, M}),
    "calendar_link": frozenset({W}),
    "walkin_hours": frozenset({A}),
    "working_hours": frozenset({A}),
    "centre": frozenset({A}),  # the centre profile printed on the client's documents
    "account": frozenset({R, W, M, A}),  # one's own password and two-factor sign-in
    "lockouts": frozenset({M, A}),  # sign-in lockouts: see and lift
}

#: Operations beyond a screen's CRUD, and who may run them.
OPERATION_ROLES: dict[str, frozenset[Role]] = {
    "reassign": frozenset({M}),
    "cover": frozenset({W}),
    "client_accesses": frozenset({M}),
    "export": frozenset({M}),
    "anonymise": frozenset({M}),
    "delete_client": frozenset({M}),
    "merge": frozenset({M}),  # two records of one person into one (services/merge.py)
    "purge": frozenset({M}),
    "lift_lockout": frozenset({M, A}),
    "reset_two_factor": frozenset({A}),
}

#: Who may create, edit and delete on a screen, where that is fewer than who may open it. Managers read
#: the case content of every client (audited) but write none of it: that is the client's own social
#: worker's (or a colleague's with cover access). Rows and fields are checked as well (see
#: :func:`check_write` and :func:`can_delete`).
WRITE_ROLES: dict[str, frozenset[Role]] = {
    "intake": frozenset({W}),
    "agreement": frozenset({W}),
    "task": frozenset({W}),
}

#: Confidential columns per model: never shown to reception, nor to a worker without full access.
CONFIDENTIAL: dict[type, frozenset[str]] = {
    Appointment: frozenset({"notes", "evaluation", "next_steps"}),
    Visit: frozenset({"summary"}),
    Agreement: frozenset({"issue", "goal", "end_reason"}),
    Intake: frozenset({"issue", "end_note"}),
    RoadmapTask: frozenset({"description", "outcome"}),
    Reassignment: frozenset({"note"}),
    DataRequest: frozenset({"note"}),
}

#: Models that are case content as a whole: only people with full access to the client see their rows.
CASE_MODELS = (Agreement, Intake, RoadmapTask)


def is_staff(user: Any) -> bool:
    """A logged-in, active account with at least one role."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role_set", None)
    )


def _roles(user: Any) -> frozenset[Role]:
    if isinstance(user, LocalProxy):  # current_user: looked up once here, not at each attribute
        user = user._get_current_object()
    return user.role_set if is_staff(user) else frozenset()


def can_open(user: Any, endpoint: str) -> bool:
    """May ``user`` open the screen ``endpoint`` at all?"""
    allowed = SCREEN_ROLES.get(endpoint)
    if allowed is None:
        return False  # a screen nobody listed is closed to everybody
    return bool(_roles(user) & allowed)


def can(user: Any, operation: str) -> bool:
    """May ``user`` run ``operation`` (see :data:`OPERATION_ROLES`)?"""
    return bool(_roles(user) & OPERATION_ROLES.get(operation, frozenset()))


def can_write_screen(user: Any, endpoint: str) -> bool:
    """May ``user`` create, edit or delete anything on the screen ``endpoint``?"""
    return can_open(user, endpoint) and bool(_roles(user) & WRITE_ROLES.get(endpoint, SCREEN_ROLES[endpoint]))


def can_delete(session, user: Any, obj: Any) -> bool:
    """May ``user`` delete ``obj``? Case content and contacts only by a social worker with full access
    to the client (for an anonymous walk-in: the worker who handled it)."""
    if isinstance(obj, (Appointment, Visit) + CASE_MODELS):
        return _holds(session, user, obj)
    return True


# --- which clients a worker holds --------------------------------------------------------------

# The rule, written once: a social worker holds a client who is assigned to them (own), whom they
# cover with an active grant (cover), or who is assigned to nobody and whose intake they held (intake).
# Each part is a condition over the entities it names, so that the set form (accessible_client_ids,
# report_client_ids) and the one-client form (holds_expression) say the same.

def _own(client, worker_id):
    return client.worker_id == worker_id


def _covering(grant, worker_id, now):
    return sa.and_(grant.worker_id == worker_id, grant.revoked_at.is_(None), grant.expires_at > now)


def _took_intake(client, intake, worker_id):
    return sa.and_(client.worker_id.is_(None), intake.worker_id == worker_id)


def _own_ids(worker_id):
    return sa.select(Client.id).where(_own(Client, worker_id))


def _intake_ids(worker_id):
    return (sa.select(Intake.client_id).join(Client, Client.id == Intake.client_id)
            .where(_took_intake(Client, Intake, worker_id)))


def accessible_client_ids(user: Any, now=None):
    """A subquery of the client ids ``user`` has full access to as a social worker.

    Their own clients, clients they hold an active cover grant for, and interested persons
    without an assigned worker whose intake they held.
    """
    now = now or utcnow()
    cover = sa.select(CoverGrant.client_id).where(_covering(CoverGrant, user.id, now))
    return sa.union(_own_ids(user.id), cover, _intake_ids(user.id))


def report_worker_id(user: Any) -> int | None:
    """Whose figures ``user`` sees in reports: None for every figure (managers), their own id for a
    social worker (their own clients only). Raises :class:`PermissionError` for anyone else."""
    roles = _roles(user)
    if M in roles:
        return None
    if W in roles:
        return user.id
    raise PermissionError("no access to reports")


def report_client_ids(worker_id: int):
    """A subquery of the ids of ``worker_id``'s own clients, as counted in their reports.

    Their assigned clients and the interested persons without an assigned worker whose intake
    they held (the holding rule without cover: cover access is temporary and does not count).
    """
    return sa.union(_own_ids(worker_id), _intake_ids(worker_id))


def _client_id_of(obj: Any) -> int | None:
    if isinstance(obj, Client):
        return obj.id
    if isinstance(obj, RoadmapTask):
        agreement = obj.agreement
        return agreement.client_id if agreement is not None else None
    return getattr(obj, "client_id", None) or getattr(getattr(obj, "client", None), "id", None)


def holds_client(session, user: Any, client_id: int | None) -> bool:
    """Has ``user`` full (worker) access to this client? Answered once per request and client."""
    if client_id is None or W not in _roles(user):
        return False
    cache = _request_cache()
    key = ("holds", getattr(user, "id", None), client_id)
    if cache is not None and key in cache:
        return cache[key]
    answer = session.execute(sa.select(sa.literal(1)).where(holds_expression(client_id, user))).first() is not None
    if cache is not None:
        cache[key] = answer
    return answer


def prefetch_holds(session, user: Any, client_ids) -> None:
    """Answer :func:`holds_client` for several clients in one query (a list page asks it for each row's
    Delete button); the answers are kept for the rest of the request."""
    cache = _request_cache()
    if cache is None or W not in _roles(user):
        return
    uid = getattr(user, "id", None)
    wanted = {cid for cid in client_ids if cid is not None and ("holds", uid, cid) not in cache}
    if not wanted:
        return
    held = set(session.execute(sa.select(Client.id).where(Client.id.in_(sorted(wanted)),
                                                          holds_expression(Client.id, user))).scalars())
    for cid in wanted:
        cache["holds", uid, cid] = cid in held


def row_holds_column(model: type, user: Any):
    """:func:`holds_column` where :func:`can_delete` asks it of each row of ``model`` (a list loads it with
    its rows, so the rows' Delete buttons ask no query of their own), else None."""
    if not issubclass(model, (Appointment, Visit) + CASE_MODELS):
        return None
    return holds_column(model, user)


def remember_row_holds(user: Any, rows) -> None:
    """Store the answers of :func:`row_holds_column` loaded with ``rows`` (pairs of row and answer)."""
    for obj, answer in rows:
        remember_holds(user, _client_id_of(obj), answer)


def can_delete_rows(session, user: Any, rows) -> dict[int, bool]:
    """:func:`can_delete` for each of ``rows`` (id → answer), in at most one query."""
    rows = list(rows)
    prefetch_holds(session, user, {_client_id_of(row) for row in rows if isinstance(row, (Appointment, Visit) + CASE_MODELS)})
    return {row.id: can_delete(session, user, row) for row in rows}


def _request_cache() -> dict | None:
    """A per-request memo (access answers do not change within one request)."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    if "_access_cache" not in g:
        g._access_cache = {}
    return g._access_cache


def _holds(session, user: Any, obj: Any) -> bool:
    client_id = _client_id_of(obj)
    if client_id is None:
        # an anonymous walk-in: the worker who handled it
        return W in _roles(user) and getattr(obj, "worker_id", None) == user.id
    return holds_client(session, user, client_id)


def can_read_confidential(session, user: Any, obj: Any) -> bool:
    """May ``user`` read the confidential fields of ``obj``? Managers may (and are audited)."""
    roles = _roles(user)
    if M in roles:
        return True
    return _holds(session, user, obj)


def can_write_confidential(session, user: Any, obj: Any) -> bool:
    """May ``user`` write confidential fields of ``obj``? Only a worker with full access."""
    if _client_id_of(obj) is None and getattr(obj, "client", None) is None and isinstance(obj, (Appointment, Visit)):
        return W in _roles(user)
    if isinstance(obj, (Agreement, Intake)) and obj.client is not None and obj.client.worker_id is None:
        return W in _roles(user)  # an interested person nobody holds yet
    return _holds(session, user, obj)


def list_shows_confidential(user: Any) -> bool:
    """May a list show ``user`` the confidential text of its rows? A social worker's lists hold only the
    clients they hold; a manager reads confidential text one audited record at a time, never a list of it."""
    roles = _roles(user)
    return W in roles and M not in roles


def confidential_fields(model: type) -> frozenset[str]:
    return CONFIDENTIAL.get(model, frozenset())


def hidden_fields(session, user: Any, model: type, obj: Any | None = None, *, write: bool = False) -> frozenset[str]:
    """Fields of ``model`` that ``user`` may not read (or, with ``write``, not write) on ``obj``.

    Without ``obj`` (a list, a new record) the answer is for the role alone.
    """
    fields = confidential_fields(model)
    if not fields:
        return frozenset()
    roles = _roles(user)
    if obj is None:
        allowed = (W in roles) if write else bool(roles & {W, M})
        return frozenset() if allowed else fields
    allowed = can_write_confidential(session, user, obj) if write else can_read_confidential(session, user, obj)
    return frozenset() if allowed else fields


# --- rows ----------------------------------------------------------------------------------------

def scope(query, model, user: Any):
    """Restrict a query over ``model`` to the rows ``user`` may see."""
    roles = _roles(user)
    if not roles:
        return query.filter(sa.false())
    if model in (AuditEvent, Reassignment, DataRequest):
        return query if M in roles else query.filter(sa.false())
    if model in (Worker, Topic, PublicOffice, WalkInHours, WorkingHours, CentreProfile):
        return query if A in roles else query.filter(sa.false())
    if model in (Client, Appointment, Visit):
        return query if roles & {R, W, M} else query.filter(sa.false())
    if model in CASE_MODELS:
        if M in roles:
            return query
        if W not in roles:
            return query.filter(sa.false())
        held = accessible_client_ids(user)
        if model is RoadmapTask:
            return query.filter(RoadmapTask.agreement_id.in_(sa.select(Agreement.id).where(Agreement.client_id.in_(held))))
        return query.filter(model.client_id.in_(held))
    if model is CoverGrant:
        if M in roles:
            return query
        return query.filter(sa.or_(CoverGrant.worker_id == user.id, CoverGrant.client_id.in_(sa.select(Client.id).where(Client.worker_id == user.id))))
    return query.filter(sa.false())  # a model nobody listed is closed to everybody


def check_write(session, user: Any, obj: Any, changed: list[str] | None) -> None:
    """Refuse a save that writes what ``user`` may not write (raises :class:`ServiceError`).

    ``changed`` is the list of changed fields (None for a new record). The record is judged as it
    will be after the save and as it was: a case record keeps its client (:mod:`services.writes`;
    a save moving it is a :class:`~services.writes.RefusedWrite`), and where a move is allowed
    (:func:`services.writes.moving_case_records`) the user must hold the client on both sides.
    """
    from flask_babel import lazy_gettext as _l

    from services import writes

    model = type(obj)
    with session.no_autoflush:
        if not session.info.get("moving_case_records"):
            writes.refuse_move(obj)
        both = writes.owners(session, obj)
    if len(both) > 1 and not all(holds_client(session, user, client_id) for client_id in both):
        raise writes.RefusedWrite(writes.MOVED, reason="client_changed")
    if isinstance(obj, CASE_MODELS) and not can_write_confidential(session, user, obj):
        raise writes.RefusedWrite(_l("This client is assigned to another social worker. Open the case with cover access first."),
                                  reason="not_own_client")
    fields = confidential_fields(model)
    touched = fields if changed is None else fields.intersection(changed)
    if changed is None:
        touched = {f for f in touched if getattr(obj, f, None) not in (None, "")}
    if touched and not can_write_confidential(session, user, obj):
        raise writes.RefusedWrite(_l("Only the client's own social worker may write notes and other confidential content."),
                                  field=sorted(touched)[0], reason="confidential")


# --- answering the access question together with the row -----------------------------------------

def client_id_column(model: type):
    """A SQL expression for the client a row of ``model`` belongs to (None for models without one)."""
    if model is Client:
        return Client.id
    if model is RoadmapTask:
        return (sa.select(Agreement.client_id).where(Agreement.id == RoadmapTask.agreement_id)
                .correlate(RoadmapTask).scalar_subquery())  # also from inside a nested EXISTS
    if model in (Appointment, Visit, Agreement, Intake):
        return model.client_id
    return None


#: aliases, so that the outer query's own client, cover grant or intake is never correlated in; made
#: once (an alias made per call is adapted anew by SQLAlchemy on every page; the SQL is the same)
_HELD_ALIASES = (sa.orm.aliased(Client, name="held_client"), sa.orm.aliased(CoverGrant, name="held_cover"),
                 sa.orm.aliased(Intake, name="held_intake"))


def holds_expression(client_id, user: Any, now=None):
    """SQL: does ``user`` hold the client ``client_id`` (a column of the outer row, or a value)?

    The same answer as ``client_id IN accessible_client_ids(user)``, asked of one client by index
    lookups instead of listing every client the worker holds.
    """
    now = utcnow() if now is None else now  # a value, or a bound parameter of a statement built once
    held, grant, first = _HELD_ALIASES
    own = sa.exists().where(held.id == client_id, _own(held, user.id))
    cover = sa.exists().where(grant.client_id == client_id, _covering(grant, user.id, now))
    intake = (sa.select(sa.literal(1)).select_from(held).join(first, first.client_id == held.id)
              .where(held.id == client_id, _took_intake(held, first, user.id)).exists())
    return sa.or_(own, cover, intake)


def holds_column(model: type, user: Any):
    """A boolean column "``user`` holds this row's client", to load with the row itself, or None
    where the question does not arise (not a social worker, or a model without a client)."""
    column = client_id_column(model)
    if column is None or W not in _roles(user):
        return None
    return holds_expression(column, user)


def case_rows_visible(user: Any, held):
    """SQL: may ``user`` see the case rows (:data:`CASE_MODELS`) of a client, given ``held``
    (:func:`holds_expression` for that client)? The same rule as :func:`scope`."""
    roles = _roles(user)
    if M in roles:
        return sa.true()
    return held if W in roles else sa.false()


def remember_holds(user: Any, client_id: int | None, answer: Any) -> None:
    """Store an answer loaded by :func:`holds_column`, so :func:`holds_client` asks no query."""
    cache = _request_cache()
    if cache is not None and client_id is not None and answer is not None:
        cache[("holds", getattr(user, "id", None), client_id)] = bool(answer)


#: who may list the social workers to choose one (a booking, a walk-in handed on, a reassignment, a
#: list's filter): the staff who book and assign, and admins (the staff accounts' own screen)
WORKER_CHOICE_ROLES = frozenset({R, W, M, A})


def choosable_workers(query, user: Any):
    """Restrict a query of social workers (names to choose from) to what ``user`` may see: every
    active social worker for :data:`WORKER_CHOICE_ROLES`, nobody for anyone else."""
    return query if _roles(user) & WORKER_CHOICE_ROLES else query.filter(sa.false())


def scope_one_client(query, model, user: Any, held: bool):
    """:func:`scope` for rows that all belong to one client whose :func:`holds_client` answer is
    already known (``held``): the same rows, without asking per row which clients ``user`` holds."""
    roles = _roles(user)
    if model in CASE_MODELS:
        return query if M in roles or (W in roles and held) else query.filter(sa.false())
    return scope(query, model, user)
