"""The papers a client takes home, over HTTP and the command line, on demo data: every document in
every language with nothing left in another language, who may print what, the audit of each print,
the buttons that lead to them, and the centre profile they print."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from models import Agreement, Appointment, AuditEvent, CentreProfile, Client, PublicOffice, WalkInHours
from models.enums import AgreementStatus, AppointmentPlace, AppointmentPurpose, AppointmentStatus, AuditAction, ClientStatus
from services import demo, privacy
from tests import factories
from tests.conftest import count_rows
from tests.documents import LANGUAGES, data_strings, doc_text, foreign_text, visible_text


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def seeded(db):
    """The demo centre: 60 clients with their cases, the centre profile, walk-in hours, office addresses."""
    demo.seed(db.session, clients=60, seed=11)
    db.session.commit()
    return db


def _data(client) -> list[str]:
    """What people wrote that a document about ``client`` may print as written."""
    from extensions import db

    values = data_strings(privacy.export_record(db.session, client))
    for office in db.session.query(PublicOffice):
        values += data_strings([office.name_cs, office.name_en, office.address or ""])
    row = db.session.get(CentreProfile, 1)
    values += data_strings([row.name, row.address, row.phone, row.email, row.web]) if row else []
    return values


def _check(page: str, lang: str, client=None):
    assert f'<html lang="{lang}">' in page
    found = foreign_text(page, lang, _data(client) if client is not None else _data_none())
    assert found == [], (lang, found[:10])


def _data_none():
    from extensions import db

    row = db.session.get(CentreProfile, 1)
    return data_strings([row.name, row.address]) if row else []


def test_the_foreign_text_check_finds_a_word_left_in_another_language():
    assert foreign_text("<p>Váš plán spolupráce</p>", "uk") == ["Váš plán spolupráce"]
    assert foreign_text("<p>Your next appointment</p>", "cs") == ["Your next appointment"]
    assert "Record a meeting" in foreign_text("<p>Record a meeting</p>", "vi")  # the staff interface's English
    assert "Zápis ze schůzky" in foreign_text("<p>Zápis ze schůzky</p>", "en")  # and its Czech
    assert foreign_text('<nav class="doc-tools"><a>Čeština</a></nav><p>Наша мета</p>', "uk") == []


# --- every document, every language, on demo data -------------------------------------------------

def test_every_document_prints_in_every_language_on_demo_data(seeded, client, login_as):
    me = login_as("manager", "worker")
    with_agreement = (seeded.session.query(Client).join(Agreement, Agreement.client_id == Client.id)
                      .filter(Agreement.status == AgreementStatus.ACTIVE).order_by(Client.id).limit(6).all())
    planned = (seeded.session.query(Appointment).filter(Appointment.status == AppointmentStatus.PLANNED)
               .order_by(Appointment.starts_at).limit(6).all())
    accompaniment = factories.make_appointment(
        client=with_agreement[0], worker=with_agreement[0].worker, place=AppointmentPlace.PUBLIC_OFFICE,
        purpose=AppointmentPurpose.ACCOMPANIMENT, office=seeded.session.query(PublicOffice).filter_by(code="foreign_police").one(),
        place_note="Vchod z ulice, 2. patro", starts_at=datetime.now(timezone.utc) + timedelta(days=3))
    remote = factories.make_appointment(client=with_agreement[1], worker=with_agreement[1].worker,
                                        purpose=AppointmentPurpose.REMOTE, starts_at=datetime.now(timezone.utc) + timedelta(days=4))
    seeded.session.commit()
    assert with_agreement and planned
    for lang in LANGUAGES:
        for person in with_agreement:
            response = client.get(f"/admin/client/case/roadmap/?id={person.id}&lang={lang}")
            assert response.status_code == 200, (person.code, lang)
            page = _text(response)
            assert doc_text(lang, "Your roadmap") in page and person.code in page
            _check(page, lang, person)
        for appointment in planned + [accompaniment, remote]:
            response = client.get(f"/admin/appointment/card/?id={appointment.id}&lang={lang}")
            assert response.status_code == 200, (appointment.id, lang)
            page = _text(response)
            assert doc_text(lang, "Your appointment") in page and appointment.worker.full_name in page
            _check(page, lang, appointment.client)
        rules = _text(client.get(f"/admin/client/rules/?lang={lang}"))
        assert doc_text(lang, "Rules for clients") in rules
        _check(rules, lang)
    # an accompaniment names the office in the client's language, with its Czech name and address
    card = visible_text(_text(client.get(f"/admin/appointment/card/?id={accompaniment.id}&lang=uk")))
    assert "Поліція у справах іноземців Cizinecká policie Olšanská 2, 130 00 Praha 3" in card
    assert "Vchod z ulice, 2. patro" in card and doc_text("uk", "We go to an office together") in card
    assert doc_text("vi", "By phone or online. We will contact you.") in visible_text(
        _text(client.get(f"/admin/appointment/card/?id={remote.id}&lang=vi")))
    # each print is an export in the audit trail, with ids and codes only
    exports = seeded.session.query(AuditEvent).filter(AuditEvent.action == AuditAction.EXPORT, AuditEvent.actor_id == me.id).all()
    assert len(exports) == len(LANGUAGES) * (len(with_agreement) + len(planned) + 3) + 2
    assert {e.details["format"] for e in exports} == {"roadmap", "appointment_card", "rules"}
    assert all(set(e.details) == {"format", "lang"} for e in exports)


def test_the_record_export_prints_every_demo_client_in_every_language(seeded, runner):
    """The command line's printable record for every client of the demo, every status, a client with
    languages, an anonymised one, a long note: in each of the five languages."""
    people = seeded.session.query(Client).order_by(Client.id).all()
    assert {p.status for p in people} == set(ClientStatus) and any(p.languages for p in people)
    privacy.anonymise(seeded.session, people[-1])
    factories.make_appointment(client=people[0], notes="Velmi dlouhá poznámka ze schůzky. " * 290)  # near the 10 000 characters a note holds
    seeded.session.commit()
    written = {person.code: _data(person) for person in people}
    for lang in LANGUAGES:
        for person in people:
            result = runner.invoke(args=["clients", "export", person.code, "--format", "html", "--lang", lang])
            assert result.exit_code == 0, (person.code, lang, result.output[-500:])
            assert doc_text(lang, "Your record at the centre") in result.output and f'<html lang="{lang}">' in result.output
            assert foreign_text(result.output, lang, written[person.code]) == [], (person.code, lang)
    exports = seeded.session.query(AuditEvent).filter(AuditEvent.action == AuditAction.EXPORT, AuditEvent.entity == "client",
                                                      AuditEvent.details["format"].as_string() == "html").count()
    assert exports >= len(LANGUAGES) * len(people)


def test_without_lang_the_export_is_in_the_client_s_language(db, runner):
    ukrainian = factories.make_client(languages=["uk", "ru"], citizenship="UA")
    kazakh = factories.make_client(languages=["kk", "ru"], citizenship="KZ")
    syrian = factories.make_client(languages=["ar"], citizenship="SY")
    db.session.commit()
    for person, lang in ((ukrainian, "uk"), (kazakh, "ru"), (syrian, "cs")):
        result = runner.invoke(args=["clients", "export", person.code, "--format", "html"])
        assert result.exit_code == 0 and f'<html lang="{lang}">' in result.output, (person.code, lang)
        entry = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT, client_code=person.code).one()
        assert entry.details == {"format": "html", "lang": lang}
    assert runner.invoke(args=["clients", "export", ukrainian.code, "--format", "html", "--lang", "xx"]).exit_code != 0


def test_the_web_export_offers_every_language_and_defaults_to_the_client_s(seeded, client, login_as):
    me = login_as("manager")
    person = (seeded.session.query(Client).filter(Client.citizenship == "VN", Client.status == ClientStatus.CLIENT)
              .order_by(Client.id).first())
    form = _text(client.get(f"/admin/client/export/?id={person.id}"))
    for lang in LANGUAGES:
        assert f'value="{lang}"' in form
    assert re.search(r'<input[^>]*checked[^>]*value="vi"|<input[^>]*value="vi"[^>]*checked', form)
    assert 'lang="uk"' in form and "Українська" in form
    for lang in LANGUAGES:
        response = client.post(f"/admin/client/export/?id={person.id}", data={"format": "html", "lang": lang})
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        page = _text(response)
        _check(page, lang, person)
        # the other languages one click away: the export sent again, hidden in print
        others = re.findall(r'<input type="hidden" name="lang" value="(\w+)">', page)
        assert sorted(others) == sorted(set(LANGUAGES) - {lang})
    entries = seeded.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT, client_code=person.code, actor_id=me.id).all()
    assert sorted(e.details["lang"] for e in entries if e.details.get("format") == "html") == sorted(LANGUAGES)


# --- the documents' language, links and printing -------------------------------------------------------------

def test_a_document_is_in_the_client_s_language_with_the_others_one_click_away(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me, languages=["uk", "ru"], citizenship="UA")
    agreement = factories.make_agreement(client=person, worker=me)
    factories.make_task(agreement=agreement)
    db.session.commit()
    for asked in ("", "&lang=xx"):
        page = _text(client.get(f"/admin/client/case/roadmap/?id={person.id}{asked}"))
        assert '<html lang="uk">' in page and doc_text("uk", "Your roadmap") in page
    links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)">([^<]+)</a>', page)
    assert {(lang, name) for _href, lang, name in links} == {
        ("cs", "Čeština"), ("en", "English"), ("ru", "Русский"), ("vi", "Tiếng Việt")}
    assert all(href == f"/admin/client/case/roadmap/?id={person.id}&amp;lang={lang}" for href, lang, _n in links)
    assert '<span aria-current="page">Українська</span>' in page
    text = visible_text(page[page.index("<main>"):])  # each heading once (a table is named by its heading, no caption repeats it)
    for heading in ("Your roadmap", "Our goal", "What you will do", "Your next appointment", "Rules for clients"):
        assert text.count(doc_text("uk", heading)) == 1, heading
    assert "@media print" in page and re.search(r"@media print \{[^}]*\.doc-tools \{ display: none; \}", page)
    assert "@page { size: A4;" in page


def test_the_case_file_offers_the_documents_in_the_client_s_language(client, db, login_as):
    worker = factories.make_worker()
    person = factories.make_client(worker=worker, languages=["vi"], citizenship="VN")
    factories.make_agreement(client=person, worker=worker)
    appointment = factories.make_appointment(client=person, worker=worker)
    db.session.commit()
    login_as("reception")
    page = _text(client.get(f"/admin/client/case/?id={person.id}"))
    assert f"/admin/appointment/card/?id={appointment.id}&amp;lang=vi" in page
    assert "/admin/client/rules/?lang=vi" in page
    assert "/case/roadmap/" not in page  # reception does not read the case
    assert "vietnamština" in page


def test_the_desk_and_the_booking_confirmation_lead_to_the_card(client, db, login_as, not_at_midnight):
    login_as("reception")
    worker = factories.make_worker()
    person = factories.make_client(worker=worker, languages=["ru"])
    later = min(datetime.now(timezone.utc) + timedelta(minutes=30), datetime.now(timezone.utc).replace(hour=21, minute=0))
    today = factories.make_appointment(client=person, worker=worker, starts_at=max(later, datetime.now(timezone.utc) + timedelta(minutes=5)))
    cancelled = factories.make_appointment(client=person, worker=worker, status=AppointmentStatus.CANCELLED_PHONE,
                                           starts_at=today.starts_at + timedelta(hours=1))
    db.session.commit()
    desk = _text(client.get("/admin/"))
    assert f'href="/admin/appointment/card/?id={today.id}"' in desk
    assert f"/admin/appointment/card/?id={cancelled.id}" not in desk
    details = _text(client.get(f"/admin/appointment/details/?id={today.id}"))
    assert f"/admin/appointment/card/?id={today.id}" in details
    assert "/admin/appointment/card/" not in _text(client.get(f"/admin/appointment/details/?id={cancelled.id}"))
    # a cancelled appointment has no card: a clear page, nothing audited as printed
    response = client.get(f"/admin/appointment/card/?id={cancelled.id}")
    assert response.status_code == 404 and "není naplánovaná" in _text(response)
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.EXPORT) == 0
    # booking: the page that confirms it offers the card
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0, second=0)
    from services.timeutil import to_local

    response = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": worker.id, "starts_at": to_local(start).strftime("%Y-%m-%d %H:%M:%S"),
        "duration_minutes": 60, "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
    }, follow_redirects=True)
    page = _text(response)
    booked = db.session.query(Appointment).filter(Appointment.starts_at == start).one()
    assert "Vytisknout kartičku se schůzkou" in page and f"/admin/appointment/card/?id={booked.id}" in page


@pytest.mark.parametrize("role, roadmap, card, rules", [
    ("reception", 403, 200, 200), ("worker", 404, 200, 200), ("manager", 200, 200, 200), ("admin", 403, 403, 403),
])
def test_who_may_print_what(role, roadmap, card, rules, client, db, login_as):
    me = login_as(role)
    colleague = factories.make_worker()
    person = factories.make_client(worker=colleague, languages=["uk"])
    factories.make_agreement(client=person, worker=colleague)
    appointment = factories.make_appointment(client=person, worker=colleague)
    db.session.commit()
    assert client.get(f"/admin/client/case/roadmap/?id={person.id}&lang=uk").status_code == roadmap
    assert client.get(f"/admin/appointment/card/?id={appointment.id}&lang=uk").status_code == card
    assert client.get("/admin/client/rules/?lang=uk").status_code == rules
    assert client.get(f"/admin/appointment/card/?id={10**12}").status_code in (403, 404)
    assert client.get("/admin/appointment/card/?id=x").status_code in (403, 404)
    printed = count_rows(AuditEvent, AuditEvent.action == AuditAction.EXPORT)
    assert printed == [roadmap, card, rules].count(200)
    if roadmap == 404:  # the colleague's case: not read, and the attempt is audited
        assert count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED, AuditEvent.client_code == person.code) >= 1
    if role == "worker":  # the client's own worker prints the roadmap
        own = factories.make_client(worker=me, languages=["ru"])
        factories.make_agreement(client=own, worker=me)
        db.session.commit()
        assert client.get(f"/admin/client/case/roadmap/?id={own.id}").status_code == 200


# --- the centre profile ---------------------------------------------------------------------------------------

def test_the_admin_fills_the_centre_profile_and_every_document_prints_it(client, db, login_as, request):
    login_as("admin")
    request.getfixturevalue("csrf_app")  # the real form, with its token
    page = _text(client.get("/admin/centre/"))
    assert "Profil centra" in page and "není vyplněn" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    loaded = re.search(r'id="loaded" name="loaded" type="hidden" value="([^"]*)"', page).group(1)
    bad = client.post("/admin/centre/", data={"csrf_token": token, "loaded": loaded, "name": "Centrum pro integraci cizinců",
                                             "phone": "zavolejte", "email": "poradna@cic.example", "web": "www.cic.example",
                                             "address": "Kubelíkova 827/55\r\n130 00 Praha 3"})
    text = _text(bad)
    assert bad.status_code == 200 and "Zadejte telefonní číslo" in text
    assert 'value="Centrum pro integraci cizinců"' in text and "Kubelíkova 827/55" in text  # nothing typed is lost
    assert count_rows(CentreProfile) == 0
    saved = client.post("/admin/centre/", data={"csrf_token": token, "loaded": loaded, "name": "Centrum pro integraci cizinců",
                                               "phone": "+420 222 333 444", "email": "poradna@cic.example", "web": "www.cic.example",
                                               "address": "Kubelíkova 827/55\r\n130 00 Praha 3"})
    assert saved.status_code == 302
    stale = client.post("/admin/centre/", data={"csrf_token": token, "loaded": loaded, "name": "Přepsáno"})
    assert "mezitím změnil" in _text(stale) and db.session.get(CentreProfile, 1).name == "Centrum pro integraci cizinců"
    assert db.session.query(AuditEvent).filter_by(entity="centre_profile", action=AuditAction.CREATE).count() == 1
    # printed on the documents, for reception too
    appointment = factories.make_appointment(client=factories.make_client(languages=["vi"]))
    factories.make_walk_in_hours(weekday=1)
    db.session.commit()
    client.application.config["WTF_CSRF_ENABLED"] = False
    client.post("/logout")
    login_as("reception")
    card = visible_text(_text(client.get(f"/admin/appointment/card/?id={appointment.id}")))
    assert "Centrum pro integraci cizinců" in card and "Kubelíkova 827/55, 130 00 Praha 3" in card
    assert "+420 222 333 444" in card and "poradna@cic.example" in card
    rules = visible_text(_text(client.get("/admin/client/rules/?lang=ru")))
    assert "Вторник 09:00–12:00" in rules and "www.cic.example" in rules


def test_the_demo_fills_the_centre_profile_walk_in_hours_and_office_addresses(seeded):
    assert seeded.session.get(CentreProfile, 1).name == "Centrum pro integraci cizinců"
    assert count_rows(WalkInHours) == len(demo.WALK_IN_HOURS)
    assert seeded.session.query(PublicOffice).filter_by(code="foreign_police").one().address == "Olšanská 2\n130 00 Praha 3"
