"""No English on Czech pages and what is typed validated (issue 19): every form sent with every kind of bad
value shows its messages in Czech, with no word of Flask-Admin's or WTForms' English catalogs; staff emails,
phone numbers, clients without any data, free text past its limit and oversized requests are refused clearly."""
from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from extensions import db as _db
from models import Client, RoadmapTask, Visit, Worker
from services import inputs
from services.errors import ServiceError
from tests import factories
from tests.conftest import count_rows

#: admin screens with a create form, and the role that may use it
CREATE_FORMS = {
    "client": "reception", "intake": "worker", "agreement": "worker", "task": "worker", "appointment": "worker",
    "visit": "worker", "data_request": "manager", "worker": "admin", "topic": "admin", "office": "admin",
    "walkin_hours": "admin", "working_hours": "admin",
}
#: words of the libraries' English messages that are also Czech words, names or codes seen on the pages
NOT_ENGLISH = {"json", "uuid", "csrf", "poradna", "select2", "email"}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every word of four letters or more in the messages of WTForms' and Flask-Admin's catalogs."""
    import flask_admin
    import wtforms

    catalogs = [Path(wtforms.__file__).parent / "locale" / "cs_CZ" / "LC_MESSAGES" / "wtforms.po",
                Path(flask_admin.__file__).parent / "translations" / "cs" / "LC_MESSAGES" / "admin.po"]
    words = set()
    for path in catalogs:
        with path.open("rb") as fh:
            for message in read_po(fh):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                for text in ids:
                    text = re.sub(r"%\(\w+\)\w|%\w|\{\w*\}", " ", text or "")
                    words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", text))
    return frozenset(words - NOT_ENGLISH)


def visible_text(page: str) -> str:
    """What a person reads: the text and the tooltips, labels and placeholders, not scripts or values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    shown = re.findall(r'\s(?:title|placeholder|aria-label|data-placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *shown]))


def english_on(page: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{4,}", visible_text(page)) if w.lower() in english_words()}


def _bad_values(page: str) -> list[dict]:
    """Every kind of bad value for every field of the form on ``page``: text too long, not a number, not a
    date, a choice that is not offered, an email without a domain, a phone of letters; and nothing at all."""
    names = {n for n in re.findall(r'name="([A-Za-z_][\w-]*)"', page) if n not in ("csrf_token", "_continue_editing",
                                                                                  "_add_another", "version", "url")}
    kinds = ["x" * 20_001, "abc", "32. 13. 2026", "999999", "kateryna@", "<b>bad</b> & 'quotes'"]
    return [{}] + [{name: value for name in names} for value in kinds]


@pytest.mark.parametrize("endpoint", sorted(CREATE_FORMS))
def test_every_create_form_answers_bad_values_in_czech(client, db, login_as, endpoint):
    login_as(CREATE_FORMS[endpoint], "manager", "worker", "admin", "reception")
    factories.make_client(first_name="Oleksandr", last_name="Melnyk")
    factories.make_topic(), factories.make_office()
    db.session.commit()
    form = client.get(f"/admin/{endpoint}/new/")
    assert form.status_code == 200
    assert not english_on(form.get_data(as_text=True)), endpoint
    for data in _bad_values(form.get_data(as_text=True)):
        response = client.post(f"/admin/{endpoint}/new/", data=data)
        page = response.get_data(as_text=True)
        if response.status_code == 302:  # the value is a good one here (a topic's code may read "abc")
            continue
        assert response.status_code == 200, (endpoint, list(data.values())[:1])
        assert not english_on(page), (endpoint, english_on(page), str(list(data.values())[:1])[:40])
        assert re.search(r"alert-danger|text-danger|invalid-feedback", page), endpoint  # it says what is wrong


def test_the_catalogs_corrections_win_over_flask_admins_own(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/topic/new/", data={"code": "housing", "label_cs": "Bydlení", "label_en": "Housing",
                                                      "active": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Záznam byl vytvořen." in page and "Model byl" not in page
    listing = client.get("/admin/topic/").get_data(as_text=True)
    assert "Upravit Záznam" not in listing and "Vytvořit Nový Záznam" not in listing


def test_wtforms_messages_in_natural_czech_and_english(app):
    from admin_views.forms import WTFormsTranslations

    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("cs"):
            t = WTFormsTranslations()
            assert t.ngettext("Field cannot be longer than %(max)d character.",
                              "Field cannot be longer than %(max)d characters.", 100) % {"max": 100} \
                == "Zadejte nejvýše 100 znaků."
            assert t.gettext("Number must be between %(min)s and %(max)s.") % {"min": 0, "max": 1440} \
                == "Zadejte číslo od 0 do 1440."
            assert t.gettext("Not a valid choice") == "Zvolte jednu z nabízených možností."
        with force_locale("en"):
            assert WTFormsTranslations().gettext("Not a valid integer value.") == "Enter a whole number."


def test_the_staff_password_hint_on_a_new_account_says_nothing_about_keeping_one(client, db, login_as):
    login_as("admin")
    page = client.get("/admin/worker/new/").get_data(as_text=True)
    assert "Alespoň 12 znaků." in page and "ponechat" not in page.lower()


def test_no_select_shows_its_blank_value(client, db, login_as):
    login_as("worker", "manager")
    factories.make_office()
    db.session.commit()
    page = client.get("/admin/appointment/new/").get_data(as_text=True)
    assert not re.search(r'<option[^>]*>__None</option>', page)


# --- validate what is typed ---------------------------------------------------------------------

@pytest.mark.parametrize("email, ok", [
    ("kateryna@", False), ("kateryna@poradna", False), ("kateryna poradna.cz", False), ("@poradna.cz", False),
    ("kateryna@poradna.cz", True), ("Kateryna.Bondarenko@Poradna.example", True),
])
def test_a_staff_email_is_a_real_address(client, db, login_as, email, ok):
    login_as("admin")
    response = client.post("/admin/worker/new/", data={"full_name": "Kateryna Bondarenko", "email": email,
                                                       "roles": ["worker"], "active": "y",
                                                       "new_password": "a long and unusual passphrase 7"})
    created = count_rows(Worker, Worker.full_name == "Kateryna Bondarenko")
    if ok:
        assert response.status_code == 302 and created == 1
    else:
        assert response.status_code == 200 and created == 0
        assert "Zadejte e-mailovou adresu pro přihlášení" in response.get_data(as_text=True)
        assert email.strip() in html.unescape(response.get_data(as_text=True))  # what was typed is kept


@pytest.mark.parametrize("phone, ok", [
    ("+420 777 123 456", True), ("(+420) 777-123-456", True), ("777/123.456", True), ("+380 (44) 123-45-67", True), ("777123", True),
    ("12345", False), ("volat odpoledne", False), ("777 123 456 nebo 608", False), ("+420+777", False),
])
def test_phone_numbers_are_digits_with_separators(phone, ok):
    assert inputs.is_phone(phone) is ok


def test_a_client_phone_of_letters_is_refused_at_its_field(client, db, login_as):
    login_as("reception")
    response = client.post("/admin/client/new/", data={"first_name": "Olena", "last_name": "Shevchenko",
                                                       "phone": "volat odpoledne", "status": "interested"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and count_rows(Client) == 0
    assert "Zadejte telefonní číslo" in page and "volat odpoledne" in page


def test_a_client_without_any_data_must_be_explicitly_anonymous(client, db, login_as):
    login_as("reception")
    response = client.post("/admin/client/new/", data={"status": "interested", "citizenship": "UA"})
    assert response.status_code == 200 and count_rows(Client) == 0
    assert "zaškrtněte „Anonymní“" in response.get_data(as_text=True)
    response = client.post("/admin/client/new/", data={"status": "interested", "citizenship": "UA", "is_anonymous": "y"})
    assert response.status_code == 302 and count_rows(Client) == 1


def test_long_text_is_refused_on_the_admin_form_as_in_the_case_file(client, db, login_as):
    worker = login_as("worker")
    person = factories.make_client(worker=worker)
    db.session.commit()
    response = client.post("/admin/visit/new/", data={"client": str(person.id), "worker": str(worker.id),
                                                      "kind": "in_person", "minutes": "30",
                                                      "summary": "x" * (inputs.MAX_TEXT + 1)})
    assert response.status_code == 200 and count_rows(Visit) == 0
    assert "Zadejte nejvýše 10000 znaků." in response.get_data(as_text=True)


def test_long_text_is_refused_on_every_path(db):
    task = factories.make_task()
    _db.session.commit()
    task.outcome = "x" * 501  # the case file's limit of an outcome, from a service or the command line too
    with pytest.raises(ServiceError) as refused:
        _db.session.flush()
    assert refused.value.field == "outcome"
    _db.session.rollback()
    visit = factories.make_visit()
    visit.summary = "x" * (inputs.MAX_TEXT + 1)
    with pytest.raises(ServiceError):
        _db.session.flush()
    _db.session.rollback()
    assert _db.session.get(RoadmapTask, task.id).outcome is None


def test_an_oversized_request_is_refused_with_a_czech_page(client, db, login_as):
    login_as("worker")
    response = client.post("/admin/visit/new/", data={"summary": "x" * (3 * 1024 * 1024)})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "příliš velký (více než 2 MB)" in page and not english_on(page)


def test_the_booking_forms_red_button_says_what_it_does(client, db, login_as):
    login_as("reception")
    page = client.get("/admin/appointment/new/").get_data(as_text=True)
    assert "Zpět bez uložení" in page and ">Zrušit<" not in page
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = client.get("/admin/appointment/new/").get_data(as_text=True)
    assert "Back without saving" in page and ">Cancel<" not in page
