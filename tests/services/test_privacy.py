"""Export, anonymisation, deletion, the retention purge and the data-request register."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import (
    Agreement, Appointment, AuditEvent, Base, Client, CoverGrant, DataRequest, Intake, Reassignment, RoadmapTask, Visit,
)
from models.enums import AgeBand, AgreementStatus, AppointmentStatus, AuditAction, DataRequestStatus
from services import audit, cover, data_requests, privacy, retention, scheduling
from services import clients as client_service
from services.errors import ServiceError
from tests import factories
from tests.conftest import count_rows


def fill_client_with_markers(db, tag: str) -> Client:
    """A client with a unique marker in every text field, under every entity."""
    worker = factories.make_worker()
    client = factories.make_client(
        worker=worker, first_name=f"{tag}-first", last_name=f"{tag}-last", alias=f"{tag}-alias",
        email=f"{tag}@mail.example", municipality=f"{tag}-municipality",
        district=f"{tag}-district", birth_date=date(1990, 5, 17), birth_year=1990, legal_hold=False,
    )
    client.legal_hold_reason = f"{tag}-holdreason"
    client.phone = f"+420 {tag}-phone"  # a marker no form takes (letters), written as old data may hold it
    agreement = factories.make_agreement(client=client, worker=worker, issue=f"{tag}-agr-issue", goal=f"{tag}-goal",
                                         end_reason=f"{tag}-endreason")
    factories.make_task(agreement=agreement, description=f"{tag}-task", outcome=f"{tag}-outcome")
    factories.make_intake(client=client, worker=worker, issue=f"{tag}-intake-issue", end_note=f"{tag}-endnote")
    factories.make_appointment(client=client, worker=worker, notes=f"{tag}-notes", evaluation=f"{tag}-evaluation",
                               next_steps=f"{tag}-next", place_note=f"{tag}-placenote")
    stand_in = factories.make_worker()
    scheduling.book(db.session, client, stand_in, datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3),
                    other_worker_reason=f"{tag}-otherworker")
    factories.make_visit(client=client, worker=worker, summary=f"{tag}-summary")
    factories.make_data_request(client=client, note=f"{tag}-request-note")
    other = factories.make_worker()
    client_service.reassign(db.session, client, other, "workload", note=f"{tag}-reassign-note")
    cover.grant_cover(db.session, worker, client, f"{tag}-cover-reason")
    audit.record(db.session, AuditAction.VIEW, entity="client", entity_id=client.id, client_code=client.code,
                 details={"screen": "client", "free": f"{tag}-audit"})
    db.session.flush()
    return client


def all_text(db) -> str:
    """Every value in every table, as one string."""
    chunks = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_export_contains_everything_about_the_client_and_nothing_of_others(db):
    mine = fill_client_with_markers(db, "MINE")
    theirs = fill_client_with_markers(db, "THEIRS")
    db.session.commit()
    document = json.dumps(privacy.export_record(db.session, mine), ensure_ascii=False)
    for marker in ("first", "last", "alias", "phone", "@mail", "municipality", "district", "holdreason", "agr-issue",
                   "goal", "endreason", "task", "outcome", "intake-issue", "endnote", "notes", "evaluation", "next",
                   "placenote", "otherworker", "summary", "request-note", "reassign-note", "cover-reason"):
        assert f"MINE-{marker}" in document or f"MINE{marker}" in document, marker
    assert "THEIRS" not in document
    data = json.loads(document)
    assert data["schema"] == privacy.EXPORT_SCHEMA and data["version"] == 1
    assert data["agreements"][0]["consent"]["service"] is True
    assert data["accesses"] and {"at", "who", "action"} <= set(data["accesses"][0])


def test_export_html_is_printable_in_both_languages(app, db):
    client = fill_client_with_markers(db, "HTML")
    db.session.commit()
    data = privacy.export_record(db.session, client)
    with app.test_request_context():
        czech = privacy.render_html(data, "cs")
        english = privacy.render_html(data, "en")
    assert '<html lang="cs">' in czech and "Osobní údaje" in czech and "HTML-notes" in czech
    assert '<html lang="en">' in english and "Personal data" in english and "HTML-goal" in english


def test_anonymisation_leaves_no_marker_anywhere_and_keeps_coded_data(db):
    client = fill_client_with_markers(db, "GONE")
    keep = fill_client_with_markers(db, "KEEP")
    db.session.commit()
    preview = dict(privacy.anonymise_preview(db.session, client))
    assert sum(preview.values()) >= 20
    assert privacy.anonymise(db.session, client, actor_id=None) is True
    db.session.commit()
    text = all_text(db)
    assert "GONE" not in text
    assert "KEEP-notes" in text  # the other client is untouched
    db.session.refresh(client)
    assert client.anonymised_at is not None and client.age_band == AgeBand.AGE_27_64
    assert client.citizenship == "UA" and client.code and client.first_name is None
    appointments = db.session.query(Appointment).filter_by(client_id=client.id).all()
    assert len(appointments) == 2
    # both were planned ahead: anonymising cancels them (by the centre); coded data stays
    assert all(a.duration_minutes == 60 and a.status == AppointmentStatus.CANCELLED_CENTRE for a in appointments)
    assert all(a.other_worker_reason is None for a in appointments)
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.ANONYMISE, AuditEvent.client_code == client.code) == 1
    # idempotent
    assert privacy.anonymise(db.session, client) is False
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.ANONYMISE) == 1


#: Text columns under a client that hold codes or pseudonyms, not free text (everything else must be scrubbed).
CODED_TEXT_COLUMNS = {("appointment", "language"), ("visit", "citizenship"), ("visit", "language"),
                      ("data_request", "client_code")}


def test_every_free_text_column_under_a_client_is_scrubbed_exported_and_described():
    """A new text column on a client's record must be added to FREE_TEXT (or declared coded above)."""
    import pathlib

    scrubbed = {(model.__tablename__, field) for model, field, _ in privacy.FREE_TEXT}
    under_client = (Agreement, Appointment, CoverGrant, DataRequest, Intake, Reassignment, RoadmapTask, Visit)
    for model in under_client:
        for column in model.__table__.columns:
            if isinstance(column.type, (sa.String, sa.Text)):
                key = (model.__tablename__, column.name)
                assert key in scrubbed or key in CODED_TEXT_COLUMNS, f"{key} is neither scrubbed nor declared coded"
    doc = (pathlib.Path(__file__).parents[2] / "docs" / "client-record-export.md").read_text()
    for _table, field in scrubbed:
        assert f"`{field}`" in doc, field


