"""List pages: every row's delete form, the page-size menu in the user's language."""
from __future__ import annotations

import re

from services import demo

LISTS = ["client", "intake", "agreement", "task", "appointment", "visit", "data_request", "audit", "topic", "office"]


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


def test_the_page_size_menu_counts_in_the_users_language(client, db, login_as):
    login_as("reception")
    html = client.get("/admin/appointment/?page_size=50").get_data(as_text=True)
    assert "50 položek" in html and "25 položek" in html and "100 položek" in html
    assert " items" not in html


