"""Clients: codes, the rules of their state, and the last-contact date."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Client, ClientCodeCounter, Worker
from models.base import utcnow
from models.enums import ClientStatus
from services import inputs, name_index, name_search, phone_index, typed
from services.errors import ServiceError
from services.timeutil import local_now
from services.typed import Typed


def next_code(session: Session, year: int | None = None) -> str:
    """Hand out the next pseudonymous code of the year, e.g. ``2026-00042``.

    The counter row is incremented with a single UPDATE, which serialises concurrent
    callers on both engines; the unique constraint on ``client.code`` is the last guard.
    """
    year = year or local_now().year
    table = ClientCodeCounter.__table__
    stmt = (
        sa.update(table)
        .where(table.c.year == year)
        .values(last_value=table.c.last_value + 1)
        .returning(table.c.last_value)
    )
    with session.no_autoflush:  # the new client itself must not be flushed before it has its code
        value = session.execute(stmt).scalar()
        if value is None:
            # first code of the year: create the counter row unless a concurrent transaction just did
            session.execute(_insert_ignore(session, table).values(year=year, last_value=0))
            value = session.execute(stmt).scalar()
    return f"{year}-{value:05d}"


def _insert_ignore(session: Session, table):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


#: what tells a person apart: a client record holds one of them, or is explicitly anonymous
IDENTIFYING_FIELDS = ("first_name", "last_name", "alias", "birth_year", "birth_date", "phone", "email")
NO_IDENTITY = _l("Enter a name, an alias, a year of birth, a phone or an email, or tick 'Anonymous' for a person "
                 "who gives none of them.")
PHONE_RULE = _l("Enter a phone number: at least 6 digits, with an optional + at the start, spaces, dashes or brackets.")


BIRTH_YEAR_RULE = _l("Enter a year of birth between 1900 and this year.")
EMAIL_RULE = _l("Enter an email address such as jana.novakova@example.org.")


def birth_year_problem(year: int | None):
    """Why ``year`` cannot be a year of birth (None when it can, or is not given)."""
    return BIRTH_YEAR_RULE if year is not None and not (1900 <= year <= local_now().year) else None


def phone_problem(text: str | None):
    """Why ``text`` cannot be a phone number (None when it can, or is empty)."""
    return PHONE_RULE if text and text.strip() and not inputs.is_phone(text.strip()) else None


def email_problem(text: str | None):
    """Why ``text`` cannot be an email address (None when it can, or is empty)."""
    return EMAIL_RULE if text and text.strip() and inputs.email_address(text.strip()) is None else None


#: the rules of one field each, which a form also checks with its other fields (every error at once)
FIELD_RULES = {"birth_year": birth_year_problem, "phone": phone_problem, "email": email_problem}


def validate(client: Client) -> None:
    """Refuse a state the service's rules do not allow."""
    if client.status in (ClientStatus.CLIENT, ClientStatus.CLOSED) and client.worker_id is None and client.worker is None:
        raise ServiceError(_l("A client must have an assigned social worker."), field="worker")
    if client.legal_hold and not (client.legal_hold_reason or "").strip():
        raise ServiceError(_l("Give the reason for the legal hold."), field="legal_hold_reason")
    if client.birth_year is not None and client.birth_date is not None and client.birth_date.year != client.birth_year:
        raise ServiceError(_l("The year of birth does not match the date of birth."), field="birth_year")
    for name, problem in FIELD_RULES.items():
        found = problem(getattr(client, name))
        if found is not None:
            raise ServiceError(found, field=name)
    if client.email is not None:
        client.email = inputs.email_address(client.email.strip()) if client.email.strip() else None
    if client.phone is not None:
        client.phone = client.phone.strip() or None
    if not client.is_anonymous and client.anonymised_at is None and client.merged_into_id is None \
            and not any(getattr(client, name) not in (None, "") for name in IDENTIFYING_FIELDS):
        raise ServiceError(NO_IDENTITY, field="is_anonymous")
    if client.is_anonymous and (client.first_name or client.last_name):
        raise ServiceError(
            _l("An anonymous client has no name; use an alias, or untick 'anonymous'."), field="is_anonymous"
        )