def test_anonymisation_is_refused_under_legal_hold(db):
    client = factories.make_client(legal_hold=True, legal_hold_reason="Soudní řízení")
    with pytest.raises(ServiceError):
        privacy.anonymise(db.session, client)
    assert client.anonymised_at is None and client.last_name


def test_erased_text_does_not_survive_in_the_sqlite_file(tmp_path, monkeypatch):
    from app import create_app
    from config import TestConfig
    from extensions import db as ext_db

    config = TestConfig()
    path = tmp_path / "erase.sqlite"
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    app = create_app(config)
    with app.app_context():
        ext_db.create_all()
        client = fill_client_with_markers(ext_db, "FILEMARK")
        ext_db.session.commit()
        raw = path.read_bytes() + (path.with_name(path.name + "-wal").read_bytes() if path.with_name(path.name + "-wal").exists() else b"")
        assert b"FILEMARK" in raw  # the test can see the text before it is erased
        privacy.anonymise(ext_db.session, client)
        ext_db.session.commit()
        privacy.wipe_freed_space(ext_db.session)
        ext_db.session.remove()
        ext_db.engine.dispose()
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    assert b"FILEMARK" not in data


def test_a_busy_checkpoint_is_retried_and_reported(tmp_path, monkeypatch):
    import sqlite3

    from app import create_app
    from config import TestConfig
    from extensions import db as ext_db

    config = TestConfig()
    path = tmp_path / "busy.sqlite"
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    app = create_app(config)
    sleeps = []
    monkeypatch.setattr("time.sleep", lambda seconds: sleeps.append(seconds))
    with app.app_context():
        ext_db.create_all()
        client = fill_client_with_markers(ext_db, "BUSYMARK")
        ext_db.session.commit()
        reader = sqlite3.connect(path)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM client").fetchone()  # holds a snapshot: the log cannot be emptied
        privacy.anonymise(ext_db.session, client)
        ext_db.session.commit()
        assert privacy.wipe_freed_space(ext_db.session, attempts=3, pause=0.01) is False
        assert sleeps == [0.01, 0.01]  # three tries, a pause between them
        reader.rollback()
        reader.close()
        assert privacy.wipe_freed_space(ext_db.session) is True
        ext_db.session.remove()
        ext_db.engine.dispose()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert b"BUSYMARK" not in path.read_bytes()


