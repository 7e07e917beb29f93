"""The client's documents without HTTP: which language a document is printed in, the catalogs of every
language, how dates are written, what the roadmap holds, the centre profile, and the audit of a print."""
from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta, timezone

import pytest

from models import AuditEvent, CentreProfile, Client
from models.enums import AuditAction, Responsible, TaskStatus
from services import centre, client_documents, roadmap
from services.errors import ServiceError
from tests import factories
from tests.documents import LANGUAGES, doc_text, foreign_text
from tools import i18n


# --- languages ----------------------------------------------------------------------------------

def test_the_five_languages_come_from_the_catalogs_czech_first():
    assert client_documents.languages() == ("cs", "en", "ru", "uk", "vi")
    assert set(client_documents.languages()) == set(LANGUAGES)
    assert [client_documents.native_name(c) for c in ("cs", "uk", "ru", "vi")] == ["Čeština", "Українська", "Русский", "Tiếng Việt"]


def test_a_new_catalog_is_a_new_language(tmp_path, monkeypatch):
    """A language is added by its catalog alone: the documents list it, choose it and print in it."""
    shutil.copytree(client_documents.TRANSLATIONS, tmp_path / "translations")
    target = tmp_path / "translations" / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(tmp_path / "translations" / "en" / "LC_MESSAGES" / "client_docs.po", target / "client_docs.po")
    monkeypatch.setattr(client_documents, "TRANSLATIONS", tmp_path / "translations")
    client_documents.languages.cache_clear()
    try:
        assert client_documents.languages() == ("cs", "en", "pl", "ru", "uk", "vi")
        assert client_documents.choose(["pl", "ru"]) == "pl"
    finally:
        client_documents.languages.cache_clear()


@pytest.mark.parametrize("languages, citizenship, requested, expected", [
    (["uk"], "UA", None, "uk"),
    (["vi"], "VN", None, "vi"),
    (["ru"], "UA", None, "ru"),                # a Russian-speaking Ukrainian
    (["mn", "ru"], "MN", None, "ru"),          # the first recorded language there are documents in
    (["kk", "ru"], "KZ", None, "ru"),
    (["uk", "ru"], "UA", None, "uk"),
    (["ru", "uk"], None, None, "ru"),          # the first recorded
    (["ru", "uk"], "UA", None, "uk"),          # records listed alphabetically: the language of the country
    (["ar"], "SY", None, "cs"),                # no documents in Arabic: Czech
    ([], None, None, "cs"),
    (None, None, None, "cs"),
    (["uk"], "UA", "vi", "vi"),                # asked for
    (["uk"], "UA", "xx", "uk"),                # asked for a language there are no documents in
    (["en", "hi"], "IN", None, "en"),
])
def test_the_document_language(languages, citizenship, requested, expected):
    assert client_documents.choose(languages, requested, citizenship) == expected


def test_a_client_s_languages_keep_the_order_they_were_recorded_in(db):
    person = factories.make_client(languages=["vi", "en", "vi", ""])
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Client, person.id).languages == ["vi", "en"]
    assert client_documents.for_client(db.session.get(Client, person.id)) == "vi"


# --- the catalogs ----------------------------------------------------------------------------------

def test_every_language_has_every_string_of_the_documents_translated():
    assert i18n.client_docs_problems() == []
    assert len(i18n.client_docs_messages()) > 150


