"""Enumerations with translated titles.

Each member's value is what the database stores; ``title`` is what a person reads.
"""
from __future__ import annotations

import enum

from flask import g, has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l


class LabeledEnum(str, enum.Enum):
    """A string enum whose members carry a lazily translated label."""

    def __new__(cls, value: str, label=None):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label if label is not None else value
        return obj

    @property
    def title(self) -> str:
        """The label in the current language. Translated once per request and language: a list or the
        desk shows the same few members on every row, and each translation looks up the request's
        catalog anew."""
        if not has_app_context():
            return str(self.label)
        # the member's class too: members of two enums with the same value are equal strings ("other")
        key = (type(self), self._value_, get_locale())
        titles = g.get("enum_titles")
        if titles is None:
            titles = g.enum_titles = {}
        found = titles.get(key)
        if found is None:
            found = titles[key] = str(self.label)
        return found

    def __str__(self) -> str:
        return self.title

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(self.title))

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.title) for m in cls]

    @classmethod
    def coerce(cls, value):
        if value in (None, ""):
            return None
        if isinstance(value, cls):
            return value
        return cls(value)


class Role(LabeledEnum):
    RECEPTION = "reception", _l("Reception")
    WORKER = "worker", _l("Social worker")
    MANAGER = "manager", _l("Manager")
    ADMIN = "admin", _l("Administrator")


class ClientStatus(LabeledEnum):
    INTERESTED = "interested", _l("Interested person")
    CLIENT = "client", _l("Client")
    CLOSED = "closed", _l("Closed")


class Sex(LabeledEnum):
    FEMALE = "female", _l("Female")
    MALE = "male", _l("Male")
    OTHER = "other", _l("Other")


class ResidenceStatus(LabeledEnum):
    VISA = "visa", _l("Visa")
    LONG_TERM = "long_term", _l("Long-term residence")
    PERMANENT = "permanent", _l("Permanent residence")
    TEMPORARY_PROTECTION = "temp_protection", _l("Temporary protection")
    INTERNATIONAL_PROTECTION = "intl_protection", _l("International protection")
    EU_FAMILY = "eu_family", _l("Family member of an EU citizen")
    OTHER = "other", _l("Other / unknown")


class AgreementStatus(LabeledEnum):
    ACTIVE = "active", _l("Active")
    GOAL_ACHIEVED = "goal_achieved", _l("Goal achieved")
    ENDED_BY_CLIENT = "ended_client", _l("Ended by the client")
    ENDED_BY_CENTRE = "ended_centre", _l("Ended by the centre")
    ENDED_NO_CONTACT = "ended_no_contact", _l("Ended for lack of contact")


class IntakeEndReason(LabeledEnum):
    LEGAL_REPRESENTATION = "legal_repr", _l("Outside our services: legal representation")
    TRANSLATION_ONLY = "translation", _l("Outside our services: translation only")
    CAPACITY = "capacity", _l("Capacity of the centre")
    OTHER = "other", _l("Other reason")


class Responsible(LabeledEnum):
    CLIENT = "client", _l("Client")
    WORKER = "worker", _l("Social worker")
    BOTH = "both", _l("Both")


class TaskStatus(LabeledEnum):
    OPEN = "open", _l("Open")
    DONE = "done", _l("Done")
    NOT_DONE = "not_done", _l("Not done")
    DROPPED = "dropped", _l("Dropped")


class AppointmentFormat(LabeledEnum):
    OFFICE = "office", _l("In the office")
    FIELD = "field", _l("In the field")


class AppointmentPlace(LabeledEnum):
    CENTRE = "centre", _l("Centre premises")
    PUBLIC_OFFICE = "public_office", _l("Public office")
    CLIENT_HOME = "client_home", _l("Client's home")
    OTHER = "other", _l("Other place")


class AppointmentPurpose(LabeledEnum):
    CONSULTATION = "consultation", _l("Consultation")
    ACCOMPANIMENT = "accompaniment", _l("Accompaniment to a public office")
    REMOTE = "remote", _l("Phone or online consultation")