def test_the_cli_warns_when_the_checkpoint_stays_busy(app, db, monkeypatch):
    client = factories.make_client()
    db.session.commit()
    monkeypatch.setattr(privacy, "wipe_freed_space", lambda session, **kw: False)
    result = app.test_cli_runner().invoke(args=["clients", "anonymise", client.code, "--yes"])
    assert result.exit_code == 0
    if db.engine.dialect.name == "postgresql":  # no checkpoint there: the erased text leaves the files at compaction
        assert "flask privacy compact" in result.stderr and "compact" not in result.stdout
    else:
        assert "could not be checkpointed" in result.stderr and "could not be checkpointed" not in result.stdout


def test_delete_removes_everything_and_the_audit_keeps_only_the_code(db):
    client = fill_client_with_markers(db, "DEL")
    code = client.code
    db.session.commit()
    privacy.delete_client(db.session, client, actor_id=None)
    db.session.commit()
    for model in (Client, Agreement, RoadmapTask, Intake, Appointment, Visit, Reassignment, CoverGrant):
        assert count_rows(model) == 0, model
    request = db.session.query(DataRequest).one()
    assert request.client_id is None and request.client_code == code and request.note is None
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.DELETE).one()
    assert event.client_code == code and event.entity_id is None
    assert "DEL-" not in all_text(db)


# --- retention ---------------------------------------------------------------------------------

AS_OF = date(2026, 6, 15)
CUTOFF_AT = datetime(2023, 6, 15, 8, 0, tzinfo=timezone.utc)  # 10:00 in Prague on the cutoff day


def _old_client(**fields):
    return factories.make_client(created_at=datetime(2020, 1, 1, tzinfo=timezone.utc), **fields)


def build_retention_world(db):
    world = {
        "exactly_three_years": _old_client(),
        "one_day_older": _old_client(),
        "legal_hold": _old_client(legal_hold=True, legal_hold_reason="Probíhá řízení"),
        "never_contacted": _old_client(),
        "agreement_ended_recently": _old_client(),
        "no_show_only_recently": _old_client(),
        "recent_attended": _old_client(),
        "created_recently": factories.make_client(created_at=datetime(2024, 1, 1, tzinfo=timezone.utc)),
    }
    factories.make_visit(client=world["exactly_three_years"], occurred_at=CUTOFF_AT)
    factories.make_visit(client=world["one_day_older"], occurred_at=CUTOFF_AT - timedelta(days=1))
    factories.make_visit(client=world["legal_hold"], occurred_at=datetime(2021, 1, 1, tzinfo=timezone.utc))
    factories.make_visit(client=world["agreement_ended_recently"], occurred_at=datetime(2021, 1, 1, tzinfo=timezone.utc))
    factories.make_agreement(client=world["agreement_ended_recently"], agreed_on=date(2021, 1, 1),
                             status=AgreementStatus.GOAL_ACHIEVED, ended_on=date(2024, 2, 1))
    factories.make_appointment(client=world["no_show_only_recently"], starts_at=datetime(2025, 1, 6, 9, tzinfo=timezone.utc),
                               status=AppointmentStatus.NO_SHOW)
    factories.make_appointment(client=world["recent_attended"], starts_at=datetime(2025, 1, 6, 9, tzinfo=timezone.utc),
                               status=AppointmentStatus.ATTENDED)
    old_walk_in = factories.make_visit(anonymous=True, occurred_at=datetime(2022, 1, 1, tzinfo=timezone.utc), summary="OLD-WALKIN")
    new_walk_in = factories.make_visit(anonymous=True, occurred_at=datetime(2025, 1, 1, tzinfo=timezone.utc), summary="NEW-WALKIN")
    db.session.commit()
    # ids, not instances: the purge empties the session as it goes (bounded memory)
    return {name: c.id for name, c in world.items()}, old_walk_in.id, new_walk_in.id


EXPECTED_PURGED = {"one_day_older", "never_contacted", "no_show_only_recently"}


def test_cutoff_is_the_same_day_years_before():
    assert retention.cutoff_date(AS_OF, 3) == date(2023, 6, 15)
    assert retention.cutoff_date(date(2028, 2, 29), 3) == date(2025, 2, 28)


