"""Erased means gone from the database's files, on PostgreSQL too.

After an anonymisation and the README's plain VACUUM, PostgreSQL's table and index files (client,
appointment, visit, agreement, intake, roadmap_task, cover_grant, audit_event and the name indexes)
still held the erased names, notes and goals: VACUUM marks the space free, it does not remove the
bytes. ``flask privacy compact`` rewrites those tables (VACUUM FULL); ``flask retention purge --yes``
runs it when something was erased since the last compaction.
"""
from __future__ import annotations

import os
import pathlib
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import AuditEvent, Client, ErasureState
from models.enums import AuditAction
from services import audit, cover, privacy
from tests import factories
from tests.conftest import count_rows


def _relation_files(conn) -> list[pathlib.Path]:
    """Every file of every table, index, TOAST table and materialised view of this database (the
    system catalogs' too), or [] when the server's data directory cannot be read from here."""
    data_dir = pathlib.Path(conn.execute(sa.text("SHOW data_directory")).scalar())
    paths = conn.execute(sa.text(
        "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.relkind IN ('r', 'i', 't', 'm') "
        "AND pg_relation_filepath(c.oid) IS NOT NULL")).scalars().all()
    files = []
    for relative in paths:
        base = data_dir / relative
        files += [base] + sorted(base.parent.glob(base.name + ".[0-9]*"))  # 1 GB segments
    return files