def test_a_missing_empty_or_fuzzy_entry_fails_the_check(tmp_path, monkeypatch):
    from babel.messages.pofile import read_po, write_po

    shutil.copytree(i18n.ROOT / "translations", tmp_path / "translations")
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    path = tmp_path / "translations" / "vi" / "LC_MESSAGES" / "client_docs.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    catalog.delete("Your roadmap")
    catalog["Our goal"].string = ""
    catalog["Your appointment"].flags.add("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog)
    assert i18n.client_docs_problems() == [
        "vi: missing 'Your roadmap'", "vi: untranslated 'Our goal'", "vi: fuzzy 'Your appointment'"]


def test_the_staff_catalog_holds_none_of_the_documents_strings():
    from babel.messages.pofile import read_po

    with open(i18n.ROOT / "translations" / "messages.pot", "rb") as fh:
        staff = {m.id for m in read_po(fh) if m.id}
    assert not {"Your roadmap", "Your appointment", "Rules for clients", "Your record at the centre"} & staff


# --- how a language writes dates -----------------------------------------------------------------------

def test_dates_times_and_weekdays_are_written_the_way_each_language_writes_them(app):
    start = datetime(2026, 3, 9, 13, 30, tzinfo=timezone.utc)  # 14:30 in Prague, a Monday
    with app.app_context():
        written = {lang: client_documents.Writing(lang) for lang in LANGUAGES}
        assert written["cs"].when(start) == "Pondělí 9. března 2026, 14:30"
        assert written["en"].when(start) == "Monday, 9 March 2026, 14:30"
        assert written["uk"].when(start) == "Понеділок, 9 березня 2026\u202fр., 14:30"
        assert written["ru"].when(start) == "Понедельник, 9 марта 2026\u202fг., 14:30"
        assert written["vi"].when(start) == "Thứ Hai, 9 tháng 3, 2026, 14:30"
        assert [written[lang].weekday(3) for lang in LANGUAGES] == ["Čtvrtek", "Thursday", "Четвер", "Четверг", "Thứ Năm"]
        assert written["cs"].date(date(2026, 12, 6), "medium") == "6. 12. 2026"
        assert written["uk"].country("CZ") == "Чехія" and written["vi"].language("uk") == "Tiếng Ukraina"


# --- the roadmap -----------------------------------------------------------------------------------------

def test_the_roadmap_holds_the_open_tasks_by_who_does_them_what_is_done_and_the_next_appointment(db):
    worker = factories.make_worker(full_name="Hoa Nguyen Thi")
    person = factories.make_client(worker=worker, languages=["vi"], citizenship="VN")
    agreement = factories.make_agreement(client=person, worker=worker)
    mine = factories.make_task(agreement=agreement, description="Mang hộ chiếu", responsible=Responsible.CLIENT)
    theirs = factories.make_task(agreement=agreement, description="Gọi điện cho sở lao động", responsible=Responsible.WORKER)
    done = factories.make_task(agreement=agreement, description="Hotovo", status=TaskStatus.DONE)
    dropped = factories.make_task(agreement=agreement, description="Zrušeno", status=TaskStatus.DROPPED)
    later = factories.make_appointment(client=person, worker=worker, starts_at=datetime.now(timezone.utc) + timedelta(days=9))
    sooner = factories.make_appointment(client=person, worker=worker, starts_at=datetime.now(timezone.utc) + timedelta(days=2))
    db.session.commit()
    data = roadmap.printed(db.session, person, worker)
    assert data["open"] == {Responsible.CLIENT: [mine], Responsible.WORKER: [theirs], Responsible.BOTH: []}
    assert data["done"] == [done] and dropped not in data["done"]
    assert data["next"] == sooner and later != sooner
    assert data["worker"] == worker


# --- the centre profile ----------------------------------------------------------------------------------

def test_the_centre_profile_is_checked_audited_and_refuses_a_stale_form(db):
    admin = factories.make_worker(roles=["admin"])
    assert centre.contacts(db.session).name == "" and centre.version(None) == "new"
    with pytest.raises(ServiceError) as error:
        centre.save_profile(db.session, admin, {"name": "  "})
    assert error.value.field == "name"
    for field, value in (("phone", "call us"), ("phone", "12 34"), ("email", "poradna@"), ("web", "no web"),
                         ("name", "Centrum\nna dva řádky"), ("address", "x" * 301), ("name", "Centrum\x07")):
        with pytest.raises(ServiceError) as error:
            centre.save_profile(db.session, admin, {"name": "Centrum", field: value})
        assert error.value.field == field, (field, value)
    row = centre.save_profile(db.session, admin, {"name": " Centrum pro integraci cizinců ", "address": "Kubelíkova 55\r\n\r\n130 00 Praha 3 ",
                                                  "phone": "+420 222 333 444", "email": "Poradna@CIC.example", "web": "www.cic.example"},
                              loaded="new")
    db.session.commit()
    assert (row.name, row.address, row.email) == ("Centrum pro integraci cizinců", "Kubelíkova 55\n130 00 Praha 3", "Poradna@cic.example")
    assert centre.contacts(db.session).address_lines == ["Kubelíkova 55", "130 00 Praha 3"]
    entry = db.session.query(AuditEvent).filter_by(entity="centre_profile").one()
    assert (entry.action, entry.actor_id, entry.details) == (AuditAction.CREATE, admin.id, {"fields": ["name", "address", "phone", "email", "web"]})
    stale = "new"
    with pytest.raises(ServiceError):
        centre.save_profile(db.session, admin, {"name": "Jiné centrum"}, loaded=stale)
    db.session.rollback()
    assert db.session.get(CentreProfile, 1).name == "Centrum pro integraci cizinců"
    centre.save_profile(db.session, admin, {"name": "Centrum", "phone": "+420 222 333 444"}, loaded=centre.version(row))
    db.session.commit()
    assert db.session.query(AuditEvent).filter_by(entity="centre_profile", action=AuditAction.UPDATE).one().details == {
        "fields": ["name", "address", "email", "web"]}
    assert not centre.ensure_demo_profile(db.session)  # a profile exists: the demo leaves it


# --- printing is an audited export --------------------------------------------------------------------------

def test_a_print_is_audited_with_ids_and_codes_only(db):
    worker = factories.make_worker()
    person = factories.make_client(worker=worker, first_name="Olena", last_name="Tajná")
    appointment = factories.make_appointment(client=person, worker=worker, place_note="Před budovou")
    client_documents.record_print(db.session, "roadmap", worker, "uk", client=person)
    client_documents.record_print(db.session, "appointment_card", worker, "vi", appointment=appointment)
    client_documents.record_print(db.session, "rules", worker, "ru")
    db.session.commit()
    entries = db.session.query(AuditEvent).order_by(AuditEvent.id).all()
    assert [(e.action, e.entity, e.entity_id, e.client_code, e.details) for e in entries] == [
        (AuditAction.EXPORT, "client", person.id, person.code, {"format": "roadmap", "lang": "uk"}),
        (AuditAction.EXPORT, "appointment", appointment.id, person.code, {"format": "appointment_card", "lang": "vi"}),
        (AuditAction.EXPORT, "centre_profile", None, None, {"format": "rules", "lang": "ru"}),
    ]
    assert all(e.actor_id == worker.id for e in entries)


def test_the_record_prints_in_every_language_with_an_anonymised_client_and_long_notes(app, db):
    from services import privacy

    worker = factories.make_worker()
    person = factories.make_client(worker=worker, languages=["uk", "ru"])
    factories.make_appointment(client=person, worker=worker, notes="Dlouhá poznámka. " * 580)  # near the 10 000 characters a note holds
    gone = factories.make_client(worker=worker, languages=["vi"])
    privacy.anonymise(db.session, gone)
    db.session.commit()
    with app.test_request_context():
        for subject in (person, gone):
            data = privacy.export_record(db.session, subject)
            for lang in LANGUAGES:
                page = privacy.render_html(data, lang)
                assert f'<html lang="{lang}">' in page
                assert doc_text(lang, "Your record at the centre") in page
                from tests.documents import data_strings

                assert foreign_text(page, lang, data_strings(data)) == [], (subject.code, lang)
