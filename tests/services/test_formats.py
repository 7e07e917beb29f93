"""One date and time format per language, CSV per language, and dictionary order of labels (issue 19)."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale

from services import codes, formats

#: 6 December 2026, 14:30 in Prague (13:30 UTC, winter time)
WINTER = datetime(2026, 12, 6, 13, 30, tzinfo=timezone.utc)
#: 5 July 2026, 9:05 in Prague (7:05 UTC, summer time)
SUMMER = datetime(2026, 7, 5, 7, 5, tzinfo=timezone.utc)


@pytest.fixture()
def ctx(app):
    with app.test_request_context():
        yield


def test_czech_dates_and_times(ctx):
    with force_locale("cs"):
        assert formats.datetime_text(WINTER) == "6. 12. 2026 14:30"
        assert formats.datetime_text(SUMMER) == "5. 7. 2026 9:05"
        assert formats.date_text(date(2026, 12, 6)) == "6. 12. 2026"
        assert formats.time_text(WINTER) == "14:30"
        assert formats.weekday_text(WINTER) == "neděle 6. 12. 2026 14:30"
        assert formats.weekday_text(date(2026, 12, 7)) == "pondělí 7. 12. 2026"
        assert formats.month_text(date(2026, 12, 1)) == "prosinec 2026"


def test_english_dates_and_times_are_british_and_24_hour(ctx):
    with force_locale("en"):
        assert formats.datetime_text(WINTER) == "6 Dec 2026, 14:30"
        assert formats.datetime_text(SUMMER) == "5 Jul 2026, 09:05"
        assert formats.date_text(date(2026, 12, 6)) == "6 Dec 2026"
        assert formats.weekday_text(date(2026, 12, 7)) == "Monday 7 Dec 2026"
        assert formats.month_text(date(2026, 12, 1)) == "December 2026"


def test_a_naive_datetime_is_utc_and_a_day_is_the_centres(ctx):
    with force_locale("cs"):
        assert formats.datetime_text(WINTER.replace(tzinfo=None)) == "6. 12. 2026 14:30"
        # 23:30 UTC is already the next day in Prague
        assert formats.date_text(datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)) == "7. 12. 2026"


def test_template_filters_use_the_one_format(app, ctx):
    render = app.jinja_env.from_string(
        "{{ v|datetimeformat }}|{{ v|datetimeformat('short') }}|{{ v|datetimeformat('HH:mm') }}|{{ d|dateformat('long') }}"
        "|{{ d|dateformat }}|{{ v|datetime_text }}|{{ none|datetime_text }}")
    with force_locale("cs"):
        assert render.render(v=WINTER, d=date(2026, 12, 6), none=None) == \
            "6. 12. 2026 14:30|6. 12. 2026 14:30|14:30|6. 12. 2026|6. 12. 2026|6. 12. 2026 14:30|"
    with force_locale("en"):
        assert render.render(v=WINTER, d=date(2026, 12, 6), none=None) == \
            "6 Dec 2026, 14:30|6 Dec 2026, 14:30|14:30|6 Dec 2026|6 Dec 2026|6 Dec 2026, 14:30|"


def test_csv_format_per_language(ctx):
    with force_locale("cs"):
        cs = formats.csv_format()
    with force_locale("en"):
        en = formats.csv_format()
    assert (cs.delimiter, cs.bom, cs.decimal) == (";", True, ",")
    assert (en.delimiter, en.bom, en.decimal) == (",", False, ".")
    assert formats.csv_number(12.5, cs) == "12,5" and formats.csv_number(12.5, en) == 12.5
    assert formats.csv_number(7, cs) == 7


# --- dictionary order ---------------------------------------------------------------------

CZECH_PAIRS = [
    ("Cypr", "Čad"), ("Čína", "Dánsko"), ("Hongkong", "Chile"), ("Chorvatsko", "Indie"), ("Rusko", "Řecko"),
    ("Řecko", "Senegal"), ("Srbsko", "Šalamounovy ostrovy"), ("Švýcarsko", "Tádžikistán"), ("Zambie", "Žirafa"),
    ("Česko", "Čína"), ("Austrálie", "Ázerbájdžán"), ("tádžičtina", "tagalog"), ("Írán", "Island"),
    ("chata", "Chata"), ("Bosna a Hercegovina", "Bosňák"), ("2. patro", "Adresa"),
]


@pytest.mark.parametrize("first, second", CZECH_PAIRS)
def test_czech_collation_pairs(first, second):
    assert codes.collation_key(first, "cs") < codes.collation_key(second, "cs"), (first, second)


def test_czech_collation_sorts_a_shuffled_list():
    expected = ["Cypr", "Česko", "Čína", "Dánsko", "Hongkong", "Chile", "Chorvatsko", "Indie", "Rusko", "Řecko",
                "Senegal", "Srbsko", "Šalamounovy ostrovy", "Švýcarsko", "Tádžikistán", "Zambie", "Žirafa"]
    shuffled = expected[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=lambda text: codes.collation_key(text, "cs")) == expected


def test_english_order_ignores_accents_and_has_no_czech_letters():
    words = ["Zambia", "Åland Islands", "Chile", "Czechia", "China", "Côte d’Ivoire", "Albania"]
    assert sorted(words, key=lambda text: codes.collation_key(text, "en")) == \
        ["Åland Islands", "Albania", "Chile", "China", "Côte d’Ivoire", "Czechia", "Zambia"]


def test_country_and_language_choices_follow_the_language(ctx):
    with force_locale("cs"):
        countries = [name for _code, name in codes.country_choices()]
        languages = [name for _code, name in codes.language_choices()]
    assert countries.index("Chile") > countries.index("Honduras") and countries.index("Chile") < countries.index("Indie")
    assert countries.index("Česko") < countries.index("Dánsko") < countries.index("Řecko") < countries.index("Švýcarsko")
    assert countries.index("Rusko") < countries.index("Řecko") < countries.index("Senegal")
    assert languages.index("ruština") < languages.index("řečtina") < languages.index("slovenština") < languages.index("španělština")
    assert countries == sorted(countries, key=lambda text: codes.collation_key(text, "cs"))
    with force_locale("en"):
        english = [name for _code, name in codes.country_choices()]
    assert english.index("Czechia") < english.index("Denmark") and english.index("Chile") < english.index("China")


def test_topics_in_czech_order_on_the_walk_in_form(client, login_as, db):
    from tests import factories

    for code, label_cs, label_en in (("t1", "Zdraví", "Health"), ("t2", "Čeština", "Czech language"),
                                     ("t3", "Chudoba", "Poverty"), ("t4", "Hmotná nouze", "Material need"),
                                     ("t5", "Řidičský průkaz", "Driving licence"), ("t6", "Stát", "State")):
        factories.make_topic(code=code, label_cs=label_cs, label_en=label_en)
    db.session.commit()
    login_as("reception")
    html = client.get("/admin/").get_data(as_text=True)
    topics_select = html[html.index('name="topics"'):]
    topics_select = topics_select[:topics_select.index("</select>")]
    positions = [topics_select.index(label) for label in ("Čeština", "Hmotná nouze", "Chudoba", "Řidičský průkaz", "Stát", "Zdraví")]
    assert positions == sorted(positions)


def test_report_rows_of_one_count_follow_the_czech_order(ctx):
    from services.reports import Row, _sorted

    rows = [Row(key=k, label=label, count=3) for k, label in (("CH", "Švýcarsko"), ("CZ", "Česko"), ("GR", "Řecko"),
                                                              ("CL", "Chile"), ("HU", "Maďarsko"), ("DK", "Dánsko"))]
    assert [r.label for r in _sorted(rows)] == ["Česko", "Dánsko", "Chile", "Maďarsko", "Řecko", "Švýcarsko"]
