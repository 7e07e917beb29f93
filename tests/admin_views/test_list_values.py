"""What list pages keep across requests (admin_views/listing.py): date-time texts and translated labels
per locale, escaping without a Markup per cell, and the templates a list imports only when used."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask_babel import format_datetime, force_locale
from markupsafe import Markup, escape

from admin_views import fragments, listing
from models.enums import AppointmentStatus


@pytest.mark.parametrize("value", ["plain", "<b>&'\"", Markup("<i>kept</i>"), 42, None, AppointmentStatus.PLANNED,
                                   "Nguyễn Thị"])
def test_html_text_is_what_escape_writes(value):
    assert listing.html_text(value) == str(escape(value))


def test_kept_date_times_are_babels_text_per_locale_and_bounded(app, monkeypatch):
    values = [datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 1, 30), datetime(2026, 10, 25, 0, 30),
              datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc), datetime(2026, 12, 2, 18, 5)]
    monkeypatch.setattr(listing, "MAX_KEPT_DATETIMES", 3)
    monkeypatch.setattr(listing, "_KEPT_DATETIMES", {})
    for locale in ("cs", "en"):
        for _round in range(2):  # the second round from the kept texts
            with app.test_request_context("/admin/appointment/"), force_locale(locale):
                for value in values:
                    assert listing.short_datetime(value) == format_datetime(value, "short")
    assert listing._KEPT_DATETIMES  # kept per locale and time zone ...
    assert all(len(store) <= 3 for store in listing._KEPT_DATETIMES.values())  # ... and never more than the bound
    assert {key[0] for key in listing._KEPT_DATETIMES} == {"cs", "en"}


def test_kept_labels_follow_the_locale(app):
    texts = {}
    for locale in ("cs", "en", "cs"):
        with app.test_request_context("/admin/appointment/"), force_locale(locale):
            texts.setdefault(locale, set()).add(listing.text(AppointmentStatus.PLANNED))
            assert listing.text(AppointmentStatus.PLANNED) == str(AppointmentStatus.PLANNED)
    assert texts["cs"] != texts["en"] and len(texts["cs"]) == 1


def test_a_lazy_import_runs_its_template_only_when_used(app):
    with app.test_request_context("/"):
        template = app.jinja_env.from_string(
            "{% set lib = lazy_import('admin/lib.html') %}{% if show %}{{ lib.render_field is defined }}{% endif %}")
        made = []
        original = fragments.LazyTemplateModule.__getattr__

        def counting(self, name):
            made.append(name)
            return original(self, name)

        fragments.LazyTemplateModule.__getattr__ = counting
        try:
            assert template.render(show=False) == ""
            assert made == []
            assert template.render(show=True) == "True"
            assert made == ["render_field"]
        finally:
            fragments.LazyTemplateModule.__getattr__ = original


@pytest.mark.parametrize("roles", [("manager",), ("worker",), ("reception",)])
def test_kept_actions_are_flask_admins_per_role_and_locale(app, client, login_as, roles):
    from flask_admin.actions import ActionsMixin
    from flask_login import login_user

    worker = login_as(*roles)
    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "client")
    seen = set()
    for locale in ("cs", "en", "cs"):
        with app.test_request_context("/admin/client/"), force_locale(locale):
            login_user(worker)
            kept = view.get_actions_list()
            assert kept == ActionsMixin.get_actions_list(view)
            seen.add(tuple(name for name, _text in kept[0]))
            kept[0].clear()  # a caller changing its copy changes nothing kept
            assert view.get_actions_list() == ActionsMixin.get_actions_list(view)
    assert len(seen) == 1
    assert ("anonymise" in next(iter(seen))) == ("manager" in roles)
