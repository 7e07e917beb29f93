"""Names as reception hears them, over HTTP: the desk and the lists find a transliterated name, a
duplicate is caught at registration (``confirm_new`` saves anyway), and a manager merges two records
of one person (client details → Merge into…); every role gets what the policy gives it."""
from __future__ import annotations

import re

import pytest

from models import Appointment, AuditEvent, Client, Visit
from models.enums import AuditAction, ClientStatus
from services import merge
from tests import factories
from tests.conftest import count_rows


def _text(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _registration(**fields):
    data = {"status": "interested", "first_name": "Taras", "last_name": "Shevchenko", "birth_year": "1980",
            "citizenship": "UA", "phone": ""}
    data.update(fields)
    return data


@pytest.fixture()
def existing(db):
    worker = factories.make_worker(full_name="Petra Svobodová")
    person = factories.make_client(worker=worker, first_name="Тарас", last_name="Шевченко", birth_year=1980,
                                   citizenship="UA", phone="+420 777 123 456")
    db.session.commit()
    return person


# --- search -------------------------------------------------------------------------------------

def test_the_desk_finds_a_transliterated_name_best_match_first(client, db, login_as, existing):
    login_as("reception")
    near = factories.make_client(first_name="Oksana", last_name="Ševčenková")
    db.session.commit()
    page = _text(client.get("/admin/?q=shevchenko"))
    assert existing.code in page and near.code in page
    assert page.index(existing.code) < page.index(near.code)
    assert "Petra Svobodová" in page
    assert existing.code not in _text(client.get("/admin/?q=sevcik"))


@pytest.mark.parametrize("role", ["reception", "worker", "manager"])
def test_the_lists_and_the_client_lookup_find_a_transliterated_name(client, db, login_as, existing, role):
    login_as(role)
    appointment = factories.make_appointment(client=existing)
    db.session.commit()
    assert existing.code in _text(client.get("/admin/client/?search=Sevcenko+Taras"))
    assert f"id={appointment.id}" in _text(client.get("/admin/appointment/?search=shevchenko"))
    found = client.get("/admin/appointment/ajax/lookup/?name=client&query=shevchenko").get_json()
    assert [row[0] for row in found] == [existing.id]


# --- the duplicate warning ------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["reception", "worker", "manager"])
def test_a_possible_duplicate_is_shown_and_nothing_is_saved(client, db, login_as, existing, role):
    login_as(*(("manager", "worker") if role == "manager" else (role,)))
    page = _text(client.post("/admin/client/new/", data=_registration()))
    assert count_rows(Client) == 1
    assert f'href="/admin/client/details/?id={existing.id}"' in page and existing.code in page
    assert "Тарас Шевченко" in page and "1980" in page and "Ukrajina" in page and "Petra Svobodová" in page
    assert 'value="Shevchenko"' in page and 'value="1980"' in page  # what was typed comes back
    assert 'name="confirm_new"' in page and "Tento člověk už možná je v evidenci" in page
    saved = client.post("/admin/client/new/", data=_registration(confirm_new="y"))
    assert saved.status_code == 302
    assert count_rows(Client) == 2


def test_the_checkbox_is_offered_only_with_possible_duplicates(client, db, login_as, existing):
    login_as("reception")
    page = _text(client.get("/admin/client/new/"))
    assert 'name="confirm_new"' not in page
    page = _text(client.post("/admin/client/new/", data=_registration(email="not an email")))  # another error
    assert 'name="confirm_new"' not in page and count_rows(Client) == 1


@pytest.mark.parametrize(("fields", "warned"), [
    ({}, True),  # the name (another spelling) and the year of birth
    ({"birth_year": "1991", "citizenship": "", "phone": "777123456"}, True),  # the phone number, written otherwise
    ({"birth_year": "1991", "citizenship": "UA"}, True),  # the citizenship
    ({"birth_year": "1991", "citizenship": "PL"}, False),  # the name alone is not enough
    ({"birth_year": "", "citizenship": ""}, False),
    ({"first_name": "Petro", "last_name": "Shevchenko"}, False),  # another first name
    ({"first_name": "", "last_name": "", "alias": "Taras Shevchenko", "is_anonymous": "y"}, False),  # anonymous: never
])
def test_which_registrations_are_warned(client, db, login_as, existing, fields, warned):
    login_as("reception")
    response = client.post("/admin/client/new/", data=_registration(**fields))
    if warned:
        assert existing.code in _text(response) and count_rows(Client) == 1
    else:
        assert response.status_code == 302 and count_rows(Client) == 2


def test_a_vietnamese_name_in_another_order_without_the_middle_name_is_warned(client, db, login_as):
    login_as("reception")
    person = factories.make_client(first_name="Thị Hương", last_name="Nguyễn", birth_year=1990, citizenship="VN")
    db.session.commit()
    page = _text(client.post("/admin/client/new/", data=_registration(first_name="Huong", last_name="Nguyen",
                                                                       birth_year="1990", citizenship="VN")))
    assert person.code in page and count_rows(Client) == 1


def test_anonymised_merged_and_anonymous_records_are_never_offered(client, db, login_as, existing):
    from services import privacy

    login_as("reception")
    gone = factories.make_client(first_name="Taras", last_name="Shevchenko", birth_year=1980)
    hidden = factories.make_client(first_name=None, last_name=None, alias="Taras Shevchenko", is_anonymous=True, birth_year=1980)
    db.session.commit()
    privacy.anonymise(db.session, gone)
    merge.merge(db.session, existing, factories.make_client(first_name="Jan", last_name="Novák", citizenship="CZ"))
    db.session.commit()
    response = client.post("/admin/client/new/", data=_registration())
    assert response.status_code == 302, "nobody left to warn about"
    assert gone.code and hidden.code


# --- merging --------------------------------------------------------------------------------------

@pytest.fixture()
def pair(db, existing):
    dup = factories.make_client(first_name="Taras", last_name="Shevchenko", birth_year=1980, citizenship="UA",
                                phone="608 000 111", status=ClientStatus.INTERESTED)
    factories.make_appointment(client=dup, worker=existing.worker)
    factories.make_visit(client=dup, worker=existing.worker)
    db.session.commit()
    return dup, existing


@pytest.mark.parametrize("role", ["reception", "worker", "admin"])
def test_only_a_manager_merges(client, db, login_as, pair, role):
    dup, kept = pair
    login_as(role)
    if role != "admin":
        assert "Sloučit s…" not in _text(client.get(f"/admin/client/details/?id={dup.id}"))
    assert client.get(f"/admin/client/merge/?id={dup.id}").status_code == 403
    response = client.post(f"/admin/client/merge/?id={dup.id}&into={kept.id}", data={"confirm": "y"})
    assert response.status_code == 403
    assert db.session.get(Client, dup.id).merged_into_id is None
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED).count() >= 2


