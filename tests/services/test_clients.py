"""Client codes, state rules and last-contact maintenance."""
from datetime import datetime, timedelta, timezone

import pytest

from models import Client
from models.enums import ClientStatus
from services import clients
from services.errors import ServiceError
from tests import factories


def test_codes_are_sequential_per_year_and_unique(db):
    first = clients.next_code(db.session, 2026)
    second = clients.next_code(db.session, 2026)
    other_year = clients.next_code(db.session, 2025)
    assert (first, second, other_year) == ("2026-00001", "2026-00002", "2025-00001")


def test_create_client_gets_code_and_is_interested_by_default(db):
    client = clients.create_client(db.session, alias="Pan T.")
    assert client.code and client.code.count("-") == 1
    assert client.status == ClientStatus.INTERESTED
    assert client.created_at.tzinfo is not None


def test_a_client_needs_an_assigned_worker(db):
    with pytest.raises(ServiceError) as err:
        clients.create_client(db.session, status=ClientStatus.CLIENT)
    assert err.value.field == "worker"


def test_database_refuses_a_client_without_worker_too(db):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Client(code="2026-99999", status=ClientStatus.CLIENT))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_legal_hold_needs_a_reason(db):
    worker = factories.make_worker()
    with pytest.raises(ServiceError):
        clients.create_client(db.session, status=ClientStatus.CLIENT, worker=worker, legal_hold=True)


def test_anonymous_client_has_no_name(db):
    with pytest.raises(ServiceError):
        clients.create_client(db.session, is_anonymous=True, first_name="Olena")
    assert clients.create_client(db.session, is_anonymous=True, alias="Máma Oleny").alias == "Máma Oleny"


def test_birth_year_must_match_birth_date(db):
    from datetime import date

    with pytest.raises(ServiceError):
        clients.create_client(db.session, birth_year=1980, birth_date=date(1981, 1, 1))
    client = clients.create_client(db.session, birth_date=date(1981, 1, 1))
    assert client.birth_year == 1981


def test_record_contact_only_moves_forward(db):
    client = factories.make_client()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    clients.record_contact(db.session, client.id, now)
    clients.record_contact(db.session, client.id, now - timedelta(days=3))
    db.session.refresh(client)
    assert client.last_contact_at == now


def test_timestamps_come_back_aware_utc(db):
    client = factories.make_client()
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Client, client.id)
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)


def test_enum_columns_refuse_unknown_values(db):
    client = factories.make_client()
    client.status = "nonsense"
    with pytest.raises(Exception):
        db.session.flush()


def test_a_malformed_email_is_refused(db):
    with pytest.raises(ServiceError) as err:
        clients.create_client(db.session, email="not an email")
    assert err.value.field == "email"
    assert clients.create_client(db.session, email=" olena@example.org ").email == "olena@example.org"


# --- the reception desk's lookup -------------------------------------------------------------------

def _found(db, text, user):
    return {c.last_name or c.alias for c in clients.search(db.session, text, user, limit=50)}


def test_lookup_by_a_full_name_matches_every_word_in_any_name_column(db):
    from models.enums import Role

    desk = factories.make_worker(roles=[Role.RECEPTION])
    factories.make_client(first_name="Jan", last_name="Novák")
    factories.make_client(first_name="Jana", last_name="Nováková")
    factories.make_client(first_name="Jan", last_name="Svoboda")
    factories.make_client(first_name=None, last_name=None, alias="Honza Dvořák")
    factories.make_client(first_name="Petr", last_name="Janeček")
    assert _found(db, "Jan Novák", desk) == {"Novák", "Nováková"}
    assert _found(db, "novák jan", desk) == {"Novák", "Nováková"}  # any order, any case
    assert _found(db, "  Jan   Svoboda ", desk) == {"Svoboda"}
    assert _found(db, "Jan Svobodová", desk) == set()  # every word must match
    assert _found(db, "Honza Dvořák", desk) == {"Honza Dvořák"}  # the alias counts as a name
    assert _found(db, "Jan", desk) == {"Novák", "Nováková", "Svoboda", "Janeček"}
    assert _found(db, "50%", desk) == set() and _found(db, "_%", desk) == set()  # wildcards separate words, match nothing


def test_lookup_by_phone_matches_the_digits_in_one_run_whatever_the_separators(db):
    from models.enums import Role

    desk = factories.make_worker(roles=[Role.RECEPTION])
    factories.make_client(last_name="Spaced", phone="+420 601 222 333")
    factories.make_client(last_name="Dashed", phone="601-123-456")
    factories.make_client(last_name="Bracketed", phone="(+421) 905/555.444")
    assert _found(db, "123", desk) == {"Dashed"}  # not 1…2…3 scattered over "+420 601 222 333"
    assert _found(db, "222 333", desk) == {"Spaced"}
    assert _found(db, "601222333", desk) == {"Spaced"}
    assert _found(db, "+420601222", desk) == {"Spaced"}
    assert _found(db, "601 123-456", desk) == {"Dashed"}
    assert _found(db, "601", desk) == {"Spaced", "Dashed"}
    assert _found(db, "905 555 444", desk) == {"Bracketed"}
    assert _found(db, "333 601", desk) == set()  # the digits must follow each other
    assert _found(db, "12", desk) == set()  # too few digits for a phone lookup


def test_lookup_by_code_prefix_and_never_anonymised_records(db):
    from datetime import datetime, timezone

    from models.enums import Role

    desk = factories.make_worker(roles=[Role.RECEPTION])
    person = factories.make_client(last_name="Kódová")
    gone = factories.make_client(last_name="Pryč", phone="777 888 999")
    gone.anonymised_at = datetime.now(timezone.utc)
    db.session.flush()
    assert [c.id for c in clients.search(db.session, person.code, desk)] == [person.id]
    assert clients.search(db.session, "777 888", desk) == [] and clients.search(db.session, "Pryč", desk) == []
