"""flask users create, flask demo seed, flask codelists load."""
import pytest

from models import Agreement, Appointment, Client, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker
from models.enums import ClientStatus, Role
from tests.conftest import count_rows


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


def test_users_create_reads_the_password_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "Jana@Example.org", "--name", "Jana Nová", "--role", "worker",
                                 "--role", "manager", "--password-stdin"], input="a-long-enough-password\n")
    assert result.exit_code == 0, result.output
    worker = db.session.query(Worker).filter_by(email="jana@example.org").one()
    assert worker.role_set == {Role.WORKER, Role.MANAGER}
    assert worker.check_password("a-long-enough-password")
    assert "a-long-enough-password" not in result.output


def test_users_create_asks_twice(runner, db):
    result = runner.invoke(args=["users", "create", "petr@example.org", "--name", "Petr", "--role", "reception"],
                           input="a-long-enough-password\na-long-enough-password\n")
    assert result.exit_code == 0, result.output
    assert count_rows(Worker) == 1
    mismatch = runner.invoke(args=["users", "create", "eva@example.org", "--name", "Eva", "--role", "reception"],
                             input="a-long-enough-password\nsomething-else-entirely\n")
    assert mismatch.exit_code != 0
    assert count_rows(Worker) == 1


def test_users_create_refuses_bad_input(runner, db):
    short = runner.invoke(args=["users", "create", "a@example.org", "--name", "A", "--role", "worker", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "12" in short.output
    role = runner.invoke(args=["users", "create", "a@example.org", "--name", "A", "--role", "boss", "--password-stdin"], input="x" * 20)
    assert role.exit_code != 0
    runner.invoke(args=["users", "create", "a@example.org", "--name", "A", "--role", "worker", "--password-stdin"], input="a-long-enough-password\n")
    dup = runner.invoke(args=["users", "create", "A@example.org", "--name", "A", "--role", "worker", "--password-stdin"], input="a-long-enough-password\n")
    assert dup.exit_code != 0
    assert count_rows(Worker) == 1


def test_set_password(runner, db):
    runner.invoke(args=["users", "create", "a@example.org", "--name", "A", "--role", "worker", "--password-stdin"], input="a-long-enough-password\n")
    result = runner.invoke(args=["users", "set-password", "a@example.org", "--password-stdin"], input="another-long-password\n")
    assert result.exit_code == 0
    assert db.session.query(Worker).one().check_password("another-long-password")


def test_demo_seed_fills_every_entity_and_prints_logins_once(runner, db):
    result = runner.invoke(args=["demo", "seed", "--clients", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    for model in (Client, Intake, Agreement, RoadmapTask, Appointment, Visit, Topic, PublicOffice):
        assert count_rows(model) > 0, model
    assert count_rows(Client) == 40
    assert count_rows(Visit, Visit.client_id.is_(None)) > 0  # anonymous walk-ins
    assert count_rows(Client, Client.is_anonymous.is_(True)) >= 0
    statuses = {s for (s,) in db.session.query(Client.status).distinct()}
    assert ClientStatus.CLIENT in statuses
    for role in Role:
        assert role.value in result.output
    assert "@poradna.example" in result.output
    again = runner.invoke(args=["demo", "seed", "--clients", "5", "--if-empty"])
    assert again.exit_code == 0 and count_rows(Client) == 40
    assert "@poradna.example" not in again.output


def test_demo_seed_says_which_demo_accounts_must_set_up_two_factor_sign_in(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", ["manager", "admin"])
    result = runner.invoke(args=["demo", "seed", "--clients", "3"])
    assert result.exit_code == 0, result.output
    logins, note = result.output.split("Demo accounts", 1)[1].rsplit("@poradna.example", 1)
    assert "the manager and admin accounts will be asked to set up two-factor sign-in with an\nauthenticator app" in note
    assert "REQUIRE_2FA_ROLES= make run" in note
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", [])
    result = runner.invoke(args=["demo", "seed", "--clients", "3"])
    assert "Two-factor sign-in is optional for every demo account (REQUIRE_2FA_ROLES=)." in result.output
    assert "will be asked" not in result.output


def test_demo_seed_is_deterministic(app, runner, db):
    runner.invoke(args=["demo", "seed", "--clients", "15", "--seed", "3"])
    first = [(c.code, c.last_name, c.citizenship, c.status) for c in db.session.query(Client).order_by(Client.code)]
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    runner.invoke(args=["demo", "seed", "--clients", "15", "--seed", "3"])
    second = [(c.code, c.last_name, c.citizenship, c.status) for c in db.session.query(Client).order_by(Client.code)]
    assert [row[1:] for row in first] == [row[1:] for row in second]


def test_every_command_has_help(runner):
    for args in (["users", "--help"], ["users", "create", "--help"], ["users", "set-password", "--help"],
                 ["demo", "seed", "--help"], ["codelists", "load", "--help"], ["privacy", "compact", "--help"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "Usage" in result.output


def test_codelists_load_is_idempotent(runner, db):
    runner.invoke(args=["codelists", "load"])
    topics = count_rows(Topic)
    runner.invoke(args=["codelists", "load"])
    assert count_rows(Topic) == topics >= 9


def test_clients_export_anonymise_delete_and_retention_commands(runner, db, tmp_path):
    import json
    from datetime import datetime, timezone

    from models import AuditEvent
    from models.enums import AuditAction
    from tests import factories

    person = factories.make_client(last_name="Příkazová")
    old = factories.make_client(created_at=datetime(2019, 1, 1, tzinfo=timezone.utc))
    gone = factories.make_client()
    db.session.commit()
    old_id = old.id
    out = runner.invoke(args=["clients", "export", person.code, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["client"]["last_name"] == "Příkazová"
    target = tmp_path / "record.html"
    html = runner.invoke(args=["clients", "export", person.code, "--format", "html", "--lang", "en", "--output", str(target)])
    assert html.exit_code == 0 and '<html lang="en">' in target.read_text()
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).count() == 2
    assert runner.invoke(args=["clients", "export", "NOPE"]).exit_code != 0

    refused = runner.invoke(args=["clients", "anonymise", person.code], input="n\n")
    assert refused.exit_code != 0 and "Příkazová" not in refused.output
    db.session.refresh(person)
    assert person.anonymised_at is None
    done = runner.invoke(args=["clients", "anonymise", person.code], input="y\n")
    assert done.exit_code == 0, done.output
    db.session.refresh(person)
    assert person.anonymised_at is not None
    assert runner.invoke(args=["clients", "anonymise", person.code, "--yes"]).exit_code == 0  # idempotent

    deleted = runner.invoke(args=["clients", "delete", gone.code, "--yes"])
    assert deleted.exit_code == 0, deleted.output

    dry = runner.invoke(args=["retention", "purge", "--dry-run", "--as-of", "2026-06-15"])
    assert dry.exit_code == 0 and old.code in dry.output
    db.session.refresh(old)
    assert old.anonymised_at is None
    run = runner.invoke(args=["retention", "purge", "--as-of", "2026-06-15", "--yes"])
    assert run.exit_code == 0, run.output
    db.session.expire_all()
    from models import Client

    assert db.session.get(Client, old_id).anonymised_at is not None


def test_clients_merge_shows_the_preview_asks_and_merges(runner, db):
    from models import AuditEvent
    from models.enums import AuditAction
    from tests import factories

    kept = factories.make_client(first_name="Taras", last_name="Ševčenko", birth_year=1980, phone="+420 777 123 456")
    dup = factories.make_client(first_name="Taras", last_name="Shevchenko", birth_year=1981, phone="777 999 000",
                                status=ClientStatus.INTERESTED)
    factories.make_appointment(client=dup, worker=kept.worker)
    db.session.commit()
    kept_id, dup_id = kept.id, dup.id
    refused = runner.invoke(args=["clients", "merge", dup.code, kept.code], input="n\n")
    assert refused.exit_code != 0 and "Nothing was changed" in refused.output
    assert "1  " in refused.output and "birth_year: 1980 (INTO) / 1981 (FROM) -> INTO" in refused.output
    assert db.session.get(Client, dup_id).merged_into_id is None
    assert runner.invoke(args=["clients", "merge", kept.code, kept.code, "--yes"]).exit_code != 0  # into itself
    assert runner.invoke(args=["clients", "merge", dup.code, kept.code, "--take", "email", "--yes"]).exit_code != 0
    done = runner.invoke(args=["clients", "merge", dup.code, kept.code, "--take", "phone", "--yes"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert db.session.get(Client, dup_id).merged_into_id == kept_id
    assert db.session.get(Client, kept_id).phone == "777 999 000" and db.session.get(Client, kept_id).birth_year == 1980
    assert count_rows(Appointment, Appointment.client_id == kept_id) == 1
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.MERGE).count() == 2
    again = runner.invoke(args=["clients", "merge", dup.code, kept.code, "--yes"])
    assert again.exit_code != 0 and dup.code in again.output  # already merged


def test_the_readme_lists_every_command_and_every_table_compacted(app):
    """The README's command table names each of the project's commands; its Personal data section
    each table the compaction rewrites (every table that held erased text: tests/test_compaction.py)."""
    import pathlib

    from cli_reports import report_cli
    from cli import clients_cli, codelists_cli, demo_cli, privacy_cli, retention_cli, users_cli
    from services import privacy

    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    table = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for group in (users_cli, demo_cli, codelists_cli, clients_cli, retention_cli, privacy_cli, report_cli):
        for name in group.commands:
            assert f"flask {group.name} {name}" in table, f"flask {group.name} {name}"
    section = readme.split("## Personal data", 1)[1].split("\n## ", 1)[0]
    assert all(table_name in section for table_name in privacy.COMPACT_TABLES)