def prepare_new(session: Session, client: Client, *, code: bool = True) -> Client:
    """Complete and check a new client, then give it its code (not with ``code=False``: the caller
    does, once it is sure to save, so that the counter row is not locked meanwhile)."""
    if client.status is None:
        client.status = ClientStatus.INTERESTED
    if client.birth_date is not None and client.birth_year is None:
        client.birth_year = client.birth_date.year
    validate(client)
    if code and not client.code:
        client.code = next_code(session)
    return client


def create_client(session: Session, **fields) -> Client:
    """Create a client (an interested person unless a status is given) and flush it."""
    client = Client(**fields)
    prepare_new(session, client)
    session.add(client)
    session.flush()
    return client


def record_contact(session: Session, client_id: int | None, when: datetime | None = None) -> None:
    """Move the client's last-contact time forward to ``when`` (never backwards).

    Called whenever a visit or an attended appointment is saved.
    """
    if client_id is None:
        return
    when = when or utcnow()
    table = Client.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == client_id)
        .where(sa.or_(table.c.last_contact_at.is_(None), table.c.last_contact_at < when))
        .values(last_contact_at=when)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    # keep an already loaded instance in step with the row
    for obj in session.identity_map.values():
        if isinstance(obj, Client) and obj.id == client_id:
            session.expire(obj, ["last_contact_at"])


def reassign(session: Session, client: Client, to_worker, reason, note: str | None = None, by=None):
    """Hand the client to another social worker (a manager's decision, with a reason; audited)."""
    from models import Reassignment
    from models.enums import AuditAction, ReassignReason, Role
    from services import audit

    if to_worker is None or Role.WORKER not in to_worker.role_set or not to_worker.active:
        raise ServiceError(_l("Choose an active social worker."), field="to_worker")
    if client.worker_id == to_worker.id:
        raise ServiceError(_l("The client is already assigned to this worker."), field="to_worker")
    if client.anonymised_at is not None:
        raise ServiceError(_l("This record has been anonymised."))
    try:
        reason = ReassignReason(reason)
    except ValueError as exc:
        raise ServiceError(_l("Choose the reason."), field="reason") from exc
    if reason == ReassignReason.MERGE:  # written by a merge only
        raise ServiceError(_l("Choose the reason."), field="reason")
    record = Reassignment(
        client=client, from_worker_id=client.worker_id, to_worker=to_worker, reason=reason,
        note=(note or "").strip() or None, by_id=getattr(by, "id", None), at=utcnow(),
    )
    session.add(record)
    previous = client.worker_id
    client.worker = to_worker
    session.flush()
    audit.record(session, AuditAction.REASSIGN, entity="client", entity_id=client.id, client_code=client.code,
                 actor_id=getattr(by, "id", None), details={"from": previous, "to": to_worker.id, "reason": reason.value})
    session.flush()
    return record


def codes_of(session: Session, client: Client) -> list[str]:
    """The client's code and the codes of the records merged into it (services/merge.py): the audit
    trail knows the person's history under all of them."""
    merged = session.execute(sa.select(Client.code).where(Client.merged_into_id == client.id).order_by(Client.code))
    return [client.code, *merged.scalars()]


def accesses(session: Session, client: Client, limit: int = 500):
    """Who accessed this client's records, newest first (from the audit trail, under the client's code
    and the codes merged into it)."""
    from models import AuditEvent

    return (
        session.query(AuditEvent)
        .filter(AuditEvent.client_code.in_(codes_of(session, client)))
        .options(sa.orm.joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit).all()
    )


#: Separators people type in phone numbers; the lookup compares digits with these removed.
PHONE_SEPARATORS = phone_index.PHONE_SEPARATORS
#: At most this many words of a name are compared (the rest are ignored).
MAX_NAME_WORDS = 4


def phone_digits_expression(column=None):
    """``column`` with the usual separators removed by SQL replace() (the same on SQLite and PostgreSQL,
    written as PostgreSQL's index of it is: :mod:`services.phone_index`)."""
    return phone_index.digits_expression(column if column is not None else Client.phone)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: text that may be the start of a client code ("2026-0004"): also finds the records merged away under such codes
_CODE_PREFIX = re.compile(r"\d{4}-\d+")
#: at most this many merged records' codes lead a code prefix to the records they were merged into
MERGED_CODES_LIMIT = 50


