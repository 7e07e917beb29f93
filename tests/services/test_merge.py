"""Merging two records of one person (services/merge.py): everything moves, nothing is lost, the
duplicate keeps only its code, and the refusals hold."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import Agreement, Appointment, AuditEvent, Client, CoverGrant, DataRequest, Intake, Reassignment, RoadmapTask, Visit
from models.enums import AgreementStatus, AuditAction, ClientStatus, ReassignReason, Role
from services import clients, merge
from services.errors import ServiceError
from tests import factories
from services.timeutil import local_now


def _pair(db, **dup_fields):
    worker = factories.make_worker(full_name="Petra Svobodová")
    kept = factories.make_client(worker=worker, first_name="Taras", last_name="Ševčenko", birth_year=1980,
                                 phone="+420 777 123 456", languages=["uk"])
    dup_fields.setdefault("status", ClientStatus.INTERESTED)
    duplicate = factories.make_client(first_name="Taras", last_name="Shevchenko", **dup_fields)
    return kept, duplicate


def test_every_record_of_the_duplicate_moves_to_the_kept_record(db):
    kept, dup = _pair(db, birth_year=1980, email="taras@example.org", languages=["ru"], status=ClientStatus.CLOSED,
                      worker=factories.make_worker())
    agreement = factories.make_agreement(client=dup, status=AgreementStatus.GOAL_ACHIEVED, ended_on=local_now().date())
    task = factories.make_task(agreement=agreement)
    intake = factories.make_intake(client=dup, agreement=agreement)
    appointment = factories.make_appointment(client=dup)
    visit = factories.make_visit(client=dup)
    request = factories.make_data_request(client=dup)
    past_cover = CoverGrant(client_id=dup.id, worker_id=factories.make_worker().id, reason="Urgent walk-in",
                            granted_at=datetime.now(timezone.utc) - timedelta(days=3),
                            expires_at=datetime.now(timezone.utc) - timedelta(days=2))
    open_cover = CoverGrant(client_id=dup.id, worker_id=factories.make_worker().id, reason="Covering today",
                            expires_at=datetime.now(timezone.utc) + timedelta(hours=3))
    db.session.add_all([past_cover, open_cover])
    db.session.commit()
    plan = merge.preview(db.session, dup, kept)
    # appointments, visits, intakes, agreements, tasks, data requests, cover access, reassignments
    assert [count for _what, count in plan.moves] == [1, 1, 1, 1, 1, 1, 2, 0]
    assert plan.open_cover == 1
    merge.merge(db.session, dup, kept, actor_id=None)
    db.session.commit()
    for model, row in ((Agreement, agreement), (Intake, intake), (Appointment, appointment), (Visit, visit),
                       (DataRequest, request), (CoverGrant, past_cover), (CoverGrant, open_cover)):
        assert db.session.get(model, row.id).client_id == kept.id
    assert db.session.get(RoadmapTask, task.id).agreement.client_id == kept.id
    assert db.session.get(DataRequest, request.id).client_code == kept.code
    assert db.session.get(CoverGrant, open_cover.id).revoked_at is not None  # ended: the kept record is opened anew
    kept, dup = db.session.get(Client, kept.id), db.session.get(Client, dup.id)
    assert kept.email == "taras@example.org"  # the kept record had none: filled from the duplicate
    assert kept.first_name == "Taras" and kept.last_name == "Ševčenko"  # the kept record's names win
    assert sorted(kept.languages) == ["ru", "uk"]
    assert kept.status == ClientStatus.CLIENT  # the further along of the two
    # the duplicate keeps its code and the mark, nothing personal
    assert dup.merged_into_id == kept.id and dup.merged_at is not None and dup.code
    assert all(getattr(dup, name) in (None, [], False) for name in merge.CLEARED)


def test_the_merge_is_audited_on_both_codes_without_personal_data(db):
    kept, dup = _pair(db, email="taras@example.org")
    factories.make_appointment(client=dup, worker=kept.worker)
    db.session.commit()
    merge.merge(db.session, dup, kept)
    db.session.commit()
    entries = {e.client_code: e for e in db.session.query(AuditEvent).filter(AuditEvent.action == AuditAction.MERGE)}
    assert set(entries) == {kept.code, dup.code}
    assert entries[dup.code].details == {"to": kept.code, "counts": {"appointment": 1}}
    assert entries[kept.code].details["from"] == dup.code and entries[kept.code].details["fields"] == ["email"]
    text = str([e.details for e in entries.values()])
    assert "taras" not in text.lower() and "shevchenko" not in text.lower() and "777" not in text


def test_conflicting_fields_keep_the_kept_value_unless_taken(db):
    kept, dup = _pair(db, birth_year=1981, phone="+420 608 000 111", citizenship="RU")
    db.session.commit()
    plan = merge.preview(db.session, dup, kept)
    assert {c.name for c in plan.conflicts} == {"last_name", "birth_year", "phone", "citizenship"}
    merge.merge(db.session, dup, kept, take=["phone"])
    db.session.commit()
    kept = db.session.get(Client, kept.id)
    assert kept.phone == "+420 608 000 111" and kept.birth_year == 1980 and kept.citizenship == "UA"
    assert kept.last_name == "Ševčenko"


def test_only_a_conflicting_field_can_be_taken(db):
    kept, dup = _pair(db, birth_year=1980)
    db.session.commit()
    with pytest.raises(ServiceError):
        merge.merge(db.session, dup, kept, take=["birth_year"])  # the same on both


def test_the_duplicates_code_finds_the_kept_record_and_its_key_is_gone(db):
    desk = factories.make_worker(roles=[Role.RECEPTION])
    kept, dup = _pair(db)
    db.session.commit()
    merge.merge(db.session, dup, kept)
    db.session.commit()
    found = {}
    assert [c.id for c in clients.search(db.session, dup.code, desk, merged=found)] == [kept.id]
    assert found == {kept.id: [dup.code]}
    assert db.session.get(Client, dup.id).search_key is None
    assert [c.id for c in clients.search(db.session, "shevchenko", desk)] == [kept.id]


def test_a_worker_change_is_written_as_a_reassignment(db):
    kept, dup = _pair(db, status=ClientStatus.CLIENT, worker=factories.make_worker())
    factories.make_agreement(client=dup, worker=dup.worker)  # the active agreement is the duplicate's
    db.session.commit()
    theirs, mine = dup.worker_id, kept.worker_id
    merge.merge(db.session, dup, kept)
    db.session.commit()
    kept = db.session.get(Client, kept.id)
    assert kept.worker_id == theirs and kept.status == ClientStatus.CLIENT
    record = db.session.query(Reassignment).filter_by(client_id=kept.id, reason=ReassignReason.MERGE).one()
    assert (record.from_worker_id, record.to_worker_id) == (mine, theirs)


def test_records_merged_earlier_follow_to_the_kept_record(db):
    kept, dup = _pair(db)
    older = factories.make_client(first_name="Taras", last_name="Sevcenko", status=ClientStatus.INTERESTED)
    db.session.commit()
    merge.merge(db.session, older, dup)
    db.session.commit()
    merge.merge(db.session, dup, kept)
    db.session.commit()
    assert db.session.get(Client, older.id).merged_into_id == kept.id


@pytest.mark.parametrize("case", ["itself", "merged", "anonymised_dup", "anonymised_kept", "hold_dup", "hold_kept",
                                  "two_agreements", "two_intakes", "intake_and_agreement"])
def test_refusals(db, case):
    kept, dup = _pair(db)
    if case == "merged":
        other = factories.make_client(status=ClientStatus.INTERESTED)
        db.session.commit()
        merge.merge(db.session, other, kept)
        dup = other
    elif case in ("anonymised_dup", "anonymised_kept"):
        from services import privacy

        privacy.anonymise(db.session, dup if case == "anonymised_dup" else kept)
    elif case in ("hold_dup", "hold_kept"):
        target = dup if case == "hold_dup" else kept
        target.legal_hold, target.legal_hold_reason = True, "Soudní řízení"
    elif case == "two_agreements":
        dup.worker, dup.status = factories.make_worker(), ClientStatus.CLIENT
        factories.make_agreement(client=dup, worker=dup.worker)
        factories.make_agreement(client=kept)
    elif case == "two_intakes":
        factories.make_intake(client=dup)
        factories.make_intake(client=kept)
    elif case == "intake_and_agreement":
        factories.make_intake(client=dup)
        factories.make_agreement(client=kept)
    db.session.commit()
    before = {m: db.session.execute(sa.select(sa.func.count()).select_from(m).where(m.client_id == dup.id)).scalar()
              for m in (Appointment, Visit, Intake, Agreement)}
    with pytest.raises(ServiceError):
        merge.merge(db.session, kept if case == "itself" else dup, kept)
    db.session.rollback()
    assert db.session.get(Client, dup.id).merged_into_id in (None, kept.id if case == "merged" else None)
    assert before == {m: db.session.execute(sa.select(sa.func.count()).select_from(m).where(m.client_id == dup.id)).scalar()
                      for m in (Appointment, Visit, Intake, Agreement)}


def test_deleting_the_kept_record_deletes_the_records_merged_into_it(db):
    from services import privacy

    kept, dup = _pair(db)
    db.session.commit()
    merge.merge(db.session, dup, kept)
    db.session.commit()
    privacy.delete_client(db.session, db.session.get(Client, kept.id))
    db.session.commit()
    assert db.session.query(Client).count() == 0


def test_a_merged_record_is_not_counted_by_the_retention_purge(db):
    from services import retention

    kept, dup = _pair(db, created_at=datetime(2019, 1, 1, tzinfo=timezone.utc))
    db.session.commit()
    assert retention.plan(db.session, date(2026, 6, 15), 3).to_anonymise == 1
    merge.merge(db.session, dup, kept)
    db.session.commit()
    assert retention.plan(db.session, date(2026, 6, 15), 3).to_anonymise == 0


def test_possible_duplicates_are_asked_of_the_access_policy(db):
    kept, dup = _pair(db, birth_year=1980)
    db.session.commit()
    new = Client(first_name="Taras", last_name="Шевченко", birth_year=1980, citizenship="UA")
    desk = factories.make_worker(roles=[Role.RECEPTION])
    admin = factories.make_worker(roles=[Role.ADMIN])
    assert {m.code for m in clients.possible_duplicates(db.session, new, desk)} == {kept.code, dup.code}
    assert clients.possible_duplicates(db.session, new, admin) == []  # no client screen: nobody is shown
    match = next(m for m in clients.possible_duplicates(db.session, new, desk) if m.code == kept.code)
    assert match.signs == ("birth_year", "citizenship") and match.worker == "Petra Svobodová"