def _found(files, needles: list[bytes]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path in files:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # rewritten meanwhile
        for needle in needles:
            if needle in data:
                hits.setdefault(needle.decode(), []).append(path.name)
    return hits


def _plant(db, tag: str) -> Client:
    """A client holding ``tag`` in their name, contacts and every kind of note."""
    worker = factories.make_worker()
    person = factories.make_client(worker=worker, first_name=f"{tag}jmeno", last_name=f"{tag}prijmeni",
                                   phone="+420 777 123 456", email=f"{tag}@example.org", alias=f"{tag}alias")
    agreement = factories.make_agreement(client=person, worker=worker, goal=f"{tag}cil", issue=f"{tag}problem")
    factories.make_task(agreement=agreement, description=f"{tag}ukol")
    factories.make_intake(client=person, worker=worker, issue=f"{tag}vstup")
    factories.make_appointment(client=person, worker=worker, notes=f"{tag}poznamka",
                               starts_at=datetime.now(timezone.utc) - timedelta(days=3))
    factories.make_visit(client=person, worker=worker, summary=f"{tag}navsteva")
    factories.make_data_request(client=person, note=f"{tag}zadost")
    cover.grant_cover(db.session, factories.make_worker(), person, f"{tag}duvod")
    audit.record(db.session, AuditAction.VIEW, entity="client", entity_id=person.id, client_code=person.code,
                 details={"screen": "client", "free": f"{tag}audit"})
    db.session.commit()
    return person


def test_no_erased_byte_remains_in_any_table_or_index_file_of_postgresql(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (run with TEST_DATABASE_URL): SQLite overwrites freed content itself (secure_delete)")
    with db.engine.connect() as conn:
        if conn.execute(sa.text("SELECT current_setting('is_superuser')")).scalar() != "on":
            pytest.skip("the test needs a superuser to read the data directory's location and run CHECKPOINT")
        files = _relation_files(conn)
    readable = [f for f in files if f.exists() and os.access(f, os.R_OK)]
    if not readable or len(readable) < len([f for f in files if f.exists()]):
        pytest.skip("the server's data directory is not readable from here (the test reads its files)")
    tag = "Zq" + uuid.uuid4().hex[:10]
    person = _plant(db, tag)
    needles = [f"{tag}{part}".encode() for part in ("jmeno", "prijmeni", "alias", "cil", "problem", "ukol", "vstup",
                                                     "poznamka", "navsteva", "zadost", "duvod", "audit")]
    needles.append(f"{tag}@example.org".encode())

    def checkpoint_and_search():
        with db.engine.connect() as conn:
            conn.execute(sa.text("CHECKPOINT"))  # every page written out to its file
            return _found(_relation_files(conn), needles)

    before = checkpoint_and_search()
    assert len(before) == len(needles), f"the test cannot see the planted text in the files: {sorted(before)}"
    assert privacy.anonymise(db.session, db.session.get(Client, person.id)) is True
    db.session.commit()
    with db.engine.connect() as conn:  # what the README used to recommend: not enough
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(
            "VACUUM client, appointment, visit, agreement, intake, roadmap_task, reassignment, cover_grant, "
            "data_request, audit_event"))
    assert checkpoint_and_search(), "plain VACUUM left nothing: the compaction's test proves nothing"
    result = app.test_cli_runner().invoke(args=["privacy", "compact"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert checkpoint_and_search() == {}


def test_the_purge_compacts_when_something_was_erased_since_the_last_compaction(app, db):
    runner = app.test_cli_runner()
    old = factories.make_client(created_at=datetime(2019, 1, 1, tzinfo=timezone.utc))
    factories.make_visit(client=old, occurred_at=datetime(2020, 1, 1, tzinfo=timezone.utc), summary="Stará návštěva")
    db.session.commit()
    assert not privacy.compaction_pending(db.session)
    result = runner.invoke(args=["retention", "purge", "--yes", "--as-of", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "Compacted" in result.output
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.COMPACTED) == 1
    db.session.expire_all()
    state = db.session.get(ErasureState, 1)
    assert state.compacted_at is not None and not privacy.compaction_pending(db.session)
    # nothing erased since: the next night's purge does not compact again
    result = runner.invoke(args=["retention", "purge", "--yes", "--as-of", "2026-06-15"])
    assert result.exit_code == 0 and "Compacted" not in result.output
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.COMPACTED) == 1
    # an anonymisation from the web during the day: the night's purge compacts, though it erased nothing itself
    person = factories.make_client()
    db.session.commit()
    privacy.anonymise(db.session, person)
    db.session.commit()
    assert privacy.compaction_pending(db.session)
    result = runner.invoke(args=["retention", "purge", "--yes", "--as-of", "2026-06-15"])
    assert "Compacted" in result.output and count_rows(AuditEvent, AuditEvent.action == AuditAction.COMPACTED) == 2
    # a deletion counts as an erasure too
    gone = factories.make_client()
    db.session.commit()
    privacy.delete_client(db.session, gone)
    db.session.commit()
    assert privacy.compaction_pending(db.session)


def test_compact_says_what_it_locks_and_audits_what_it_did(app, db):
    runner = app.test_cli_runner()
    help_text = runner.invoke(args=["privacy", "compact", "--help"]).output
    assert "exclusive lock" in help_text and "VACUUM FULL" in help_text
    result = runner.invoke(args=["privacy", "compact"])
    assert result.exit_code == 0, result.output
    entry = db.session.query(AuditEvent).filter_by(action=AuditAction.COMPACTED).one()
    assert set(entry.details["tables"]) == set(privacy.COMPACT_TABLES)


def test_every_table_that_holds_erased_text_is_compacted():
    held = {model.__tablename__ for model, _field, _ in privacy.FREE_TEXT} | {"client", "audit_event"}
    assert held <= set(privacy.COMPACT_TABLES)


def test_a_table_whose_lock_is_not_free_is_left_for_the_next_run(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (run with TEST_DATABASE_URL): SQLite compaction takes no table locks")
    person = factories.make_client()
    db.session.commit()
    privacy.anonymise(db.session, person)
    db.session.commit()
    with db.engine.connect() as blocker:
        blocker.execute(sa.text("BEGIN"))
        blocker.execute(sa.text("LOCK TABLE visit IN ACCESS SHARE MODE"))  # a long report reading visits
        result = privacy.compact(db.session, lock_timeout_ms=200)
        blocker.execute(sa.text("ROLLBACK"))
    assert result.skipped == ["visit"] and not result.complete
    assert privacy.compaction_pending(db.session)  # still to do: the next purge runs it again
    assert privacy.compact(db.session).complete and not privacy.compaction_pending(db.session)


def test_the_readme_says_what_compaction_removes_and_what_the_log_and_backups_keep():
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Personal data", 1)[1].split("\n## ", 1)[0]
    for phrase in ("flask privacy compact", "exclusive lock", "write-ahead log", "checkpoint", "Backups"):
        assert phrase in section, phrase
    for table in privacy.COMPACT_TABLES:
        assert table in section, table
    assert "flask privacy compact" in readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