def test_purge_plan_picks_exactly_the_expected_clients(db):
    world, _old, _new = build_retention_world(db)
    plan = retention.plan(db.session, AS_OF, 3)
    assert plan.to_anonymise == len(EXPECTED_PURGED)
    assert plan.on_legal_hold == 1 and plan.walk_in_summaries == 1
    ids = {row["id"] for row in plan.sample if not row["legal_hold"]}
    assert ids == {world[name] for name in EXPECTED_PURGED}
    assert count_rows(Client, Client.anonymised_at.is_not(None)) == 0  # a preview changes nothing


def test_the_purge_preview_streams_every_affected_client_in_batches(app, db, monkeypatch):
    world, _old, _new = build_retention_world(db)
    codes = {name: db.session.get(Client, cid).code for name, cid in world.items()}
    cutoff = retention.cutoff_date(AS_OF, 3)
    queries = []
    real_execute = db.session.execute

    def counting_execute(statement, *args, **kwargs):
        queries.append(str(statement))
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", counting_execute)
    rows = list(retention.iter_affected(db.session, cutoff, batch=2))
    monkeypatch.undo()
    assert [r["id"] for r in rows] == sorted(world[n] for n in EXPECTED_PURGED | {"legal_hold"})
    assert len(queries) == 3 and all("LIMIT" in q for q in queries)  # 4 clients: 2, 2, then an empty batch
    by_name = {name: next(r for r in rows if r["id"] == world[name]) for name in EXPECTED_PURGED | {"legal_hold"}}
    assert by_name["one_day_older"]["basis"] == "visit"
    assert by_name["one_day_older"]["last_activity"] == CUTOFF_AT - timedelta(days=1)
    assert by_name["never_contacted"]["basis"] == "created"
    assert by_name["legal_hold"]["legal_hold"] is True

    monkeypatch.setattr(retention, "BATCH", 1)
    result = app.test_cli_runner().invoke(args=["retention", "purge", "--dry-run", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    listed = [line.split() for line in result.output.splitlines() if line.startswith("  ") and line.split()[0] in codes.values()]
    assert [parts[0] for parts in listed] == [codes[n] for n in sorted(by_name, key=lambda n: world[n])]
    line = next(parts for parts in listed if parts[0] == codes["one_day_older"])
    assert line[1:] == ["2023-06-14", "last", "visit"]
    assert " ".join(next(p for p in listed if p[0] == codes["legal_hold"])[2:]) == "last visit; legal hold, kept"
    assert count_rows(Client, Client.anonymised_at.is_not(None)) == 0


def test_purge_anonymises_them_skips_legal_holds_and_is_idempotent(db):
    world, old_walk_in, new_walk_in = build_retention_world(db)
    counts = retention.purge(db.session, AS_OF, 3, batch=2)
    assert counts == {"anonymised": 3, "walk_in_summaries": 1, "legal_hold": 1}
    db.session.expire_all()
    for name, client_id in world.items():
        client = db.session.get(Client, client_id)
        assert (client.anonymised_at is not None) == (name in EXPECTED_PURGED), name
    assert db.session.get(Visit, old_walk_in).summary is None
    assert db.session.get(Visit, new_walk_in).summary == "NEW-WALKIN"
    entries = db.session.query(AuditEvent).filter_by(action=AuditAction.PURGE).order_by(AuditEvent.id).all()
    batches, run = entries[:-1], entries[-1]  # an entry per batch (2 + 1 clients), then the run's totals
    assert [e.details["batch"] for e in batches] == [1, 2]
    assert [e.details["counts"]["anonymised"] for e in batches] == [2, 1]
    assert "batch" not in run.details and run.details["counts"]["anonymised"] == 3 and run.details["counts"]["batches"] == 2
    again = retention.purge(db.session, AS_OF, 3)
    assert again == {"anonymised": 0, "walk_in_summaries": 0, "legal_hold": 1}


@pytest.mark.parametrize("batch", [1, 2])
def test_an_interrupted_purge_leaves_no_half_done_client_and_a_rerun_finishes(db, batch):
    """The interruption comes right after the first batch committed (a batch is one transaction)."""
    world, _old, _new = build_retention_world(db)

    class Interrupted(Exception):
        pass

    def stop_after_first(client_id):
        raise Interrupted

    with pytest.raises(Interrupted):
        retention.purge(db.session, AS_OF, 3, batch=batch, on_client=stop_after_first)
    db.session.rollback()
    db.session.expire_all()
    states = []
    for name in EXPECTED_PURGED:
        client = db.session.get(Client, world[name])
        half = client.anonymised_at is None and client.last_name is None
        assert not half, name
        if client.anonymised_at is not None:
            # all text under an anonymised client is gone too
            assert db.session.query(Visit).filter(Visit.client_id == client.id, Visit.summary.is_not(None)).count() == 0
        states.append(client.anonymised_at is not None)
    assert states.count(True) == batch  # exactly the batch that committed, whole
    counts = retention.purge(db.session, AS_OF, 3)
    assert counts["anonymised"] == 3 - batch
    assert count_rows(Client, Client.anonymised_at.is_not(None)) == 3


def test_an_interrupted_purge_leaves_the_audit_trail_of_every_batch_it_completed(db):
    """Killed after its first batches, a purge had anonymised them with no entry in the trail (the run's
    single entry came at the end); the rerun's entry counted only its own."""
    world, _old, _new = build_retention_world(db)
    done = []

    class Killed(Exception):
        pass

    def kill_after_two_batches(client_id):
        done.append(client_id)
        if len(done) == 2:
            raise Killed

    with pytest.raises(Killed):
        retention.purge(db.session, AS_OF, 3, batch=1, on_client=kill_after_two_batches)
    db.session.rollback()
    entries = db.session.query(AuditEvent).filter_by(action=AuditAction.PURGE).order_by(AuditEvent.id).all()
    assert [(e.details["batch"], e.details["counts"]["anonymised"]) for e in entries] == [(1, 1), (2, 1)]
    assert count_rows(Client, Client.anonymised_at.is_not(None)) == 2
    assert retention.purge(db.session, AS_OF, 3, batch=1)["anonymised"] == 1
    entries = db.session.query(AuditEvent).filter_by(action=AuditAction.PURGE).all()
    batch_entries = [e for e in entries if "batch" in e.details]
    assert sum(e.details["counts"]["anonymised"] for e in batch_entries) == 3 == len(EXPECTED_PURGED)


@pytest.mark.parametrize("batch", [1, 2])
def test_a_purge_failing_inside_a_clients_anonymisation_rolls_its_batch_back_whole(db, monkeypatch, batch):
    """The failure strikes after the 2nd client's names and texts were already overwritten in the transaction.

    With batches of 1 the first client stays done; with batches of 2 the first client shared the
    failed transaction and is rolled back whole too. Either way no client is half anonymised.
    """
    world, _old, _new = build_retention_world(db)
    first, second = world["one_day_older"], world["never_contacted"]  # the purge goes by id
    assert first < second < world["no_show_only_recently"]
    factories.make_intake(client=db.session.get(Client, first), issue="FIRST-intake-issue")
    factories.make_intake(client=db.session.get(Client, second), issue="SECOND-intake-issue")
    factories.make_appointment(client=db.session.get(Client, second), notes="SECOND-notes",
                               starts_at=datetime(2021, 3, 1, 9, tzinfo=timezone.utc))  # planned, not attended: no activity
    db.session.commit()
    first_name, second_name = db.session.get(Client, first).last_name, db.session.get(Client, second).last_name
    second_code = db.session.get(Client, second).code

    class PowerCut(Exception):
        pass

    real_scrub = privacy._scrub_audit_details

    def scrub_then_fail(session, codes):
        real_scrub(session, codes)
        if second_code in codes:
            # by now the client's fields and every free text under it are updated (not committed)
            assert session.execute(sa.select(Intake.issue).where(Intake.client_id == second)).scalar() is None
            assert session.execute(sa.select(Client.last_name).where(Client.id == second)).scalar() is None
            raise PowerCut

    monkeypatch.setattr(privacy, "_scrub_audit_details", scrub_then_fail)
    with pytest.raises(PowerCut):
        retention.purge(db.session, AS_OF, 3, batch=batch)
    # no rollback here: the purge itself must have rolled the failed batch back
    db.session.expire_all()
    done = db.session.get(Client, first)
    if batch == 1:
        assert done.anonymised_at is not None and done.last_name is None and done.first_name is None
        assert db.session.execute(sa.select(Intake.issue).where(Intake.client_id == first)).scalar() is None
    else:
        assert done.anonymised_at is None and done.last_name == first_name and done.first_name == "Olena"
        assert db.session.execute(sa.select(Intake.issue).where(Intake.client_id == first)).scalar() == "FIRST-intake-issue"
    intact = db.session.get(Client, second)
    assert intact.anonymised_at is None and intact.last_name == second_name and intact.first_name == "Olena"
    assert db.session.execute(sa.select(Intake.issue).where(Intake.client_id == second)).scalar() == "SECOND-intake-issue"
    assert db.session.execute(sa.select(Appointment.notes).where(Appointment.client_id == second)).scalar() == "SECOND-notes"
    untouched = db.session.get(Client, world["no_show_only_recently"])
    assert untouched.anonymised_at is None and untouched.last_name
    # the batch that committed left its audit entry; the failed one left none
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.PURGE) == (1 if batch == 1 else 0)

    monkeypatch.setattr(privacy, "_scrub_audit_details", real_scrub)
    assert retention.purge(db.session, AS_OF, 3, batch=batch)["anonymised"] == (2 if batch == 1 else 3)
    db.session.expire_all()
    for name in EXPECTED_PURGED:
        assert db.session.get(Client, world[name]).anonymised_at is not None, name
    text = all_text(db)
    assert "SECOND-" not in text and "FIRST-" not in text
    assert retention.purge(db.session, AS_OF, 3) == {"anonymised": 0, "walk_in_summaries": 0, "legal_hold": 1}


def test_a_legal_hold_set_after_the_candidates_were_read_wins(db, monkeypatch):
    """A manager sets a hold between the purge reading a batch of candidates and anonymising it."""
    world, _old, _new = build_retention_world(db)
    late = world["never_contacted"]
    factories.make_intake(client=db.session.get(Client, late), issue="LATE-intake-issue")
    db.session.commit()
    late_name = db.session.get(Client, late).last_name
    real = privacy.anonymise_clients

    def hold_then_anonymise(session, ids, **kwargs):
        assert late in ids
        session.execute(sa.update(Client).where(Client.id == late).values(legal_hold=True, legal_hold_reason="Soud"))
        return real(session, ids, **kwargs)

    monkeypatch.setattr(privacy, "anonymise_clients", hold_then_anonymise)
    counts = retention.purge(db.session, AS_OF, 3)
    assert counts["anonymised"] == 2
    db.session.expire_all()
    held = db.session.get(Client, late)
    assert held.anonymised_at is None and held.last_name == late_name and held.legal_hold_reason == "Soud"
    assert db.session.execute(sa.select(Intake.issue).where(Intake.client_id == late)).scalar() == "LATE-intake-issue"


def test_the_purge_runs_a_few_statements_per_batch_not_per_client(app, db):
    """Set-based: the number of SQL statements does not grow with the clients of a batch."""
    build_retention_world(db)
    for i in range(20):
        client = fill_client_with_markers(db, f"BULK{i:02d}")
        client.created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    db.session.commit()
    db.session.execute(sa.update(Appointment).values(starts_at=datetime(2021, 3, 1, 9, tzinfo=timezone.utc)))
    db.session.execute(sa.update(Visit).where(Visit.client_id.is_not(None), Visit.occurred_at > CUTOFF_AT)
                       .values(occurred_at=datetime(2021, 3, 1, 9, tzinfo=timezone.utc)))
    db.session.execute(sa.update(Client).where(Client.legal_hold.is_(True), Client.code.is_not(None)).values(legal_hold=False))
    db.session.commit()
    expected = retention.plan(db.session, AS_OF, 3).to_anonymise
    assert expected >= 25
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = retention.purge(db.session, AS_OF, 3)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert counts["anonymised"] == expected
    # audit entries are rewritten one by one, but only those whose details held personal data (rare:
    # details are meant to hold none; here each marked client has one)
    audit_rewrites = [s for s in statements if s.startswith("UPDATE audit_event")]
    assert len(audit_rewrites) == 20
    # held count, candidates, the batch's client read, one UPDATE per age band, one per table with
    # free text, the audit details read, walk-ins, the run's entry
    assert len(statements) - len(audit_rewrites) <= 22, statements
    assert "BULK" not in all_text(db)


# --- data requests -----------------------------------------------------------------------------

def test_data_requests_are_due_in_a_month_and_completion_is_recorded(db):
    assert data_requests.one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert data_requests.one_month_after(date(2026, 12, 10)) == date(2027, 1, 10)
    worker = factories.make_worker()
    request = DataRequest(client=factories.make_client(), type="access", channel="email", received_on=date(2026, 3, 2))
    db.session.add(request)
    data_requests.save(db.session, request, by_id=worker.id)
    assert request.due_on == date(2026, 4, 2) and request.client_code
    request.status = DataRequestStatus.COMPLETED
    data_requests.save(db.session, request, by_id=worker.id)
    assert request.completed_on is not None and request.completed_by_id == worker.id
    assert data_requests.open_requests(db.session) == []
