"""The record export (right of access) works for every client of a demo database, as JSON and as the
printable page in Czech and English, from the web and from the command line; an export is recorded in
the audit trail only once its document exists.

Hand-made fixtures missed it: the printable page failed for every client with languages recorded
(nearly every real client) while the suite stayed green.
"""
from __future__ import annotations

import json

import pytest

from models import AuditEvent, Client
from models.enums import AuditAction
from services import codes, privacy
from tests.conftest import count_rows


@pytest.fixture()
def seeded(app, db):
    """A database filled by ``flask demo seed`` (its defaults: 200 clients)."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    clients = db.session.query(Client).order_by(Client.id).all()
    assert len(clients) >= 200
    assert sum(1 for c in clients if c.languages) > len(clients) // 2  # most real clients speak a recorded language
    return clients


def _exports() -> int:
    return count_rows(AuditEvent, AuditEvent.action == AuditAction.EXPORT)


def test_every_demo_client_exports_from_the_web(app, client, db, login_as, seeded):
    login_as("manager")
    done = _exports()  # the demo data's own
    for person in seeded:
        response = client.post(f"/admin/client/export/?id={person.id}", data={"format": "json", "lang": "cs"})
        assert response.status_code == 200 and response.mimetype == "application/json", person.code
        assert json.loads(response.get_data(as_text=True))["client"]["code"] == person.code
        for lang, heading in (("cs", "Váš záznam v centru"), ("en", "Your record at the centre")):
            response = client.post(f"/admin/client/export/?id={person.id}", data={"format": "html", "lang": lang})
            page = response.get_data(as_text=True)
            assert response.status_code == 200 and response.mimetype == "text/html", (person.code, lang)
            assert f'<html lang="{lang}">' in page and heading in page and person.code in page
            with app.test_request_context(headers={"Accept-Language": lang}):
                from flask_babel import force_locale

                with force_locale(lang):
                    for language in person.languages:
                        assert codes.language_name(language) in page, (person.code, lang, language)
        done += 3
    assert _exports() == done


def test_every_demo_client_exports_from_the_command_line(app, db, seeded, tmp_path):
    runner = app.test_cli_runner()
    done = _exports()
    for person in seeded:
        result = runner.invoke(args=["clients", "export", person.code, "--format", "json"])
        assert result.exit_code == 0, (person.code, result.output[-500:])
        assert json.loads(result.output)["client"]["code"] == person.code
        for lang in ("cs", "en"):
            target = tmp_path / f"{person.code}-{lang}.html"
            result = runner.invoke(args=["clients", "export", person.code, "--format", "html", "--lang", lang,
                                         "--output", str(target)])
            assert result.exit_code == 0, (person.code, lang, result.output[-500:])
            assert f'<html lang="{lang}">' in target.read_text(encoding="utf-8")
        done += 3
    assert _exports() == done


def test_a_failed_export_is_not_recorded_as_done(app, client, db, login_as, monkeypatch, tmp_path):
    from tests import factories

    login_as("manager")
    person = factories.make_client(languages=["uk", "ru"])
    db.session.commit()

    def broken(data, lang, **page):
        raise RuntimeError("the printable page could not be produced")

    monkeypatch.setattr(privacy, "render_html", broken)
    with pytest.raises(RuntimeError):
        client.post(f"/admin/client/export/?id={person.id}", data={"format": "html", "lang": "cs"})
    result = app.test_cli_runner().invoke(args=["clients", "export", person.code, "--format", "html"])
    assert result.exit_code != 0
    unwritable = tmp_path / "missing-folder" / "record.json"
    result = app.test_cli_runner().invoke(args=["clients", "export", person.code, "--output", str(unwritable)])
    assert result.exit_code != 0
    db.session.rollback()
    assert _exports() == 0
