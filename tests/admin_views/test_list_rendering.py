"""List pages render what is the same on every row once per page: the HTML must not change for it."""
from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta, timezone

import flask_babel
import pytest

from admin_views import listing
from admin_views.base import SecureModelView
from services import demo

LISTS = ["client", "intake", "agreement", "task", "appointment", "visit", "data_request", "audit", "topic", "office"]


def _normal(html: bytes) -> str:
    text = html.decode()
    text = re.sub(r'nonce="[^"]+"', 'nonce=""', text)
    text = re.sub(r'name="csrf_token"( type="hidden")? value="[^"]*"', 'name="csrf_token" value=""', text)  # signed with the time
    text = re.sub(r">\s+", ">", text)  # whitespace next to a tag (the template indents, Python does not)
    text = re.sub(r"\s+<", "<", text)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("roles", [("manager", "worker"), ("admin",), ("worker",)])
def test_row_actions_rendered_once_are_the_same_as_row_by_row(client, db, login_as, monkeypatch, roles):
    demo.seed(db.session, clients=12, seed=3)
    from models import Client

    newest = db.session.query(Client).order_by(Client.created_at.desc(), Client.id.desc()).first()
    newest.first_name, newest.is_anonymous = '<i>"Ann" & Co</i>', False  # escaped the same either way
    db.session.commit()
    login_as(*roles)
    if "manager" in roles:
        assert "&lt;i&gt;&#34;Ann&#34; &amp; Co&lt;/i&gt;" in client.get("/admin/client/").data.decode()
    for screen in LISTS:
        fast = client.get(f"/admin/{screen}/?page_size=25")
        if fast.status_code != 200:
            continue
        with monkeypatch.context() as patch:  # the template's row loop, with the actions rendered once
            patch.setattr(SecureModelView, "list_rows_html", lambda self, *args: None)
            template_rows = client.get(f"/admin/{screen}/?page_size=25")
        with monkeypatch.context() as patch:  # Flask-Admin's way: every action through its macro, per row
            patch.setattr(SecureModelView, "row_actions_html", lambda self, actions: None)
            slow = client.get(f"/admin/{screen}/?page_size=25")
        assert b'class="action-checkbox"' in fast.data or b"col-" in fast.data, screen
        assert _normal(fast.data) == _normal(template_rows.data), screen
        assert _normal(fast.data) == _normal(slow.data), screen


def test_delete_forms_keep_their_token_and_row_id(app, client, db, login_as, request):
    demo.seed(db.session, clients=5, seed=4)
    db.session.commit()
    login_as("admin")
    request.getfixturevalue("csrf_app")  # CSRF on after signing in: each delete form carries the token
    html = client.get("/admin/topic/").data.decode()
    forms = re.findall(r'<form class="icon" method="POST" action="/admin/topic/delete/">(.*?)</form>', html, re.S)
    ids = re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', html)
    assert forms and len(forms) == len(ids)
    for form, row_id in zip(forms, ids):
        assert f'name="id" type="hidden" value="{row_id}"' in form
        assert re.search(r'name="csrf_token" type="hidden" value="[^"]{20,}"', form)


@pytest.mark.parametrize("locale", ["cs", "en"])
def test_dates_are_formatted_as_flask_babel_formats_them(app, locale):
    rng = random.Random(7)
    values = [datetime(2026, 3, 29, 0, 30), datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30),
              datetime(2025, 12, 31, 23, 59, tzinfo=timezone.utc)]
    values += [datetime(2020, 1, 1) + timedelta(minutes=rng.randrange(60 * 24 * 365 * 8)) for _ in range(300)]
    with app.test_request_context("/"), flask_babel.force_locale(locale):
        for value in values:
            assert listing.short_datetime(value) == flask_babel.format_datetime(value, "short"), value
            day = value.date()
            assert listing.medium_date(day) == flask_babel.format_date(day, "medium"), day
        assert listing.medium_date(date(2024, 2, 29)) == flask_babel.format_date(date(2024, 2, 29), "medium")


