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
                 ["demo", "seed", "--help"], ["codelists", "load", "--help"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "Usage" in result.output


def test_codelists_load_is_idempotent(runner, db):
    runner.invoke(args=["codelists", "load"])
    topics = count_rows(Topic)
    runner.invoke(args=["codelists", "load"])
    assert count_rows(Topic) == topics >= 9
