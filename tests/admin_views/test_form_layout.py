"""Forms laid out for the task (issue 21): short fields side by side in one row container each (the form
rules' Row, rendered by the macro of templates/admin/lib_poradna.html), their labels and errors next to
them, what was typed kept on a refusal, in Czech and in English."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from tests import factories

#: the registration form's rows, in their order (admin_views/clients.py form_create_rules)
CLIENT_ROWS = [
    ["first_name", "last_name", "alias"],
    ["birth_year", "birth_date", "sex"],
    ["phone", "email"],
    ["municipality", "district"],
    ["citizenship", "residence_status"],
    ["status", "worker"],
]


class _Rows(HTMLParser):
    """The form rows of a page (``div.form-row``): the names of the fields in each, in their order, and for
    each field the texts of its column (label, errors, help)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.columns: dict[str, str] = {}  # field name -> the text of its column
        self.labels: dict[str, str] = {}  # a label's for= -> its text
        self._depth = 0
        self._row_depth: int | None = None  # the depth of the open row's div
        self._column: list[str] | None = None  # texts of the open column
        self._column_depth: int | None = None
        self._column_fields: list[str] = []
        self._label_for: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div":
            self._depth += 1
            if "form-row" in classes and self._row_depth is None:
                self._row_depth = self._depth
                self.rows.append([])
            elif self._row_depth is not None and self._column_depth is None and self._depth == self._row_depth + 1:
                self._column_depth, self._column, self._column_fields = self._depth, [], []
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden" and self._row_depth is not None:
            self.rows[-1].append(attrs["name"])
            self._column_fields.append(attrs["name"])
        elif tag == "label":
            self._label_for = attrs.get("for")
            self.labels[self._label_for] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        if tag != "div":
            return
        if self._column_depth == self._depth:
            for name in self._column_fields:
                self.columns[name] = " ".join(" ".join(self._column).split())
            self._column_depth = self._column = None
        if self._row_depth == self._depth:
            self._row_depth = None
        self._depth -= 1

    def handle_data(self, data):
        if self._column is not None:
            self._column.append(data)
        if self._label_for is not None:
            self.labels[self._label_for] += data


def _rows(page: str) -> _Rows:
    parser = _Rows()
    parser.feed(page)
    return parser


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_registration_form_puts_short_fields_side_by_side(client, db, login_as):
    login_as("reception")
    factories.make_worker()
    db.session.commit()
    page = _page(client.get("/admin/client/new/"))
    found = _rows(page)
    assert found.rows == CLIENT_ROWS
    # each field in a column of its own (one under another on a narrow screen), its label tied to it
    assert len(re.findall(r'<div class="col-md">', page)) == sum(len(row) for row in CLIENT_ROWS)
    for name in (name for row in CLIENT_ROWS for name in row):
        assert found.labels.get(name, "").strip(), name
    # nothing Flask-Admin's own Row would write onto an input (not valid HTML)
    assert "column_class" not in page
    # the fields of no row keep a line of their own, "anonymous" first
    assert page.index('name="is_anonymous"') < page.index('name="first_name"')
    assert page.index('name="residence_status"') < page.index('name="languages"') < page.index('name="status"')


def test_a_refused_registration_keeps_what_was_typed_and_the_error_at_its_field(client, db, login_as):
    login_as("reception")
    db.session.commit()
    response = client.post("/admin/client/new/", data={
        "first_name": "Hanna", "last_name": "Petrenková", "birth_year": "1850", "sex": "female",
        "phone": "+420 606 222 333", "email": "hanna@example.org", "citizenship": "UA", "status": "interested",
    })
    page = _page(response)
    found = _rows(page)
    assert found.rows == CLIENT_ROWS  # the same layout
    message = "Zadejte rok narození od roku 1900 do letošního roku."
    assert message in html.unescape(found.columns["birth_year"])  # in the year's own column
    assert message not in found.columns["sex"] and message not in found.columns["first_name"]
    assert re.search(r'<input[^>]*class="[^"]*is-invalid[^"]*"[^>]*name="birth_year"', page)
    for name, value in (("first_name", "Hanna"), ("last_name", "Petrenková"), ("birth_year", "1850"),
                        ("phone", "+420 606 222 333"), ("email", "hanna@example.org")):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{re.escape(value)}"', page), name
    assert re.search(r'<option selected value="female">', page) and re.search(r'<option selected value="UA">', page)



