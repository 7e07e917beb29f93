"""flask report summary / statement: the same figures as the page, every format, audited."""
from __future__ import annotations

import csv
import io
import json

import pytest

from models import AuditEvent
from models.enums import AuditAction, VisitChannel
from tests import report_data
from tests.report_data import FORMULA_DISTRICT, json_figures, page_figures, xlsx_figures

MARCH = ["--from", "2025-03-01", "--to", "2025-03-31"]


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def world(db):
    w = report_data.build()
    db.session.commit()
    return w


def _json(runner, *args):
    result = runner.invoke(args=["report", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_summary_json_has_the_figures_of_the_page(runner, client, db, login_as, world):
    data = _json(runner, "summary", *MARCH, "--format", "json")
    assert (data["report"], data["from"], data["to"], data["scope"]) == ("summary", "2025-03-01", "2025-03-31", "all")
    figures = json_figures(data["tables"])
    assert figures["people"]["clients_served"] == {"count": 4}
    assert figures["people"]["anonymous_contacts"] == {"count": 2}
    assert figures["contacts_by_channel"]["walk_in"] == {"count": 3, "minutes": 55, "units": 3}
    assert figures["time_spent"]["total"] == {"count": 10, "minutes": 335, "units": 14}
    assert figures["tasks_done_by_responsible"]["total"] == {"count": 3, "on_time": 2}
    assert data["tables"]["contacts_by_channel"][0] == {
        "key": "walk_in", "label": "Bez objednání", "count": 3, "minutes": 55, "units": 3,
    }  # labels in Czech by default
    login_as("manager")
    page = client.get("/admin/reports/?period=month&year=2025&month=3").get_data(as_text=True)
    assert page_figures(page) == figures
    web = json.loads(client.get("/admin/reports/export/json/?period=month&year=2025&month=3").data)
    assert web["tables"] == data["tables"]


def test_summary_xlsx_to_a_file_reads_back_the_same(runner, db, world, tmp_path):
    data = _json(runner, "summary", *MARCH)
    target = tmp_path / "summary.xlsx"
    result = runner.invoke(args=["report", "summary", *MARCH, "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert xlsx_figures(target.read_bytes(), data["tables"]) == json_figures(data["tables"])
    piped = runner.invoke(args=["report", "summary", *MARCH, "--format", "xlsx"])
    assert piped.exit_code == 0 and piped.stdout_bytes[:2] == b"PK"  # redirected standard output takes the bytes


def test_summary_csv_to_standard_output_is_escaped(runner, db, world):
    result = runner.invoke(args=["report", "summary", *MARCH, "--format", "csv"])
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.stdout), delimiter=";") for cell in row]  # Czech: semicolons
    assert "'" + FORMULA_DISTRICT in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "Olena" not in result.stdout and world.c1.code not in result.stdout


def test_statement_small_counts_and_english(runner, db, world):
    data = _json(runner, "statement", "--year", "2025", "--hide-small-counts", "--lang", "en")
    assert (data["report"], data["from"], data["to"], data["small_counts_hidden"]) == ("statement", "2025-01-01", "2025-12-31", True)
    assert data["tables"]["statement_users"][0]["count"] == 5
    assert data["tables"]["statement_field"][0]["count"] == "<5"
    channel = _json(runner, "summary", *MARCH, "--lang", "en")["tables"]["contacts_by_channel"][0]
    assert channel == {"key": VisitChannel.WALK_IN.value, "label": "Walk-in", "count": 3, "minutes": 55, "units": 3}


def test_every_export_is_audited(runner, db, world, tmp_path):
    runner.invoke(args=["report", "summary", *MARCH, "--format", "csv"])
    runner.invoke(args=["report", "statement", "--year", "2025", "--format", "xlsx", "--output", str(tmp_path / "s.xlsx")])
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).order_by(AuditEvent.id).all()
    assert [(e.actor_id, e.entity, e.details) for e in events] == [
        (None, "report", {"format": "csv", "from": "2025-03-01", "to": "2025-03-31"}),
        (None, "report", {"format": "xlsx", "from": "2025-01-01", "to": "2025-12-31"}),
    ]


@pytest.mark.parametrize("args", [
    ["summary", "--from", "2025-03-31", "--to", "2025-03-01"],
    ["summary", "--from", "2025-02-30", "--to", "2025-03-01"],
    ["summary", "--from", "2025-03-01"],
    ["summary", *MARCH, "--format", "pdf"],
    ["summary", "--from", "1990-01-01", "--to", "2025-03-01"],
    ["summary", *MARCH, "--unit", "0"],
    ["statement", "--year", "20"],
])
def test_bad_input_is_refused_with_a_message(runner, db, args):
    result = runner.invoke(args=["report", *args])
    assert result.exit_code == 2, result.output
    assert "Error" in result.output
    assert db.session.query(AuditEvent).count() == 0


def test_csv_from_the_command_line_follows_the_language(runner, db, world, tmp_path):
    """Czech: semicolons and a UTF-8 byte-order mark (Czech Excel); English: commas, no mark."""
    czech, english = tmp_path / "cs.csv", tmp_path / "en.csv"
    for lang, target in (("cs", czech), ("en", english)):
        result = runner.invoke(args=["report", "summary", *MARCH, "--format", "csv", "--lang", lang, "--output", str(target)])
        assert result.exit_code == 0, result.output
    assert czech.read_bytes().startswith(b"\xef\xbb\xbf") and not english.read_bytes().startswith(b"\xef\xbb\xbf")
    cs_rows = list(csv.reader(io.StringIO(czech.read_text(encoding="utf-8-sig")), delimiter=";"))
    en_rows = list(csv.reader(io.StringIO(english.read_text(encoding="utf-8"))))
    assert ["Kód", "Položka"] == next(r for r in cs_rows if r and r[0] == "Kód")[:2]
    assert ["Code", "Item"] == next(r for r in en_rows if r and r[0] == "Code")[:2]