class AppointmentStatus(LabeledEnum):
    PLANNED = "planned", _l("Planned")
    ATTENDED = "attended", _l("Attended")
    NO_SHOW = "no_show", _l("No-show")
    CANCELLED_PHONE = "cancelled_phone", _l("Cancelled in advance by phone")
    CANCELLED_EMAIL = "cancelled_email", _l("Cancelled in advance by email")
    CANCELLED_CENTRE = "cancelled_centre", _l("Cancelled by the centre")


class VisitChannel(LabeledEnum):
    WALK_IN = "walk_in", _l("Walk-in")
    PHONE = "phone", _l("Phone")
    EMAIL = "email", _l("Email")
    FIELD = "field", _l("Field")
    SCHEDULED = "scheduled", _l("Scheduled appointment")


class AgeBand(LabeledEnum):
    UNDER_18 = "0-17", _l("under 18")
    AGE_18_26 = "18-26", _l("18–26")
    AGE_27_64 = "27-64", _l("27–64")
    AGE_65_PLUS = "65+", _l("65 and over")


class AuditAction(LabeledEnum):
    VIEW = "view", _l("View")
    CREATE = "create", _l("Create")
    UPDATE = "update", _l("Update")
    DELETE = "delete", _l("Delete")
    EXPORT = "export", _l("Export")
    ANONYMISE = "anonymise", _l("Anonymise")
    PURGE = "purge", _l("Purge")
    LOGIN = "login", _l("Login")
    LOGOUT = "logout", _l("Logout")
    FAILED_LOGIN = "failed_login", _l("Failed login")
    REASSIGN = "reassign", _l("Reassign")
    COVER = "cover", _l("Cover access")
    DENIED = "denied", _l("Access denied")
    LOCKED = "locked", _l("Sign-in locked")
    UNLOCKED = "unlocked", _l("Sign-in lockout lifted")
    PASSWORD_CHANGED = "password", _l("Password changed")
    TWO_FACTOR_ON = "2fa_on", _l("Two-factor sign-in turned on")
    TWO_FACTOR_OFF = "2fa_off", _l("Two-factor sign-in turned off")
    RECOVERY_CODES = "recovery_codes", _l("New recovery codes")
    RECOVERY_CODE_USED = "recovery_used", _l("Recovery code used")
    SESSION_ENDED = "session_end", _l("Signed out automatically")
    ROLES_CHANGED = "roles", _l("Roles changed")
    ACCOUNT_DISABLED = "disabled", _l("Account deactivated")
    ACCOUNT_ENABLED = "enabled", _l("Account activated")
    COMPACTED = "compacted", _l("Database files compacted")
    MERGE = "merge", _l("Records merged")


class ReassignReason(LabeledEnum):
    WORKER_ABSENT = "absent", _l("Long-term absence of the worker")
    WORKER_LEFT = "left", _l("The worker left the centre")
    WORKLOAD = "workload", _l("Workload")
    LANGUAGE = "language", _l("Language or specialisation")
    CLIENT_REQUEST = "client_request", _l("At the client's request")
    OTHER = "other", _l("Other reason")
    MERGE = "merge", _l("Two records of one person merged")  #: written by a merge (services/merge.py), not chosen


class DataRequestType(LabeledEnum):
    ACCESS = "access", _l("Access / copy of records")
    ERASURE = "erasure", _l("Erasure")
    RECTIFICATION = "rectification", _l("Rectification")
    RESTRICTION = "restriction", _l("Restriction of processing")
    OBJECTION = "objection", _l("Objection")


class DataRequestChannel(LabeledEnum):
    IN_PERSON = "in_person", _l("In person")
    PHONE = "phone", _l("Phone")
    EMAIL = "email", _l("Email")
    LETTER = "letter", _l("Letter")


class DataRequestStatus(LabeledEnum):
    OPEN = "open", _l("Open")
    IN_PROGRESS = "in_progress", _l("In progress")
    COMPLETED = "completed", _l("Completed")
    REFUSED = "refused", _l("Refused")
