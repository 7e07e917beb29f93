"""The reports pages: the same figures on the page, in the JSON and in the XLSX; a social worker's
own figures; the period chooser and its validation; charts and accessible markup; audited exports."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from models import AuditEvent
from models.enums import AuditAction
from services import reports
from tests import report_data
from tests.report_data import FORMULA_DISTRICT, MARCH, json_figures, page_figures, xlsx_figures

MARCH_ARGS = "period=month&year=2025&month=3"


@pytest.fixture()
def world(db):
    w = report_data.build()
    db.session.commit()
    return w


def _export(client, fmt, query):
    response = client.get(f"/admin/reports/export/{fmt}/?{query}")
    assert response.status_code == 200, response.data[:300]
    return response


def test_the_page_the_json_and_the_xlsx_show_the_same_figures(client, db, login_as, world):
    login_as("manager")
    page = client.get(f"/admin/reports/?{MARCH_ARGS}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    on_page = page_figures(html)
    data = json.loads(_export(client, "json", MARCH_ARGS).data)
    in_json = json_figures(data["tables"])
    in_xlsx = xlsx_figures(_export(client, "xlsx", MARCH_ARGS).data, data["tables"])
    assert on_page == in_json == in_xlsx
    # and they are the figures written out in tests/services/test_reports.py
    assert on_page["people"]["clients_served"] == {"count": 4}
    assert on_page["people"]["refusals"] == {"count": 2}
    assert on_page["time_spent"]["total"] == {"count": 10, "minutes": 335, "units": 14}
    assert on_page["contacts_by_form"]["field"] == {"count": 3, "users": 2, "minutes": 165, "units": 6}
    assert on_page["attendance"]["no_show"] == {"count": 1}
    assert on_page["clients_by_district"][FORMULA_DISTRICT] == {"count": 1}
    assert (data["from"], data["to"], data["scope"]) == ("2025-03-01", "2025-03-31", "all")
    assert len(on_page) == len(reports.summary(db.session, *MARCH).tables())


def test_the_statement_page_and_its_xlsx(client, db, login_as, world):
    login_as("manager")
    page = client.get("/admin/reports/statement/?year=2025")
    assert page.status_code == 200
    on_page = page_figures(page.get_data(as_text=True))
    expected = report_data.figures(reports.statement(db.session, date(2025, 1, 1), date(2025, 12, 31)))
    assert on_page["statement_users"]["users"] == {"count": 5}  # c7 came in February
    assert on_page["statement_field"]["contacts"] == {"count": 2}
    assert on_page["statement_refusals"]["total"] == {"count": 2}
    assert {k: {str(r if r is not None else ""): v for r, v in rows.items()} for k, rows in expected.items()} == on_page
    data = json.loads(_export(client, "json", "report=statement&year=2025").data)
    assert data["report"] == "statement" and (data["from"], data["to"]) == ("2025-01-01", "2025-12-31")
    response = _export(client, "xlsx", "report=statement&year=2025")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "poradna-statement-20250101-20251231.xlsx" in response.headers["Content-Disposition"]
    assert xlsx_figures(response.data, data["tables"]) == on_page
    from openpyxl import load_workbook

    assert len(load_workbook(io.BytesIO(response.data)).sheetnames) == 1  # one sheet, ready to copy


def test_a_social_worker_sees_their_own_figures_only(client, db, login_as, world):
    me = login_as("worker")
    world.c1.worker = me  # the only client ``me`` holds; Anna still handled its contacts
    db.session.commit()
    html = client.get(f"/admin/reports/?{MARCH_ARGS}").get_data(as_text=True)
    on_page = page_figures(html)
    assert on_page["people"]["clients_served"] == {"count": 1}
    assert on_page["time_spent"]["total"] == {"count": 3, "minutes": 90, "units": 4}  # two visits and one appointment of c1
    assert "Anna Worker" in html and "Boris Worker" not in html  # Anna handled c1's contacts
    assert FORMULA_DISTRICT.replace('"', "&#34;") not in html
    assert "own clients" in html or "vlastních klientů" in html
    data = json.loads(_export(client, "json", MARCH_ARGS).data)
    assert data["scope"] == "own" and json_figures(data["tables"]) == on_page


def test_the_period_chooser(client, db, login_as):
    login_as("manager")

    def title(query):
        html = client.get(f"/admin/reports/?{query}").get_data(as_text=True)
        return re.search(r'<h2 class="h5 mt-4" id="report-heading">(.*?)</h2>', html).group(1)

    assert "1. 3. 2025" in title("period=month&year=2025&month=3") and "31. 3. 2025" in title("period=month&year=2025&month=3")
    assert "29. 2. 2024" in title("period=month&year=2024&month=2")
    assert "1. 4. 2025" in title("period=quarter&year=2025&quarter=2") and "30. 6. 2025" in title("period=quarter&year=2025&quarter=2")
    assert "31. 12. 2025" in title("period=year&year=2025")
    assert "5. 1. 2025" in title("period=custom&date_from=2025-01-05&date_to=2025-02-10")
    assert "10. 2. 2025" in title("period=custom&date_from=05.01.2025&date_to=10.02.2025")  # the Czech way of writing dates
    assert client.get("/admin/reports/").status_code == 200  # this month by default


@pytest.mark.parametrize("query, field, typed", [
    ("period=custom&date_from=2025-13-01&date_to=2025-02-01", "date_from", "2025-13-01"),
    ("period=custom&date_from=2025-01-01&date_to=yesterday", "date_to", "yesterday"),
    ("period=custom&date_from=2025-03-01&date_to=2025-02-01", "date_to", "2025-02-01"),
    ("period=custom&date_from=2025-03-01", "date_to", ""),
    ("period=custom&date_from=1990-01-01&date_to=2025-02-01", "date_to", "2025-02-01"),
    ("period=year&year=abc", "year", "abc"),
    ("period=year&year=1850", "year", "1850"),
    ("period=month&year=2025&month=13", "month", None),
    ("period=month&year=2025&month=x", "month", None),
    ("period=week", "period", None),
    ("period=year&year=2025&unit=0", "unit", "0"),
    ("period=year&year=2025&unit=many", "unit", "many"),
])
def test_bad_input_is_a_message_not_an_error(client, db, login_as, query, field, typed):
    login_as("manager")
    response = client.get(f"/admin/reports/?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert 'id="report-heading"' not in html
    assert "alert-danger" in html
    if typed is not None:
        assert re.search(rf'<input[^>]*id="{field}"[^>]*value="{re.escape(typed)}"', html) or \
            (typed == "" and re.search(rf'<input[^>]*id="{field}"', html))
    exported = client.get(f"/admin/reports/export/csv/?{query}")
    assert exported.status_code == 302
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).count() == 0


def test_bad_dates_read_in_czech(client, db, login_as):
    login_as("manager")
    html = client.get("/admin/reports/?period=custom&date_from=31-31-2025&date_to=2025-01-01").get_data(as_text=True)
    assert "2025-01-31" in html  # the example in the message
    client.post("/locale", data={"locale": "en", "next": "/admin/"})
    html = client.get("/admin/reports/?period=custom&date_from=31-31-2025&date_to=2025-01-01").get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD" in html


def test_exports_are_audited_and_escaped(client, db, login_as, world):
    me = login_as("manager")
    response = _export(client, "csv", MARCH_ARGS)
    assert response.mimetype == "text/csv"
    assert 'filename="poradna-summary-20250301-20250331.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    assert "'" + FORMULA_DISTRICT.replace('"', '""') in text
    assert "\n=" not in text and ";=" not in text
    for secret in ("Olena", "Secretname", "Hiddenname", "777 111 222", "olena@example.org", world.c1.code):
        assert secret not in text
    one = _export(client, "csv", MARCH_ARGS + "&table=attendance").data.decode("utf-8")
    assert "no_show" in one and "clients_served" not in one
    assert client.get(f"/admin/reports/export/csv/?{MARCH_ARGS}&table=nonsense").status_code == 404
    assert client.get(f"/admin/reports/export/pdf/?{MARCH_ARGS}").status_code == 404
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).order_by(AuditEvent.id).all()
    assert [(e.actor_id, e.entity, e.details) for e in events] == [
        (me.id, "report", {"format": "csv", "from": "2025-03-01", "to": "2025-03-31"}),
    ] * 2


def test_small_counts_are_hidden_on_request(app, client, db, login_as, world):
    login_as("manager")
    html = client.get(f"/admin/reports/?{MARCH_ARGS}&hide_small=y").get_data(as_text=True)
    on_page = page_figures(html)
    assert on_page["people"]["clients_served"] == {"count": "<5"}
    # 3 appointments are hidden: the 7 visits and the total of 10 would give them away
    assert on_page["time_spent"] == {"visits": {"count": "x", "minutes": None, "units": None},
                                     "appointments": {"count": "<5", "minutes": None, "units": None},
                                     "total": {"count": "x", "minutes": None, "units": None}}
    assert on_page["contacts_by_month"]["2025-03"] == {"count": 10, "minutes": 335, "units": 14}  # 5 and more stay
    assert "dopočítat" in html  # the legend of "x"
    assert "hide_small=y" in html  # the export links keep the option
    data = json.loads(_export(client, "json", MARCH_ARGS + "&hide_small=y").data)
    assert data["small_counts_hidden"] is True and data["tables"]["people"][0]["count"] == "<5"
    assert len(data["legend"]) == 2
    # the page, the JSON, the XLSX, the CSV and the command line hide the same cells
    in_xlsx = xlsx_figures(_export(client, "xlsx", MARCH_ARGS + "&hide_small=y").data, data["tables"])
    assert on_page == json_figures(data["tables"]) == in_xlsx
    csv_text = _export(client, "csv", MARCH_ARGS + "&hide_small=y&table=time_spent").get_data(as_text=True)
    rows = {row[0]: row[2] for row in csv.reader(io.StringIO(csv_text), delimiter=";") if len(row) > 2}
    assert (rows["visits"], rows["appointments"], rows["total"]) == ("x", "<5", "x")
    assert "dopočítat" in csv_text.splitlines()[2]  # the legend under the title
    result = app.test_cli_runner().invoke(args=["report", "summary", "--from", "2025-03-01", "--to", "2025-03-31",
                                                "--format", "json", "--hide-small-counts"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"] == data["tables"]


def test_the_page_is_accessible_and_self_contained(client, db, login_as, world):
    login_as("manager")
    html = client.get(f"/admin/reports/?{MARCH_ARGS}").get_data(as_text=True)
    tables = re.findall(r"<table[^>]*data-table=[^>]*>.*?</table>", html, re.S)
    assert tables and all("<caption>" in t and 'scope="col"' in t and 'scope="row"' in t for t in tables)
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) == 4  # contacts per month, attendance, topics, citizenship
    for svg in charts:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg and "aria-labelledby" in svg
    assert re.search(r"<desc id=\"chart-contacts_by_topic-desc\">[^<]*Pobyt: 3", html)
    # every input has a label
    for input_id in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"', html):
        if input_id not in ("csrf_token",):
            assert f'for="{input_id}"' in html, input_id
    # nothing from another site; names and contacts of clients never appear
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for secret in ("Olena", "Secretname", "Hiddenname", "777 111 222", "olena@example.org", world.c1.code):
        assert secret not in html
    assert '=HYPERLINK("' not in html  # escaped like any other text


def test_reports_are_in_the_menu_of_those_who_may_open_them(client, db, login_as):
    login_as("worker")
    assert 'href="/admin/reports/"' in client.get("/admin/").get_data(as_text=True)


def test_reception_is_refused_and_audited(client, db, login_as):
    me = login_as("reception")
    assert client.get("/admin/reports/").status_code == 403
    assert client.get("/admin/reports/export/json/").status_code == 403
    assert 'href="/admin/reports/"' not in client.get("/admin/").get_data(as_text=True)
    denied = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED).all()
    assert [(e.actor_id, e.entity) for e in denied] == [(me.id, "reports")] * 2


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get("/admin/reports/?period=year&year=2025")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_csv_follows_the_language_czech_excel_opens_the_czech_one(client, db, login_as, world):
    """Issue 19: in Czech semicolons, decimal commas and a UTF-8 byte-order mark; in English commas, no mark;
    the page says so."""
    login_as("manager")
    page = client.get(f"/admin/reports/?{MARCH_ARGS}").get_data(as_text=True)
    assert "oddělené středníkem" in page and "v českém Excelu" in page
    czech = _export(client, "csv", MARCH_ARGS + "&table=attendance").data
    assert czech.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(czech.decode("utf-8-sig")), delimiter=";"))
    header = next(row for row in rows if row and row[0] == "Kód")
    assert len(header) > 2
    shares = [cell for row in rows for cell in row if re.fullmatch(r"\d+,\d", cell)]
    assert shares and not [cell for row in rows for cell in row if re.fullmatch(r"\d+\.\d", cell)]  # decimal commas
    statement = client.get("/admin/reports/statement/?year=2025").get_data(as_text=True)
    assert "oddělené středníkem" in statement
    client.post("/locale", data={"locale": "en"})
    page = client.get(f"/admin/reports/?{MARCH_ARGS}").get_data(as_text=True)
    assert "separated by commas" in page
    english = _export(client, "csv", MARCH_ARGS + "&table=attendance").data
    assert not english.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(english.decode("utf-8"))))
    assert next(row for row in rows if row and row[0] == "Code")[1] == "Item"
    assert [cell for row in rows for cell in row if re.fullmatch(r"\d+\.\d", cell)]
