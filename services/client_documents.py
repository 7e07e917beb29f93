"""The papers a client takes home, in the client's language.

Four documents, each printed in any language that has a catalog of the ``client_docs`` domain
(``translations/<lang>/LC_MESSAGES/client_docs.po``: Czech, English, Ukrainian, Russian and
Vietnamese today; a new catalog is a new language, nothing else changes):

- the roadmap of a case (its data: :func:`services.roadmap.printed`): the goal, the open tasks by who does them, what is done,
  the next appointment, the centre's contacts, the walk-in hours and the rules for clients;
- an appointment card (:func:`appointment_card`): when, where, with whom, how to cancel in advance;
- the centre's rules for clients on their own;
- the printable record export (:func:`render_record`, from :func:`services.privacy.export_record`).

A document is rendered by a Jinja environment of its own language (:func:`render`): its ``_()``
reads only the ``client_docs`` catalog of that language, whatever language the staff member uses,
and dates, times and weekdays are written by Babel the way that language writes them. What the
worker wrote (the goal, the tasks, notes) stays as written. The templates are
``templates/client_docs/``; their strings are extracted into ``translations/client_docs.pot`` by
``make client-docs-update`` and never into the staff interface's catalog.

Each document picks the client's first recorded language it has, otherwise Czech
(:func:`choose`); printing one is audited as an export (:func:`record_print`), with ids and codes only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time, get_day_names
from babel.support import NullTranslations, Translations
from sqlalchemy.orm import Session

from config import BASE_DIR
from models import Appointment, Client, WalkInHours
from models.enums import AppointmentStatus, AuditAction
from services import access, audit, casefile, centre
from services.timeutil import local_now, to_local

DOMAIN = "client_docs"
DEFAULT_LANGUAGE = "cs"
TEMPLATES = BASE_DIR / "templates" / "client_docs"
TRANSLATIONS = BASE_DIR / "translations"
#: the locale whose date and time formats a language's documents use, where it is not the language's
#: own (Babel's "en" writes "Mar 9, 2026, 2:30 PM"; clients in Czechia read the British "9 Mar 2026, 14:30")
FORMAT_LOCALES = {"en": "en_GB"}
#: the documents, as named in the audit trail's details
KINDS = ("roadmap", "appointment_card", "rules", "html")


# --- languages ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """Every language with a ``client_docs`` catalog, Czech first, then by code."""
    found = {po.parent.parent.name for po in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found, key=lambda code: (code != DEFAULT_LANGUAGE, code)))


def choose(client_languages: list[str] | tuple[str, ...] | None, requested: str | None = None,
           citizenship: str | None = None) -> str:
    """The document's language: ``requested`` if there is a catalog for it; else, of the client's recorded
    languages that have one, an official language of the client's country of citizenship (a Ukrainian
    who also speaks Russian reads Ukrainian; records made before the order of languages was kept list
    them alphabetically), else the first recorded one; else Czech."""
    available = languages()
    if requested in available:
        return requested
    spoken = [code for code in client_languages or () if code in available]
    if citizenship and spoken:
        from babel.languages import get_official_languages

        official = set(get_official_languages(citizenship.upper()))
        for code in spoken:
            if code in official:
                return code
    return spoken[0] if spoken else DEFAULT_LANGUAGE


def for_client(client: Client, requested: str | None = None) -> str:
    """:func:`choose` for ``client``."""
    return choose(client.languages, requested, client.citizenship)


@lru_cache(maxsize=16)
def native_name(code: str) -> str:
    """A language's name in that language ("Українська", "Tiếng Việt"), for the language links."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    """The compiled ``client_docs`` catalog of ``lang`` (``make translations`` compiles it)."""
    return Translations.load(str(TRANSLATIONS), [lang], DOMAIN)


# --- how a language writes dates, names and places ------------------------------------------------