@dataclass
class Lookup:
    """What a search box's text finds (:func:`lookup`). The condition and the order hold the typed text
    only as parameters: every statement using them is executed with :attr:`params`
    (``Session.execute(statement, params)``, :func:`services.typed.execute`)."""

    condition: Any  #: which clients, one SQL condition
    order: list = field(default_factory=list)  #: the best match first (name words only), before the caller's tiebreak
    #: kept record id → the codes of records merged into it that the text found
    merged: dict[int, list[str]] = field(default_factory=dict)
    #: the values of the condition's and the order's parameters
    params: dict = field(default_factory=dict)


def name_words(text: str) -> list[str]:
    """The canonical words of a name typed in a search box (:mod:`services.name_search`), at most
    :data:`MAX_NAME_WORDS`."""
    return name_search.skeleton_words(text)[:MAX_NAME_WORDS]


def name_condition(session: Session, bound: Typed, words: list[str], any_of: list[str] = (), name: str = "word"):
    """Clients whose search key holds every one of ``words`` (canonical words) and, when given, at least
    one of ``any_of``, in any order, anywhere in a word of the key: through SQLite's trigram index of
    the keys (one query for every word of three letters or more; shorter ones with LIKE) or with LIKE
    (PostgreSQL's trigram index of the key answers it). The words are parameters of ``bound`` named
    after ``name`` (another ``name`` for each use in one statement)."""
    def like(kind: str, index: int, word: str):
        return Client.search_key.like(bound.bind(f"{name}_{kind}{index}", f"%{_like_escape(word)}%"), escape="\\")

    alternatives = [sa.or_(*(like("any", i, word) for i, word in enumerate(any_of)))] if any_of else []
    if not (session.get_bind().dialect.name == "sqlite" and name_index.present(session)):
        return sa.and_(*(like("all", i, word) for i, word in enumerate(words)), *alternatives)
    indexed = [word for word in words if len(word) >= name_index.MIN_WORD]
    short = [like("all", i, word) for i, word in enumerate(words) if len(word) < name_index.MIN_WORD]
    indexed_any = list(any_of) if any_of and all(len(word) >= name_index.MIN_WORD for word in any_of) else []
    if not indexed and not indexed_any:
        return sa.and_(*short, *alternatives)
    found = Client.id.in_(name_index.matching_ids(bound, indexed, indexed_any, name=f"{name}_match"))
    return sa.and_(found, *short, *([] if indexed_any else alternatives))


def name_rank(bound: Typed, words: list[str]) -> list:
    """ORDER BY terms putting the best name match first: each typed word scores 0 when it is a whole
    word of the key, 1 when it starts one, 2 when it is inside one (the sum, lowest first); then the
    key's length nearest the typed words' (fewest other words). The words are parameters of ``bound``."""
    padded = sa.literal(" ") + sa.func.coalesce(Client.search_key, "") + sa.literal(" ")
    score = None
    for index, word in enumerate(words):
        escaped = _like_escape(word)
        term = sa.case((padded.like(bound.bind(f"rank_whole{index}", f"% {escaped} %"), escape="\\"), 0),
                       (padded.like(bound.bind(f"rank_starts{index}", f"% {escaped}%"), escape="\\"), 1), else_=2)
        score = term if score is None else score + term
    length = bound.bind("rank_length", len(" ".join(words)), sa.Integer())
    closeness = sa.func.abs(sa.func.length(sa.func.coalesce(Client.search_key, "")) - length)
    return [score.asc(), closeness.asc()]


#: how many of a phone number's last digits a list shows (never the whole number)
PHONE_SHOWN_DIGITS = 3


def phone_tail(phone: str | None) -> str:
    """The last digits of a phone number as a list shows them ("…456"); empty without a number."""
    digits = re.sub(r"\D", "", phone or "")
    return f"…{digits[-PHONE_SHOWN_DIGITS:]}" if digits else ""


def namesake_details(client: Client) -> str:
    """What tells two people of one name apart in a list of search results: the year of birth, the
    citizenship and the phone's last digits ("1985 · Ukrajina · tel. …456"); never the whole number."""
    from services import codes

    if client.anonymised_at is not None:
        return ""
    year = client.birth_year or (client.birth_date.year if client.birth_date else None)
    parts = [_l("born %(year)s", year=year) if year else None, codes.country_name(client.citizenship) or None,
             _l("phone %(digits)s", digits=phone_tail(client.phone)) if client.phone else None]
    return " · ".join(str(part) for part in parts if part)


