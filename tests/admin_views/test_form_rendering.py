"""Edit and create forms have their fields written in Python (admin_views/forms_html.py): the HTML
must be what Flask-Admin's own macros write, for every form, with and without errors."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from admin_views.base import SecureModelView
from services import demo
from tests.admin_views.test_list_rendering import _normal


def _views(app):
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, SecureModelView)]


def _both(client, monkeypatch, method, url, **kwargs):
    fast = getattr(client, method)(url, **kwargs)
    with monkeypatch.context() as patch:  # Flask-Admin's macros, field by field
        patch.setattr(SecureModelView, "form_fields_html", lambda self, *args: None)
        slow = getattr(client, method)(url, **kwargs)
    return fast, slow


@pytest.mark.parametrize("roles", [("manager", "worker"), ("admin",), ("reception",)])
def test_every_form_is_written_as_flask_admin_writes_it(app, client, db, login_as, monkeypatch, roles):
    demo.seed(db.session, clients=6, seed=11)
    db.session.commit()
    login_as(*roles)
    compared = 0
    for view in _views(app):
        last = db.session.execute(sa.select(sa.func.max(view.model.id))).scalar()
        for url in (f"/admin/{view.endpoint}/new/", f"/admin/{view.endpoint}/edit/?id={last}"):
            fast, slow = _both(client, monkeypatch, "get", url)
            assert fast.status_code == slow.status_code, url
            if fast.status_code != 200:
                continue
            assert 'class="admin-form"' in fast.get_data(as_text=True), url
            assert _normal(fast.data) == _normal(slow.data), url
            compared += 1
    assert compared >= (2 if roles == ("reception",) else 4)


def test_a_form_with_errors_is_written_as_flask_admin_writes_it(app, client, db, login_as, monkeypatch):
    demo.seed(db.session, clients=4, seed=12)
    db.session.commit()
    login_as("manager", "worker")
    for endpoint, data in (("appointment", {"duration_minutes": "-5", "starts_at": "yesterday", "status": "bogus"}),
                           ("client", {"status": "bogus", "birth_year": "abc", "phone": "<b>"}),
                           ("visit", {"minutes": "x", "channel": ""})):
        fast, slow = _both(client, monkeypatch, "post", f"/admin/{endpoint}/new/", data=data)
        assert fast.status_code == slow.status_code == 200, endpoint
        html = fast.get_data(as_text=True)
        assert "is-invalid" in html and 'class="invalid-feedback"' in html, endpoint
        assert _normal(fast.data) == _normal(slow.data), endpoint
        assert re.search(r'value="&lt;b&gt;"', html) or endpoint != "client"  # what was typed stays, escaped