def test_a_manager_finds_the_record_to_keep_previews_and_merges(client, db, login_as, pair):
    dup, kept = pair
    login_as("manager")
    assert "Sloučit s…" in _text(client.get(f"/admin/client/details/?id={dup.id}"))
    choose = _text(client.get(f"/admin/client/merge/?id={dup.id}"))
    assert f"into={kept.id}" in choose  # among the likely matches
    found = _text(client.get(f"/admin/client/merge/?id={dup.id}&q=Шевченко"))
    assert f"into={kept.id}" in found and f"into={dup.id}" not in found
    preview = _text(client.get(f"/admin/client/merge/?id={dup.id}&into={kept.id}"))
    assert "Schůzky" in preview and 'name="take_phone"' in preview and 'name="take_last_name"' in preview
    assert "608 000 111" in preview and "+420 777 123 456" in preview
    unconfirmed = _text(client.post(f"/admin/client/merge/?id={dup.id}&into={kept.id}", data={"take_phone": "other"}))
    assert db.session.get(Client, dup.id).merged_into_id is None and 'value="other" checked' in unconfirmed
    assert "Pro sloučení záznamů zaškrtněte potvrzení." in unconfirmed
    done = client.post(f"/admin/client/merge/?id={dup.id}&into={kept.id}",
                       data={"take_phone": "other", "take_last_name": "kept", "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/client/details/?id={kept.id}")
    db.session.expire_all()
    kept = db.session.get(Client, kept.id)
    assert kept.phone == "608 000 111" and kept.last_name == "Шевченко"
    assert count_rows(Appointment, Appointment.client_id == kept.id) == 1 and count_rows(Visit, Visit.client_id == kept.id) == 1
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.MERGE).count() == 2
    details = _text(client.get(f"/admin/client/details/?id={kept.id}"))
    assert dup.code in details  # "records merged into this one"
    again = client.get(f"/admin/client/merge/?id={dup.id}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/admin/client/details/?id={kept.id}")


def test_a_refused_merge_says_why(client, db, login_as, pair):
    dup, kept = pair
    login_as("manager")
    kept.legal_hold, kept.legal_hold_reason = True, "Soudní řízení"
    db.session.commit()
    response = client.post(f"/admin/client/merge/?id={dup.id}&into={kept.id}", data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/client/merge/?id={dup.id}")
    assert "blokaci výmazu" in _text(client.get(response.headers["Location"]))
    assert client.get(f"/admin/client/merge/?id={dup.id}&into={dup.id}").status_code == 302  # into itself
    assert client.get(f"/admin/client/merge/?id={dup.id}&into=99999999999999999999").status_code == 404
    assert client.get("/admin/client/merge/?id=abc").status_code == 404
    assert db.session.get(Client, dup.id).merged_into_id is None


def test_a_merged_records_code_and_pages_lead_to_the_kept_record(client, db, login_as, pair):
    dup, kept = pair
    merge.merge(db.session, dup, kept)
    db.session.commit()
    login_as("reception")
    desk = _text(client.get(f"/admin/?q={dup.code}"))
    assert kept.code in desk and re.search(rf"{re.escape(dup.code)}", desk)
    listed = _text(client.get(f"/admin/client/?search={dup.code}"))
    assert f"id={kept.id}" in listed
    assert f"id={dup.id}&" not in _text(client.get("/admin/client/")) and f"id={dup.id}\"" not in _text(client.get("/admin/client/"))
    details = client.get(f"/admin/client/details/?id={dup.id}")
    assert details.status_code == 302 and details.headers["Location"].endswith(f"/admin/client/details/?id={kept.id}")
    case = client.get(f"/admin/client/case/?id={dup.id}")
    assert case.status_code == 302 and case.headers["Location"].endswith(f"/admin/client/case/?id={kept.id}")


def test_the_duplicate_check_never_flushes_the_new_record(client, db, login_as, existing, monkeypatch):
    """Its first look at the name index (per process) must not flush the new client before it has its code."""
    from services import name_index

    login_as("reception")
    monkeypatch.setattr(name_index.INDEX, "_present", type(name_index.INDEX._present)())  # as in a fresh process
    response = client.post("/admin/client/new/", data=_registration(first_name="Hanna", last_name="Petrenková",
                                                                     phone="+420 606 222 333", birth_year="1990"))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert count_rows(Client) == 2