def test_a_registration_with_several_bad_fields_shows_every_error_at_once(client, db, login_as):
    """The services' rules of one field (year of birth, phone, email) are checked with the form's own:
    one round shows them all, each in its field's column, and nothing is saved."""
    from models import Client
    from tests.conftest import count_rows

    login_as("reception")
    typed = {"first_name": "Hanna", "last_name": "Petrenková", "birth_year": "1850", "phone": "12",
             "email": "hanna@", "citizenship": "UA", "status": "interested"}
    page = _page(client.post("/admin/client/new/", data=typed))
    columns = {name: html.unescape(text) for name, text in _rows(page).columns.items()}
    assert "Zadejte rok narození od roku 1900 do letošního roku." in columns["birth_year"]
    assert "Zadejte telefonní číslo" in columns["phone"]
    assert "Zadejte e-mailovou adresu" in columns["email"]
    for name in ("first_name", "last_name", "birth_year", "phone", "email"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{re.escape(typed[name])}"', page), name
    assert count_rows(Client) == 0
    # the same rules still hold for whoever saves through the service alone (tests/services/test_clients.py)


def test_the_rows_read_in_english_too(client, db, login_as):
    login_as("reception")
    db.session.commit()
    client.post("/locale", data={"locale": "en"})
    found = _rows(_page(client.get("/admin/client/new/")))
    assert found.rows == CLIENT_ROWS
    assert [found.labels[name].strip() for name in CLIENT_ROWS[0]] == ["First name", "Last name", "Alias"]
    assert [found.labels[name].strip() for name in CLIENT_ROWS[4]] == ["Citizenship", "Residence status"]


def test_the_edit_form_keeps_the_rows_without_the_worker(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    db.session.commit()
    found = _rows(_page(client.get(f"/admin/client/edit/?id={person.id}")))
    assert found.rows == CLIENT_ROWS[:-1] + [["status"]]  # reassignment is the manager's own operation


def test_the_new_clients_worker_offers_nobody_yet_not_a_raw_value(client, db, login_as):
    login_as("reception")
    factories.make_worker(full_name="Petra Svobodová")
    db.session.commit()
    page = _page(client.get("/admin/client/new/"))
    select = page[page.index('name="worker"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options[0] == "— zatím nikdo —" and "Petra Svobodová" in options
    assert "__None" not in options and re.search(r'<option selected value="__None">', select)
    client.post("/locale", data={"locale": "en"})
    assert "<option selected value=\"__None\">— nobody yet —</option>" in _page(client.get("/admin/client/new/"))


def test_the_booking_form_puts_place_purpose_and_interpreter_in_rows(client, db, login_as):
    login_as("reception")
    person = factories.make_client(worker=factories.make_worker())
    db.session.commit()
    page = _page(client.get(f"/admin/appointment/new/?client_id={person.id}"))
    rows = _rows(page).rows
    assert ["format", "place"] in rows and ["office", "place_note"] in rows
    assert ["purpose", "status"] in rows and ["interpreter", "language"] in rows
    assert rows.index(["format", "place"]) < rows.index(["purpose", "status"]) < rows.index(["interpreter", "language"])
    # reception writes no record of the meeting: no heading over nothing
    assert 'name="notes"' not in page and ">Zápis<" not in page


def test_the_visit_form_puts_when_who_and_the_walk_ins_coded_data_in_rows(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    visit = factories.make_visit(client=person, worker=me)
    db.session.commit()
    for url in ("/admin/visit/new/", f"/admin/visit/edit/?id={visit.id}"):
        page = _page(client.get(url))
        assert _rows(page).rows == [["occurred_at", "channel", "minutes"], ["client", "worker"],
                                    ["citizenship", "language"], ["sex", "age_band"]], url
        assert page.index('name="worker"') < page.index('name="topics"') < page.index('name="citizenship"'), url
    assert 'name="version"' in page  # the edit keeps the stale-form check



def test_an_unchosen_related_record_reads_not_given_not_an_empty_option(client, db, login_as):
    """A related record's select with no text of its own (walk-in hours' worker on duty): the form
    converter gives its unchosen choice words (admin_views/forms.PoradnaConverter)."""
    login_as("admin")
    page = _page(client.get("/admin/walkin_hours/new/"))
    select = page[page.index('name="duty_worker"'):]
    select = select[:select.index("</select>")]
    assert re.search(r'<option selected value="__None">— neuvedeno —</option>', select)
    client.post("/locale", data={"locale": "en"})
    assert '<option selected value="__None">— not given —</option>' in _page(client.get("/admin/walkin_hours/new/"))
