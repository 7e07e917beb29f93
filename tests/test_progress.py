"""Long commands show progress on a terminal and one plain line elsewhere (issue 19)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from services import demo_bulk
from services.progress import Progress
from tests import factories


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_with_counts_percent_and_the_summary():
    screen = Terminal()
    with Progress("Anonymising expired clients", 200, file=screen, unit="clients") as advance:
        for _ in range(4):
            advance(50)
    text = screen.getvalue()
    assert "Anonymising expired clients" in text and "200/200" in text and "100%" in text
    assert "\r" in text or "\x1b" in text or text.count("Anonymising") > 1  # redrawn as it goes
    assert text.rstrip().splitlines()[-1].startswith("Anonymising expired clients: 200 of 200 clients in ")


def test_elsewhere_one_plain_line_and_nothing_drawn():
    log = io.StringIO()
    with Progress("Seeding demo clients", 3, file=log, unit="clients") as advance:
        advance()
        advance(2)
        advance(5)  # more than the total is not counted
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Seeding demo clients: 3 of 3 clients in ") and lines[0].endswith(" s.")
    assert "\r" not in log.getvalue() and "%" not in log.getvalue()


def test_an_interrupted_phase_says_nothing_of_being_done():
    log = io.StringIO()
    try:
        with Progress("Seeding demo clients", 3, file=log) as advance:
            advance()
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert log.getvalue() == ""


def test_demo_seed_and_the_purge_report_their_progress_in_plain_lines(runner, db):
    seeded = runner.invoke(args=["demo", "seed", "--clients", "6", "--seed", "2"])
    assert seeded.exit_code == 0, seeded.output
    assert "Seeding demo clients: 6 of 6 clients in " in seeded.stderr and "\r" not in seeded.output
    for n in range(3):
        factories.make_client(created_at=datetime(2015, 1, 1 + n, tzinfo=timezone.utc), last_contact_at=None)
    db.session.commit()
    purged = runner.invoke(args=["retention", "purge", "--as-of", "2026-06-15", "--yes"])
    assert purged.exit_code == 0, purged.output
    line = next(line for line in purged.stderr.splitlines() if line.startswith("Anonymising expired clients:"))
    done = int(line.split(": ")[1].split(" of ")[0])
    assert done >= 3 and f"{done} of {done} clients" in line
    assert f"Done: {done} anonymised" in purged.stdout


def test_bulk_seeding_reports_every_client(db):
    told = []
    demo_bulk.seed_bulk(db.session, clients=120, seed=4, progress=told.append)
    assert sum(told) == 120
