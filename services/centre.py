"""The centre's profile: its name and contacts, printed on every document a client takes home.

One row (:class:`models.CentreProfile`, id 1), edited by an admin under Settings → Centre profile.
:func:`save_profile` checks the values, refuses a form loaded before someone else's change, audits
the changed field names and flushes; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import CentreProfile
from models.enums import AuditAction
from services import audit, inputs
from services.errors import ServiceError

FIELDS = ("name", "address", "phone", "email", "web")
LIMITS = {"name": 200, "address": 300, "phone": 40, "email": 254, "web": 200}
#: a phone number: digits with an optional leading +, spaces, dashes, dots and brackets

#: The demo centre (`flask demo seed`): the centre the seed's service description speaks of, with
#: contact data of the example domain.
DEMO_PROFILE = {
    "name": "Centrum pro integraci cizinců",
    "address": "Kubelíkova 827/55\n130 00 Praha 3",
    "phone": "+420 222 333 444",
    "email": "poradna@cic.example",
    "web": "www.cic.example",
}


@dataclass
class Contacts:
    """What the documents print of the centre (every value may be empty before an admin fills the profile)."""

    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


def profile(session: Session) -> CentreProfile | None:
    return session.get(CentreProfile, CentreProfile.ID)


def contacts(session: Session) -> Contacts:
    """The centre's contacts for a document; empty values where the profile is not filled in."""
    row = profile(session)
    if row is None:
        return Contacts()
    return Contacts(**{f: getattr(row, f) or "" for f in FIELDS})


def version(row: CentreProfile | None) -> str:
    """What a form remembers of the row it was loaded from (its last change), to refuse a stale save."""
    return row.updated_at.isoformat() if row is not None and row.updated_at is not None else "new"


def _clean(value: Any) -> str | None:
    """Each line stripped, empty lines dropped; None for nothing."""
    lines = (line.strip() for line in str(value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line) or None


def check(values: dict[str, Any]) -> dict[str, str | None]:
    """The values as they will be saved; raises :class:`ServiceError` at the first bad field."""
    clean = {f: _clean(values.get(f)) for f in FIELDS}
    if not clean["name"]:
        raise ServiceError(_l("Enter the centre's name."), field="name")
    for field, limit in LIMITS.items():
        if clean[field] and len(clean[field]) > limit:
            raise ServiceError(_l("At most %(n)s characters.", n=limit), field=field)
        if clean[field] and any(ord(c) < 32 and c != "\n" for c in clean[field]):
            raise ServiceError(_l("Remove the control characters."), field=field)
    for field in ("name", "phone", "email", "web"):
        if clean[field] and "\n" in clean[field]:
            raise ServiceError(_l("Write it on one line."), field=field)
    phone = clean["phone"]
    if phone and not inputs.is_phone(phone):
        raise ServiceError(_l("Enter a phone number: at least 6 digits, with an optional + at the start, spaces, dashes or brackets."),
                           field="phone")
    email = clean["email"]
    if email:
        clean["email"] = inputs.email_address(email)
        if clean["email"] is None:
            raise ServiceError(_l("Enter an email address such as poradna@example.org."), field="email")
    web = clean["web"]
    if web and (" " in web or "." not in web):
        raise ServiceError(_l("Enter a web address such as www.example.org."), field="web")
    return clean


def save_profile(session: Session, by: Any, values: dict[str, Any], *, loaded: str | None = None) -> CentreProfile:
    """Create or change the centre's profile. ``loaded``: :func:`version` of the row the form showed
    (None: do not check); a save over a change made since is refused."""
    clean = check(values)
    row = profile(session)
    if loaded is not None and loaded != version(row):
        raise ServiceError(_l("Someone else changed the centre profile meanwhile. Check the values and save again."))
    created = row is None
    if created:
        row = CentreProfile(id=CentreProfile.ID)
        session.add(row)
    changed = [f for f in FIELDS if getattr(row, f) != clean[f]]
    for field in FIELDS:
        setattr(row, field, clean[field])
    session.flush()
    if changed:
        audit.record(session, AuditAction.CREATE if created else AuditAction.UPDATE, entity="centre_profile",
                     entity_id=row.id, actor_id=getattr(by, "id", None), details={"fields": changed})
        session.flush()
    return row


def ensure_demo_profile(session: Session) -> bool:
    """Fill the demo centre's profile unless a profile exists; True when it was filled."""
    if profile(session) is not None:
        return False
    session.add(CentreProfile(id=CentreProfile.ID, **DEMO_PROFILE))
    session.flush()
    return True
