"""Flask-Admin's static files' addresses are built once per process (admin_views/static_urls.py): the same
addresses on every page, and nothing but those files' names kept."""
from __future__ import annotations

import re

from admin_views import static_urls


def _static_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/admin/static/[^"]*)"', page)


def test_the_static_files_addresses_are_kept_and_the_same_on_every_page(app, client, login_as):
    login_as("worker")
    first = client.get("/admin/appointment/new/").get_data(as_text=True)
    links = _static_links(first)
    assert len(links) > 10 and any("bootstrap" in link for link in links)
    built = []
    original = app.url_for

    def counting(endpoint, **kwargs):
        built.append(endpoint)
        return original(endpoint, **kwargs)

    app.url_for = counting
    try:
        again = client.get("/admin/client/new/?q=Nov%C3%A1k").get_data(as_text=True)
    finally:
        app.url_for = original
    assert _static_links(again) == links  # the same files at the same addresses
    assert not [endpoint for endpoint in built if endpoint == "admin.static"]  # none built again
    assert any(endpoint != "admin.static" for endpoint in built)  # the page's other addresses still are
    # only Flask-Admin's static files are kept: their endpoint, name and version, nothing of a request
    assert static_urls._kept and all(key[0] == "admin.static" and "Nov" not in str(key) for key in static_urls._kept)