def merged_codes(session: Session, text: str) -> dict[int, list[str]]:
    """Records merged into others (services/merge.py) whose code starts with ``text``: kept record id →
    those codes. A duplicate's code still leads to the record it was merged into."""
    if not _CODE_PREFIX.fullmatch(text):
        return {}
    bound = Typed()
    rows = session.execute(
        sa.select(Client.merged_into_id, Client.code)
        .where(*_code_prefix(bound, text), Client.merged_into_id.is_not(None))
        .order_by(Client.code).limit(MERGED_CODES_LIMIT), bound.params,
    ).all()
    found: dict[int, list[str]] = {}
    for kept_id, code in rows:
        found.setdefault(kept_id, []).append(code)
    return found


def _code_prefix(bound: Typed, text: str) -> list:
    """Codes starting with ``text``, as a range, so that both engines read them from the code's index."""
    return [Client.code >= bound.bind("code_from", text), Client.code < bound.bind("code_to", text + "\uffff")]


def lookup(session: Session, text: str) -> Lookup | None:
    """Which clients ``text`` finds (None for text too short to search by), the desk's lookup and every
    list's search by client alike:

    - a code prefix, by the code's index; a merged record's code finds the record it was merged into;
    - a name: every word typed is found in the client's search key (the names and the alias written
      one way: "shevchenko" finds Ševčenko and Шевченко, "huong" Hương), in any order, best match first;
    - a phone number: the digits typed, in one run, whatever spaces, dashes or "+" either side used.
    """
    text = (text or "").strip()
    if len(text) < 2:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    bound = Typed()
    conditions = [sa.and_(*_code_prefix(bound, text))]
    merged = merged_codes(session, text)
    if merged:
        conditions.append(Client.id.in_(bound.bind("merged_ids", sorted(merged), sa.Integer(), expanding=True)))
    order: list = []
    has_letters = re.search(r"[^\W\d_]", text) is not None
    words = name_words(text) if has_letters else []
    if words:
        conditions.append(name_condition(session, bound, words))
        order = name_rank(bound, words)
    digits = re.sub(r"\D", "", text)
    looks_like_code = re.fullmatch(r"\d{4}-\d*", text) is not None
    if len(digits) >= phone_index.MIN_DIGITS and not has_letters and not looks_like_code:
        if sqlite and phone_index.present(session):  # SQLite's trigram index of the numbers' digits
            conditions.append(Client.id.in_(phone_index.matching_ids(bound, digits)))
        else:  # PostgreSQL plans the pattern's value (a custom plan) with its trigram index of the digits;
            # not inlined in the SQL text, which the driver keeps in its own cache of parsed statements
            conditions.append(sa.and_(
                Client.phone.like(bound.bind("phone_spread", "%" + "%".join(digits) + "%")),  # cheap: the digits in this order
                phone_digits_expression().like(bound.bind("phone_run", f"%{digits}%")),  # exact: in one run
            ))
    return Lookup(sa.or_(*conditions), order, merged, bound.params)


def search(session: Session, text: str, user, limit: int = 10, merged: dict | None = None) -> list[Client]:
    """Fast lookup for the reception desk (see :func:`lookup`): the best name match first, then the
    newest code. ``merged``, when given, receives the codes of merged records the text found (kept
    record id → codes)."""
    from services import access

    found = lookup(session, text)
    if found is None:
        return []
    if merged is not None:
        merged.update(found.merged)
    query = (session.query(Client).filter(found.condition, Client.anonymised_at.is_(None), Client.merged_into_id.is_(None))
             .options(sa.orm.joinedload(Client.worker).load_only(Worker.id, Worker.full_name)))  # the desk shows the worker
    query = access.scope(query, Client, user).order_by(*found.order, Client.code.desc(), Client.id.desc()).limit(limit)
    return typed.execute(query, found.params).scalars().all()


# --- possible duplicates at registration ---------------------------------------------------------

#: at most this many possible duplicates are shown
DUPLICATES_LIMIT = 10
#: phone numbers are compared by their last digits (a country prefix written or not); at least the
#: shorter of this many and the number's own
PHONE_TAIL = 9
PHONE_TAIL_MIN = 6


@dataclass(frozen=True)
class PossibleDuplicate:
    """An existing person a new record may be, as the registration form lists them (what the user may
    see of them: services.access)."""

    id: int
    code: str
    name: str
    birth_year: int | None
    citizenship: str | None
    worker: str | None
    #: which signs besides the name agree: "birth_year", "phone", "citizenship"
    signs: tuple[str, ...]