class Writing:
    """Dates, times, weekdays, countries and languages as ``lang`` writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.locale = Locale.parse(FORMAT_LOCALES.get(lang, lang))

    @staticmethod
    def _local(value):
        if isinstance(value, str):
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        if isinstance(value, datetime):
            return to_local(value)
        return value

    def date(self, value, width: str = "long") -> str:
        """A date (or the centre's day of a timestamp): "9. března 2026", "9 березня 2026 р."."""
        if not value:
            return ""
        value = self._local(value)
        return format_date(value.date() if isinstance(value, datetime) else value, width, locale=self.locale)

    def day(self, value) -> str:
        """The weekday and the date: "pondělí 9. března 2026", "Thứ Hai, 9 tháng 3, 2026"."""
        return self.date(value, "full")

    def time(self, value) -> str:
        """A time of day in the centre's zone: "14:30"."""
        if not value:
            return ""
        value = self._local(value)
        return format_time(value.time() if isinstance(value, datetime) else value, "short", locale=self.locale)

    def when(self, value) -> str:
        """An appointment's start: the weekday, the date and the time ("Pondělí 9. března 2026, 10:30")."""
        if not value:
            return ""
        day = self.day(value)
        return f"{day[:1].upper()}{day[1:]}, {self.time(value)}"

    def moment(self, value) -> str:
        """A timestamp of the record, short: "9. 3. 2026 14:30"."""
        if not value:
            return ""
        return f"{self.date(value, 'medium')} {self.time(value)}"

    def weekday(self, number: int) -> str:
        """A weekday's name (0 = Monday), capitalised as the start of a line."""
        name = get_day_names("wide", locale=self.locale)[number]
        return name[:1].upper() + name[1:]

    def country(self, code: str | None) -> str:
        return self.locale.territories.get((code or "").upper(), code or "") if code else ""

    def language(self, code: str | None) -> str:
        return self.locale.languages.get(code, code) if code else ""


# --- rendering ------------------------------------------------------------------------------------

@dataclass
class LanguageLink:
    """One entry of a document's language links: a link, or (``fields``) a small form posted again."""

    code: str
    name: str
    current: bool
    url: str | None = None
    fields: dict[str, str] | None = None


def environment(lang: str):
    """The Jinja environment of ``lang``'s documents (one per language and application, made once):
    its gettext reads the ``client_docs`` catalog of ``lang`` only."""
    import jinja2
    from flask import current_app

    kept = current_app.extensions.setdefault("poradna_client_docs", {})
    env = kept.get(lang)
    if env is None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=current_app.jinja_env.auto_reload,
        )
        env.install_gettext_translations(translations(lang), newstyle=True)
        writing = Writing(lang)
        env.globals.update(lang=lang, date=writing.date, day=writing.day, time=writing.time, when=writing.when,
                           moment=writing.moment, weekday=writing.weekday, country=writing.country,
                           language=writing.language)
        kept[lang] = env
    return env


def render(template: str, lang: str, session: Session, *, links: list[LanguageLink] | None = None,
           nonce: str | None = None, **context: Any) -> str:
    """A document in ``lang`` with the centre's contacts and walk-in hours (needs an application context)."""
    return environment(lang).get_template(template).render(
        centre=centre.contacts(session), walk_in=walk_in_hours(session, lang), today=local_now().date(),
        links=links or [], nonce=nonce, **context,
    )


def language_links(current: str, url_for_lang) -> list[LanguageLink]:
    """Links to the same document in every language; ``url_for_lang(code)`` makes each address."""
    return [LanguageLink(code, native_name(code), code == current, url=url_for_lang(code)) for code in languages()]


