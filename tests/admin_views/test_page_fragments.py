"""The parts of every back-office page kept in memory (admin_views/fragments.py) show what rendering
them afresh shows: per role set, per screen, per locale, with this response's CSP nonce."""
from __future__ import annotations

import re

import pytest

from admin_views import fragments
from models.enums import Role
from tests import factories
from tests.conftest import PASSWORD

SCREENS = ["/admin/", "/admin/client/", "/admin/appointment/", "/admin/task/", "/admin/reports/", "/admin/audit/",
           "/admin/appointment/?sort=1&desc=1&page_size=50", "/admin/appointment/?flt0_0=planned&page=1",
           "/admin/client/?search=a&sort=0"]


def _main_menu(html: str) -> str:
    return html.split('<ul class="nav navbar-nav mr-auto">', 1)[1].split("navbar-right", 1)[0]


@pytest.mark.parametrize("roles", [("manager", "worker"), ("admin",), ("worker",), ("reception",)])
def test_kept_parts_are_what_a_fresh_rendering_shows(app, client, db, login_as, monkeypatch, roles):
    from services import demo

    demo.seed(db.session, clients=12, seed=2)  # enough rows for a pager, sort links, filters
    db.session.commit()
    login_as(*roles)
    for url in SCREENS:
        for locale in ("cs", "en"):
            client.post("/locale", data={"locale": locale, "next": "/admin/"})
            kept = client.get(url)
            kept = client.get(url)  # the second time from memory
            if kept.status_code != 200:
                continue
            with monkeypatch.context() as patch:
                patch.setitem(app.jinja_env.globals, "cached_fragment", lambda *key, caller, **options: caller())
                fresh = client.get(url)
            nonce = re.search(r'nonce="([^"]+)"', kept.data.decode()).group(1)
            assert kept.data.decode().count(f'nonce="{nonce}"') > 10  # every script and style has this response's nonce
            normal = [re.sub(r'(nonce|value)="[^"]*"', "", r.data.decode()) for r in (kept, fresh)]
            assert normal[0] == normal[1], (url, locale)


def test_the_menu_follows_the_roles_and_the_screen(app, client, db, login_as):
    desk = app.test_client()
    person = factories.make_worker(email="desk@test.example", roles=[Role.RECEPTION], password=PASSWORD)
    db.session.commit()
    desk.post("/login", data={"email": person.email, "password": PASSWORD})
    login_as("manager")
    for _ in range(2):  # fresh, then kept
        reception_menu = _main_menu(desk.get("/admin/client/").data.decode())
        assert "/admin/audit/" not in reception_menu and "/admin/client/" in reception_menu
        admin_menu = _main_menu(client.get("/admin/client/").data.decode())
        assert "/admin/audit/" in admin_menu
        on_audit = _main_menu(client.get("/admin/audit/").data.decode())
        assert on_audit != admin_menu and 'class="dropdown-item active' in on_audit  # the open screen is marked


def test_the_store_is_bounded(app, client, db, login_as, monkeypatch):
    monkeypatch.setattr(fragments, "MAX_FRAGMENTS", 2)
    app.extensions.pop("poradna_fragments", None)
    login_as("manager", "worker")
    for url in SCREENS:
        assert client.get(url).status_code == 200, url
    assert len(app.extensions["poradna_fragments"]) <= 2


def test_wtforms_messages_follow_the_locale_and_are_read_once(app, monkeypatch):
    from babel import support
    from flask_babel import force_locale
    from wtforms import StringField
    from wtforms.validators import InputRequired

    from admin_views.base import AdminForm

    class Form(AdminForm):
        name = StringField(validators=[InputRequired()])

    loads = []
    real_load = support.Translations.load
    monkeypatch.setattr(fragments.WTFormsTranslations, "_catalogs", {})
    monkeypatch.setattr(support.Translations, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    for _ in range(2):
        for locale, message in (("cs", "Toto pole je povinné."), ("en", "This field is required.")):
            with app.test_request_context("/admin/client/new/", method="POST", data={}), force_locale(locale):
                form = Form(meta={"csrf": False})
                assert not form.validate()
                assert form.name.errors == [message]
    assert len(loads) == 4  # per locale once: WTForms' catalog and the project's wording over it


def test_flask_admin_texts_on_kept_translations_are_flask_admins_own(app, client, db, login_as, monkeypatch):
    """Flask-Admin's ``_gettext`` and ``_ngettext`` in its templates, on the request's kept translations,
    give what Flask-Admin's own domain gives, in both languages."""
    from flask_admin import babel as admin_babel

    factories.make_appointment()
    db.session.commit()
    login_as("manager", "worker")
    for locale, word in (("cs", "Vybrat všechny záznamy"), ("en", "Select all records")):
        client.post("/locale", data={"locale": locale, "next": "/admin/"})
        for url in ("/admin/appointment/", "/admin/client/new/"):
            kept = client.get(url)
            with monkeypatch.context() as patch:
                patch.setattr(fragments, "admin_gettext", admin_babel.gettext)
                patch.setattr(fragments, "admin_ngettext", admin_babel.ngettext)
                own = client.get(url)
            normal = [re.sub(r'(nonce|value)="[^"]*"', "", r.data.decode()) for r in (kept, own)]
            assert normal[0] == normal[1], (url, locale)
        assert word in kept.data.decode() or word in client.get("/admin/appointment/").data.decode()


def test_the_kept_user_menu_follows_the_person_the_page_and_the_request(app, client, db, login_as, request, monkeypatch):
    """The signed-in person's menu, kept per person and page, shows their current name, brings them back
    to this page after switching the language, and carries this request's CSRF token."""
    import itertools
    import time

    from itsdangerous import timed

    seconds = itertools.count(int(time.time()))
    monkeypatch.setattr(timed.TimestampSigner, "get_timestamp", lambda self: next(seconds))
    me = login_as("manager", "worker")
    request.getfixturevalue("csrf_app")

    def menu(url):
        html = client.get(url).data.decode()
        part = html.split('<ul class="nav navbar-nav navbar-right align-items-center">', 1)[1].split("</ul>", 1)[0]
        return part, re.findall(r'name="csrf_token" value="([^"]+)"', part)

    first, tokens_1 = menu("/admin/client/?page_size=50")
    again, tokens_2 = menu("/admin/client/?page_size=50")
    assert 'name="next" value="/admin/client/?page_size=50"' in first and me.full_name in first
    assert len(set(tokens_1)) == 1 and len(tokens_1) == 2 and tokens_1 != tokens_2  # this request's token
    other, _ = menu("/admin/appointment/")
    assert 'name="next" value="/admin/appointment/"' in other
    me.full_name = "Renamed Person"
    db.session.commit()
    assert "Renamed Person" in menu("/admin/client/?page_size=50")[0]