#: what the list of possible duplicates reads of each
_DUPLICATE_COLUMNS = ("id", "code", "is_anonymous", "first_name", "last_name", "alias", "anonymised_at", "birth_year",
                      "citizenship", "worker_id", "search_key")


def possible_duplicates(session: Session, client: Client, user, limit: int = DUPLICATES_LIMIT) -> list[PossibleDuplicate]:
    """Existing people the new record ``client`` (not yet saved) may be, best match first.

    The name matches by the search's rules written for whole names — every word of the new name starts
    a word of the other's (Kovalenko, Kovalenková; Шевченко, Ševčenko), or the other's name is all
    among the new one's words and holds its surname (Nguyen Huong, Nguyễn Thị Hương) — and one more sign agrees: the year of
    birth, the phone number (its last digits) or the citizenship. Nobody for a person who stays
    anonymous, and anonymous, anonymised or merged records are never offered. Only people ``user``
    may see (services.access), with only the fields they may read.
    """
    with session.no_autoflush:  # the new record is in the session, without its code yet: never flushed from here
        return _possible_duplicates(session, client, user, limit)


def _possible_duplicates(session: Session, client: Client, user, limit: int) -> list[PossibleDuplicate]:
    from services import access

    if client.is_anonymous:
        return []
    key = name_search.client_key(client.first_name, client.last_name, client.alias)
    if not key:
        return []
    words = key.split()[:MAX_NAME_WORDS]
    birth_year = client.birth_year or (client.birth_date.year if client.birth_date else None)
    digits = re.sub(r"\D", "", client.phone or "")[-PHONE_TAIL:]
    bound = Typed()
    signs = {}
    if birth_year:
        signs["birth_year"] = Client.birth_year == bound.bind("birth_year", birth_year, sa.Integer())
    if len(digits) >= PHONE_TAIL_MIN:
        signs["phone"] = phone_digits_expression().like(bound.bind("phone_tail", f"%{digits}"))
    if client.citizenship:
        signs["citizenship"] = Client.citizenship == bound.bind("citizenship", client.citizenship)
    if not signs:
        return []
    padded = sa.literal(" ") + Client.search_key + sa.literal(" ")
    every_word_starts_one = sa.and_(
        name_condition(session, bound, words),
        *(padded.like(bound.bind(f"starts{index}", f"% {_like_escape(word)}%"), escape="\\") for index, word in enumerate(words)))
    rest = padded
    for index, word in enumerate(words):
        rest = sa.func.replace(rest, bound.bind(f"among{index}", f" {word} "), " ")
    # the other's words all among the new one's: their name holds the new surname and another of the
    # new words (a name of the surname alone is found by the first rule)
    surname = [word for word in name_search.skeleton_words(client.last_name) if word in words] or words[:1]
    others = [word for word in words if word not in surname]
    all_among_the_new = sa.and_(name_condition(session, bound, surname, others, name="surname"), sa.func.trim(rest) == "")
    query = (
        session.query(Client, *(condition.label(name) for name, condition in signs.items()))
        .options(sa.orm.load_only(*(getattr(Client, name) for name in _DUPLICATE_COLUMNS)),
                 sa.orm.joinedload(Client.worker).load_only(Worker.id, Worker.full_name))
        .filter(sa.or_(every_word_starts_one, all_among_the_new), sa.or_(*signs.values()), Client.is_anonymous.is_(False), Client.anonymised_at.is_(None),
                Client.merged_into_id.is_(None))
    )
    if client.id is not None:
        query = query.filter(Client.id != client.id)
    query = access.scope(query, Client, user).order_by(*name_rank(bound, words), Client.code.desc(), Client.id.desc())
    rows = typed.execute(query.limit(limit), bound.params).all()
    found = []
    for row in rows:
        other = row[0]
        hidden = access.hidden_fields(session, user, Client, other)
        found.append(PossibleDuplicate(
            id=other.id, code=other.code, name=other.display_name,
            birth_year=None if "birth_year" in hidden else other.birth_year,
            citizenship=None if "citizenship" in hidden else other.citizenship,
            worker=other.worker.full_name if other.worker is not None and "worker" not in hidden else None,
            signs=tuple(name for name, agrees in zip(signs, row[1:]) if agrees),
        ))
    return found
