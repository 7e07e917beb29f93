"""services.reports and services.report_export: every figure against a hand-built world
(tests/report_data.py) whose expected numbers are written out here, the scope of a social
worker, hidden small counts, months in Prague time, formula escaping, and a bounded number of
queries over the demo data."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date

import pytest

from models import AuditEvent
from models.enums import AuditAction, Role, VisitChannel
from services import demo, report_export, reports
from tests import factories, report_data
from tests.conftest import statements_run
from tests.report_data import FORMULA_DISTRICT, MARCH, figures, local


@pytest.fixture()
def world(db):
    w = report_data.build()
    db.session.commit()
    return w


def _counts(table):
    return {row.key: row.count for row in table.rows}


def test_people(db, world):
    report = reports.summary(db.session, *MARCH)
    assert report.scope == "all"
    assert _counts(report.table("people")) == {
        "clients_served": 4,  # c1, c2, c3 and the anonymised c4; c7 only came in February
        "interested_persons": 3,  # intakes held in March: c2, c5, c6
        "new_agreements": 2,
        "ended_agreements": 1,
        "refusals": 2,
        "anonymous_contacts": 2,
    }
    assert _counts(report.table("agreements_ended_by_outcome")) == {
        "goal_achieved": 1, "ended_client": 0, "ended_centre": 0, "ended_no_contact": 0,
    }
    assert _counts(report.table("refusals_by_reason")) == {"legal_repr": 0, "translation": 1, "capacity": 1, "other": 0}


def test_contacts(db, world):
    f = figures(reports.summary(db.session, *MARCH))
    assert f["contacts_by_channel"] == {
        "walk_in": {"count": 3, "minutes": 55, "units": 3},
        "phone": {"count": 1, "minutes": 10, "units": 1},
        "email": {"count": 1, "minutes": 0, "units": 0},  # no time recorded; late on the 31st (summer time) still counts
        "field": {"count": 2, "minutes": 75, "units": 3},
        "scheduled": {"count": 3, "minutes": 195, "units": 7},  # the attended appointments
    }
    assert f["contacts_by_form"] == {
        "office": {"count": 7, "users": 4, "minutes": 170, "units": 8},
        "field": {"count": 3, "users": 2, "minutes": 165, "units": 6},
    }
    assert f["time_spent"] == {
        "visits": {"count": 7, "minutes": 140, "units": 7},
        "appointments": {"count": 3, "minutes": 195, "units": 7},
        "total": {"count": 10, "minutes": 335, "units": 14},
    }
    assert f["accompaniments_by_office"] == {"foreign_police": {"count": 1, "minutes": 90, "units": 3}}
    assert f["interpreters_by_language"] == {"uk": {"count": 2, "minutes": 105}}


def test_time_unit_is_configurable(db, world):
    f = figures(reports.summary(db.session, *MARCH, unit_minutes=60))
    assert f["time_spent"]["total"] == {"count": 10, "minutes": 335, "units": 10}
    assert reports.summary(db.session, *MARCH, unit_minutes=60).table("time_spent").column_title("units", 60).endswith("(60 min)")


def test_attendance(db, world):
    table = reports.summary(db.session, *MARCH).table("attendance")
    assert {r.key: (r.count, r.rate) for r in table.rows} == {
        "attended": (3, 0.5), "no_show": (1, 1 / 6), "cancelled_phone": (1, 1 / 6), "cancelled_email": (0, 0.0),
        "cancelled_centre": (1, 1 / 6), "total": (6, 1.0),  # the planned appointment is left out
    }


def test_breakdowns(db, world):
    f = figures(reports.summary(db.session, *MARCH))
    assert f["contacts_by_month"] == {"2025-03": {"count": 10, "minutes": 335, "units": 14}}
    report = reports.summary(db.session, *MARCH)
    by_worker = {r.label: (r.count, r.minutes, r.units) for r in report.table("contacts_by_worker").rows}
    assert by_worker == {"Anna Worker": (6, 210, 8), "Boris Worker": (4, 125, 6)}
    assert f["contacts_by_topic"] == {"residence": {"count": 3, "minutes": 45}, "employment": {"count": 2, "minutes": 55}}
    assert f["clients_by_citizenship"] == {
        "UA": {"count": 2, "anonymous": 1}, "VN": {"count": 1, "anonymous": 0}, "RU": {"count": 1, "anonymous": 0},
        "SY": {"count": 0, "anonymous": 1},
    }
    assert _counts(report.table("clients_by_residence_status")) == {
        "visa": 0, "long_term": 1, "permanent": 1, "temp_protection": 0, "intl_protection": 0, "eu_family": 0,
        "other": 0, None: 2,
    }
    assert f["clients_by_sex"] == {
        "female": {"count": 2, "anonymous": 1}, "male": {"count": 2, "anonymous": 1},
        "other": {"count": 0, "anonymous": 0}, None: {"count": 0, "anonymous": 0},
    }
    # ages at the end of 2025: c1 35, c2 25, c3 unknown, c4 anonymised with the band kept
    assert f["clients_by_age_band"] == {
        "0-17": {"count": 0, "anonymous": 0}, "18-26": {"count": 1, "anonymous": 1}, "27-64": {"count": 1, "anonymous": 0},
        "65+": {"count": 1, "anonymous": 0}, None: {"count": 1, "anonymous": 1},
    }
    assert _counts(report.table("clients_by_district")) == {"Praha": 1, "Brno-město": 1, FORMULA_DISTRICT: 1, None: 1}


def test_roadmap(db, world):
    table = reports.summary(db.session, *MARCH).table("tasks_done_by_responsible")
    assert {r.key: (r.count, r.on_time, r.rate) for r in table.rows} == {
        "client": (2, 2, 1.0), "worker": (1, 0, 0.0), "both": (0, 0, None), "total": (3, 2, 2 / 3),
    }


def test_annual_statement(db, world):
    report = reports.statement(db.session, *MARCH)
    f = figures(report)
    assert {k: v["count"] for k, v in f["statement_office"].items()} == {"users": 4, "contacts": 6, "interventions": 7, "minutes": 155}
    assert {k: v["count"] for k, v in f["statement_field"].items()} == {"users": 2, "contacts": 2, "interventions": 5, "minutes": 135}
    assert _counts(report.table("statement_users")) == {"users": 4}
    assert _counts(report.table("statement_users_by_sex")) == {"female": 2, "male": 2, "other": 0, None: 0}
    assert _counts(report.table("statement_users_by_age_band")) == {"0-17": 0, "18-26": 1, "27-64": 1, "65+": 1, None: 1}
    cards = {tuple(r.attrs[a][0] for a in ("sex", "age_band", "district", "target_group")): r.count
             for r in report.table("statement_user_cards").rows}
    assert cards == {
        ("female", "27-64", "Praha", "immigrants"): 1, ("male", "18-26", "Brno-město", "immigrants"): 1,
        ("female", None, FORMULA_DISTRICT, "immigrants"): 1, ("male", "65+", None, "immigrants"): 1,
    }
    assert _counts(report.table("statement_anonymous")) == {"contacts_office": 1, "contacts_field": 1, "interventions": 2, "minutes": 45}
    assert _counts(report.table("statement_refusals")) == {"capacity": 1, "not_provided": 1, "other": 0, "total": 2}


def test_a_social_worker_sees_only_their_own_clients_figures(db, world):
    anna = world.anna
    report = reports.summary(db.session, *MARCH, user=anna)
    assert report.scope == "own"
    assert _counts(report.table("people")) == {
        "clients_served": 2, "interested_persons": 2, "new_agreements": 1, "ended_agreements": 0, "refusals": 1,
        "anonymous_contacts": 1,  # the anonymous walk-in Anna handled
    }
    assert figures(report)["time_spent"]["total"] == {"count": 6, "minutes": 210, "units": 8}
    assert {r.label for r in report.table("contacts_by_worker").rows} == {"Anna Worker"}
    assert _counts(report.table("attendance"))["total"] == 4  # c1 and c2, attended or not
    assert FORMULA_DISTRICT not in _counts(report.table("clients_by_district"))
    assert _counts(reports.statement(db.session, *MARCH, user=world.boris).table("statement_refusals"))["total"] == 1
    # cover access to a colleague's client does not make it one's own
    from services import cover
    cover.grant_cover(db.session, anna, world.c3, "Kolegyně je nemocná")
    db.session.commit()
    assert _counts(reports.summary(db.session, *MARCH, user=anna).table("people"))["clients_served"] == 2


def test_a_manager_who_is_also_a_worker_sees_everything_and_others_see_nothing(db, world):
    both = factories.make_worker(roles=[Role.WORKER, Role.MANAGER])
    assert _counts(reports.summary(db.session, *MARCH, user=both).table("people"))["clients_served"] == 4
    with pytest.raises(PermissionError):
        reports.summary(db.session, *MARCH, user=factories.make_worker(roles=[Role.RECEPTION]))


def test_months_are_local_months(db):
    worker = factories.make_worker()
    for when in (local(2025, 1, 31, 23, 30), local(2025, 2, 1, 0, 30), local(2025, 3, 31, 23, 30), local(2025, 4, 1, 0, 30)):
        factories.make_visit(anonymous=True, worker=worker, occurred_at=when, minutes=10)
    db.session.commit()
    f = figures(reports.summary(db.session, date(2025, 1, 1), date(2025, 3, 31)))
    assert {k: v["count"] for k, v in f["contacts_by_month"].items()} == {"2025-01": 1, "2025-02": 1, "2025-03": 1}
    labels = [r.label for r in reports.summary(db.session, date(2025, 1, 1), date(2025, 3, 31)).table("contacts_by_month").rows]
    assert labels == ["leden 2025", "únor 2025", "březen 2025"]


def test_an_empty_period_gives_zeros_not_errors(db):
    report = reports.summary(db.session, date(2030, 1, 1), date(2030, 12, 31))
    assert _counts(report.table("people")) == dict.fromkeys(
        ("clients_served", "interested_persons", "new_agreements", "ended_agreements", "refusals", "anonymous_contacts"), 0)
    assert len(report.table("contacts_by_month").rows) == 12
    assert report.table("contacts_by_topic").rows == []
    assert report_export.to_xlsx(report)[:2] == b"PK"


def test_a_bad_period_is_refused(db):
    with pytest.raises(ValueError):
        reports.summary(db.session, date(2025, 3, 2), date(2025, 3, 1))
    with pytest.raises(ValueError):
        reports.summary(db.session, date(2000, 1, 1), date(2025, 1, 1))


def test_small_counts_can_be_hidden(db, world):
    report = reports.hide_small_counts(reports.summary(db.session, *MARCH))
    assert report.small_counts_hidden
    people = report.table("people")
    assert _counts(people)["clients_served"] == "<5"
    time_spent = {r.key: (r.count, r.minutes, r.units) for r in report.table("time_spent").rows}
    # 3 appointments are hidden; 7 visits and the total of 10 would give them away, so they are hidden too
    assert time_spent == {"visits": ("x", None, None), "appointments": ("<5", None, None), "total": ("x", None, None)}
    assert figures(report)["contacts_by_month"] == {"2025-03": {"count": 10, "minutes": 335, "units": 14}}  # 5 and more stay
    walk_in = {r.key: r for r in report.table("contacts_by_channel").rows}["walk_in"]
    assert (walk_in.count, walk_in.minutes, walk_in.units) == ("<5", None, None)  # time would give the count away
    assert {r.key: r.count for r in report.table("refusals_by_reason").rows}["other"] == 0  # zero is not hidden
    data = report_export.to_json(report)
    assert data["small_counts_hidden"] is True
    assert {"key": "clients_served", "label": people.rows[0].label, "count": "<5"} in data["tables"]["people"]


def _table(rows, columns=("count",), additive=True):
    return reports.Table("t", "T", [reports.Row(key, key, *values) for key, *values in rows], columns, additive=additive)


def _hidden(table, column="count"):
    report = reports.Report("summary", reports.Period(*MARCH), "all", 30, [reports.Section("s", "S", [table])])
    return {r.key: r.value(column) for r in reports.hide_small_counts(report).tables()[0].rows}


def test_a_hidden_count_cannot_be_worked_out_by_subtraction():
    # one small cell: the smallest other non-zero cell (not the zero) and the total are hidden too
    assert _hidden(_table([("a", 3), ("b", 0), ("c", 7), ("d", 20), ("total", 30)])) == {
        "a": "<5", "b": 0, "c": "x", "d": 20, "total": "x"}
    # two small cells cover each other: only the total goes
    assert _hidden(_table([("a", 3), ("b", 2), ("c", 9), ("total", 14)])) == {"a": "<5", "b": "<5", "c": 9, "total": "x"}
    # nothing small: nothing hidden
    assert _hidden(_table([("a", 5), ("b", 9), ("total", 14)])) == {"a": 5, "b": 9, "total": 14}
    # a small total is "<5" itself; with nothing else to hide, the lone cell is the total anyway
    assert _hidden(_table([("a", 3), ("b", 0), ("total", 3)])) == {"a": "<5", "b": 0, "total": "<5"}
    # a list of separate figures (not parts of one whole) only hides the small ones
    assert _hidden(_table([("served", 3), ("agreements", 9)], additive=False)) == {"served": "<5", "agreements": 9}


def test_hidden_counts_take_their_time_and_every_share_of_the_table_along():
    table = _table([("a", 3, None, None, 40, 2), ("b", 8, None, None, 90, 3), ("c", 30, None, None, 600, 20),
                    ("total", 41, None, None, 730, 25)], ("count", "minutes", "units"))
    report = reports.Report("summary", reports.Period(*MARCH), "all", 30, [reports.Section("s", "S", [table])])
    rows = {r.key: (r.count, r.minutes, r.units) for r in reports.hide_small_counts(report).tables()[0].rows}
    assert rows == {"a": ("<5", None, None), "b": ("x", None, None), "c": (30, 600, 20), "total": ("x", None, None)}
    # shares of the total would give the total away (attended 30 = 73.2 % → 41 in all)
    shares = reports.Table("t", "T", [
        reports.Row("attended", "A", 30, rate=30 / 41), reports.Row("no_show", "N", 3, rate=3 / 41),
        reports.Row("cancelled", "C", 8, rate=8 / 41), reports.Row("total", "T", 41, rate=1.0),
    ], ("count", "rate"))
    report = replace(report, sections=[reports.Section("s", "S", [shares])])
    assert {r.key: (r.count, r.rate) for r in reports.hide_small_counts(report).tables()[0].rows} == {
        "attended": (30, None), "no_show": ("<5", None), "cancelled": ("x", None), "total": ("x", None)}
    # each count column on its own: persons all shown, anonymous contacts suppressed
    both = _table([("UA", 20, None, 3), ("SY", 9, None, 6), ("VN", 7, None, 12)], ("count", "anonymous"))
    assert _hidden(both) == {"UA": 20, "SY": 9, "VN": 7}
    assert _hidden(both, "anonymous") == {"UA": "<5", "SY": "x", "VN": 12}


def test_no_hidden_count_of_the_world_can_be_worked_out(db, world):
    for report in (reports.summary(db.session, *MARCH), reports.statement(db.session, date(2025, 1, 1), date(2025, 12, 31))):
        hidden = reports.hide_small_counts(report)
        for table in hidden.tables():
            if not table.additive:
                continue
            for column in set(table.columns) & set(reports.COUNT_COLUMNS):
                parts = [r.value(column) for r in table.rows if r.key != "total"]
                totals = [r.value(column) for r in table.rows if r.key == "total"]
                if any(isinstance(v, str) for v in parts):
                    assert all(isinstance(v, str) for v in totals), (table.key, column)
                    assert sum(isinstance(v, str) for v in parts) >= 2 or not any(
                        isinstance(v, int) and v > 0 for v in parts), (table.key, column)
                    assert all(r.rate is None for r in table.rows), table.key


def test_json_export_lists_key_label_count_and_minutes(db, world):
    data = json.loads(report_export.render(reports.summary(db.session, *MARCH), "json"))
    assert (data["report"], data["from"], data["to"], data["scope"], data["unit_minutes"]) == ("summary", "2025-03-01", "2025-03-31", "all", 30)
    channel = data["tables"]["contacts_by_channel"]
    assert channel[0] == {"key": "walk_in", "label": VisitChannel.WALK_IN.title, "count": 3, "minutes": 55, "units": 3}
    assert all({"key", "label", "count"} <= set(row) for rows in data["tables"].values() for row in rows)
    people = report_export.to_json(reports.summary(db.session, *MARCH))["tables"]["people"]
    assert {k: people[0][k] for k in ("key", "count")} == {"key": "clients_served", "count": 4}
    assert set(people[0]) == {"key", "label", "count"}


def _csv_cells(text):
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]  # Czech: semicolons


def test_exports_escape_formulas_and_carry_no_names_or_contacts(db, world):
    summary = reports.summary(db.session, *MARCH)
    statement = reports.statement(db.session, *MARCH)
    for report in (summary, statement):
        cells = _csv_cells(report_export.to_csv(report))
        assert "'" + FORMULA_DISTRICT in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(report_export.to_xlsx(report)))
        values = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
        assert "'" + FORMULA_DISTRICT in [c.value for c in values]
        assert not [c for c in values if c.data_type == "f" or (isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@"))]
        text = report_export.to_csv(report) + json.dumps(report_export.to_json(report), ensure_ascii=False)
        for secret in ("Olena", "Secretname", "Hiddenname", "777 111 222", "olena@example.org", world.c1.code):
            assert secret not in text
    assert report_export.escape_cell("-1") == "'-1" and report_export.escape_cell("@x") == "'@x"
    assert report_export.escape_cell("+420") == "'+420" and report_export.escape_cell(-1) == -1
    assert report_export.escape_cell("Praha") == "Praha"


def test_xlsx_holds_the_same_numbers(db, world):
    from openpyxl import load_workbook

    report = reports.summary(db.session, *MARCH)
    workbook = load_workbook(io.BytesIO(report_export.to_xlsx(report)))
    assert len(workbook.sheetnames) == len(report.tables())
    sheet = workbook[workbook.sheetnames[0]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[2][0] == report.table("people").title
    assert rows[3][2] == report.table("people").column_title("count", 30)
    assert rows[4][0] == "clients_served" and rows[4][2] == 4
    single = load_workbook(io.BytesIO(report_export.to_xlsx(reports.statement(db.session, *MARCH))))
    assert len(single.sheetnames) == 1


def test_export_is_audited_by_the_caller(db, world):
    report = reports.summary(db.session, *MARCH)
    report_export.record_export(db.session, report, "xlsx")
    db.session.commit()
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).one()
    assert (event.entity, event.details) == ("report", {"format": "xlsx", "from": "2025-03-01", "to": "2025-03-31"})


def _count_queries(app, db, build):
    return len(statements_run(build))


def test_a_years_report_runs_a_bounded_number_of_queries(app, db):
    """The number of queries does not depend on the size of the data."""
    from services.timeutil import local_now

    year = local_now().year - 1
    period = (date(year, 1, 1), date(year, 12, 31))

    def run():
        summary = reports.summary(db.session, *period)
        statement = reports.statement(db.session, *period)
        return summary, statement

    demo.seed(db.session, clients=150, seed=1)
    db.session.commit()
    first = _count_queries(app, db, run)
    small, _ = run()
    demo.seed(db.session, clients=150, seed=2)
    db.session.commit()
    second = _count_queries(app, db, run)
    large, _ = run()
    assert first == second
    assert first <= 35  # about twenty for the summary, ten for the statement
    assert _counts(large.table("people"))["clients_served"] > _counts(small.table("people"))["clients_served"] > 0