def walk_in_hours(session: Session, lang: str) -> list[tuple[str, list[str]]]:
    """The walk-in hours by weekday, as ``lang`` writes them: [("Pondělí", ["9:00–12:00", …]), …]."""
    writing = Writing(lang)
    rows = session.query(WalkInHours.weekday, WalkInHours.opens_at, WalkInHours.closes_at).order_by(
        WalkInHours.weekday, WalkInHours.opens_at, WalkInHours.id).all()
    return [(writing.weekday(day), [f"{writing.time(r.opens_at)}–{writing.time(r.closes_at)}" for r in group])
            for day, group in groupby(rows, key=lambda r: r.weekday)]


# --- the documents' data ----------------------------------------------------------------------------

def appointment(session: Session, appointment_id: int, user: Any) -> Appointment | None:
    """The appointment ``appointment_id`` if ``user`` may see it (the appointment book's scope)."""
    query = session.query(Appointment).filter(Appointment.id == appointment_id)
    return access.scope(query, Appointment, user).one_or_none()


def has_card(appointment: Appointment) -> bool:
    """Only a planned appointment gets a card (one that happened or was cancelled is no appointment to come to)."""
    return appointment.status == AppointmentStatus.PLANNED


def render_record(data: dict[str, Any], lang: str, session: Session, *, links: list[LanguageLink] | None = None,
                  nonce: str | None = None) -> str:
    """The printable record of :func:`services.privacy.export_record`'s ``data`` in ``lang``."""
    return render("client_record.html", lang, session, links=links, nonce=nonce, data=data)


#: The documents a client takes home, each with its template.
DOCUMENTS = {"roadmap": "roadmap.html", "rules": "rules.html", "appointment_card": "appointment_card.html"}


def may_print(session: Session, kind: str, user: Any, *, client: Client | None = None,
              appointment: Appointment | None = None) -> bool:
    """May ``user`` print ``kind``: the roadmap whoever may print it in the case file
    (``casefile.allowed(…, "print_roadmap")``), the rules whoever opens clients, a card of a planned
    appointment whoever opens the appointment book (reception books, so reception prints cards; the
    appointment itself is loaded through the book's row scope by the caller, ``get_one``, so it is not
    asked again here)."""

    if kind == "roadmap":
        return client is not None and casefile.allowed(session, user, client, "print_roadmap")
    if kind == "rules":
        return access.can_open(user, "client")
    if kind == "appointment_card":
        return appointment is not None and has_card(appointment) and access.can_open(user, "appointment")
    return False


def print_document(session: Session, kind: str, user: Any, lang: str, *, links: list[LanguageLink] | None = None,
                   nonce: str | None = None, client: Client | None = None, appointment: Appointment | None = None,
                   **context: Any) -> str:
    """One printing of a client's document (:data:`DOCUMENTS`), an export like the record's: ``user`` may
    print it (:func:`may_print`, else :class:`PermissionError`), the document is rendered in ``lang``,
    then the printing is recorded and flushed (a document that failed to render is not in the audit
    trail); the caller commits."""
    if kind not in DOCUMENTS:
        raise LookupError(kind)
    if not may_print(session, kind, user, client=client, appointment=appointment):
        raise PermissionError(f"may not print the {kind}")
    if client is not None:
        context["client"] = client
    html = render(DOCUMENTS[kind], lang, session, links=links, nonce=nonce, appointment=appointment, **context)
    record_print(session, kind, user, lang, client=client if kind == "roadmap" else None, appointment=appointment)
    return html


def record_print(session: Session, kind: str, user: Any, lang: str, *, client: Client | None = None,
                 appointment: Appointment | None = None) -> None:
    """Audit one printed document as an export: its kind and language, the record's id and client code."""
    if appointment is not None:
        entity, entity_id, code = "appointment", appointment.id, appointment.client.code
    elif client is not None:
        entity, entity_id, code = "client", client.id, client.code
    else:
        entity, entity_id, code = "centre_profile", None, None
    audit.record(session, AuditAction.EXPORT, entity=entity, entity_id=entity_id, client_code=code,
                 actor_id=getattr(user, "id", None), details={"format": kind, "lang": lang})
    session.flush()
