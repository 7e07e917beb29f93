"""What every back-office page shows around the screen: the menu for the person's roles with the open
screen marked, the person's own menu, WTForms' messages in the person's language."""
from __future__ import annotations

import re

from admin_views import forms
from models.enums import Role
from tests import factories
from tests.conftest import PASSWORD

def _main_menu(html: str) -> str:
    return html.split('<ul class="nav navbar-nav mr-auto">', 1)[1].split("navbar-right", 1)[0]


def test_the_menu_follows_the_roles_and_the_screen(app, client, db, login_as):
    desk = app.test_client()
    person = factories.make_worker(email="desk@test.example", roles=[Role.RECEPTION], password=PASSWORD)
    db.session.commit()
    desk.post("/login", data={"email": person.email, "password": PASSWORD})
    login_as("manager")
    for _ in range(2):
        reception_menu = _main_menu(desk.get("/admin/client/").data.decode())
        assert "/admin/audit/" not in reception_menu and "/admin/client/" in reception_menu
        admin_menu = _main_menu(client.get("/admin/client/").data.decode())
        assert "/admin/audit/" in admin_menu
        on_audit = _main_menu(client.get("/admin/audit/").data.decode())
        assert on_audit != admin_menu and 'class="dropdown-item active' in on_audit  # the open screen is marked


def test_wtforms_messages_follow_the_locale_and_are_read_once(app, monkeypatch):
    from babel import support
    from flask_babel import force_locale
    from wtforms import StringField
    from wtforms.validators import InputRequired

    from admin_views.forms import AdminForm

    class Form(AdminForm):
        name = StringField(validators=[InputRequired()])

    loads = []
    real_load = support.Translations.load
    monkeypatch.setattr(forms.wtforms_translations, "_catalogs", {})
    monkeypatch.setattr(support.Translations, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    for _ in range(2):
        for locale, message in (("cs", "Toto pole je povinné."), ("en", "This field is required.")):
            with app.test_request_context("/admin/client/new/", method="POST", data={}), force_locale(locale):
                form = Form(meta={"csrf": False})
                assert not form.validate()
                assert form.name.errors == [message]
    assert len(loads) == 4  # per locale once: WTForms' catalog and the project's wording over it


def test_the_user_menu_follows_the_person_the_page_and_the_request(app, client, db, login_as, request, monkeypatch):
    """The signed-in person's menu shows their current name, brings them back
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