def test_formats_follow_a_locale_forced_within_the_request(app):
    value = datetime(2026, 5, 4, 12, 0)
    with app.test_request_context("/"):
        with flask_babel.force_locale("cs"):
            czech = listing.short_datetime(value)
        with flask_babel.force_locale("en"):
            english = listing.short_datetime(value)
            assert english == flask_babel.format_datetime(value, "short")
    assert czech != english


def test_the_page_size_menu_counts_in_the_users_language(client, db, login_as):
    login_as("reception")
    html = client.get("/admin/appointment/?page_size=50").get_data(as_text=True)
    assert "50 položek" in html and "25 položek" in html and "100 položek" in html
    assert " items" not in html


def test_list_urls_are_the_urls_flask_admin_builds(app, client, db, login_as, monkeypatch):
    """The pager's, sort links' and page-size menu's URLs, built without url_for, are url_for's own;
    and a whole page with them is the page Flask-Admin's way gives."""
    from flask_admin.model.base import BaseModelView, ViewArgs

    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "appointment")
    cases = [
        ViewArgs(),
        ViewArgs(page=3, sort=0, sort_desc=True, page_size=50),
        ViewArgs(page=0, search="Nguyễn & 'co' +/?=#%", page_size=25),
        ViewArgs(page=2, sort=1, filters=[(0, "status", "no_show"), (3, "starts_at", "2026-01-01 to 2026-01-31")],
                 extra_args={"embed": "1"}),
    ]
    with app.test_request_context("/admin/appointment/"):
        from flask import request

        request.url_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "appointment.index_view")
        for args in cases:
            assert view._get_list_url(args) == BaseModelView._get_list_url(view, args)
    demo.seed(db.session, clients=30, seed=5)
    db.session.commit()
    login_as("manager")
    for url in ("/admin/appointment/?page=1&sort=0&desc=1", "/admin/client/?search=a+b&page_size=50"):
        fast = client.get(url)
        with monkeypatch.context() as patch:
            patch.setattr(SecureModelView, "_get_list_url", BaseModelView._get_list_url)
            slow = client.get(url)
        assert fast.status_code == 200 and b"sort=" in fast.data
        assert _normal(fast.data) == _normal(slow.data)


def test_kept_row_actions_carry_this_requests_token_and_return_address(app, client, db, login_as, request, monkeypatch):
    """Row actions kept from an earlier page view show this request's CSRF token and this list URL."""
    import itertools
    import time

    from itsdangerous import timed

    seconds = itertools.count(int(time.time()))
    monkeypatch.setattr(timed.TimestampSigner, "get_timestamp", lambda self: next(seconds))  # a new token each time
    demo.seed(db.session, clients=8, seed=6)
    db.session.commit()
    login_as("manager", "worker")
    request.getfixturevalue("csrf_app")
    pages, seen_tokens = {}, set()
    for url in ("/admin/appointment/", "/admin/appointment/?sort=1", "/admin/appointment/", "/admin/appointment/?sort=1"):
        client.post("/locale", data={"locale": "cs", "next": "/admin/"})
        html = client.get(url).data.decode()
        tokens = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', html))
        action_form_token = re.search(r'<form id="action_form".*?name="csrf_token" type="hidden" value="([^"]+)"', html, re.S).group(1)
        assert tokens == {action_form_token} and action_form_token not in seen_tokens  # this request's token
        seen_tokens.add(action_form_token)
        returns = set(re.findall(r'<input id="url" name="url" type="hidden" value="([^"]+)">', html))
        assert len(returns) == 1 and ("sort=1" in returns.pop()) == ("sort=1" in url)
        pages.setdefault(url, []).append(re.sub(r'value="[^"]{40,}"', "", html))
    for url, (fresh, kept) in pages.items():
        assert _normal(fresh.encode()) == _normal(kept.encode()), url
