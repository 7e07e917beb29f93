"""A social worker prints the papers a client takes home, from the case file, in the client's language:
the roadmap and the appointment card for a Ukrainian, a Russian-speaking and a Vietnamese client.
Each is one A4 page in Chromium's print to PDF, prints without the language links and the print
button, and the other languages are one click away."""
from __future__ import annotations

import io
import re

import pytest

from services import client_documents, demo
from tests.browser.ui import expect
from tests.browser.world import DOCUMENT_TASKS
from tests.documents import doc_text

LANGUAGE_NAMES_CS = {"uk": "ukrajinština", "ru": "ruština", "vi": "vietnamština"}


def _a4_pages(ui) -> int:
    """How many A4 pages Chromium prints the current page on."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(ui.page.pdf(format="A4", print_background=True))).pages)


def _prints_without_the_tools(ui):
    tools = ui.page.locator("nav.doc-tools")
    expect(tools).to_be_visible()
    ui.page.emulate_media(media="print")
    expect(tools).to_be_hidden()
    ui.page.emulate_media(media="null")  # back to no emulation: page.pdf() then prints with print media


def _link_starting(region, text: str):
    return region.get_by_role("link", name=re.compile("^" + re.escape(text)))


@pytest.mark.parametrize("lang", ["uk", "ru", "vi"])
def test_worker_prints_the_roadmap_and_the_appointment_card_in_the_client_s_language(ui, world, lang):
    person = world.document_clients[lang]
    ui.login(world.worker.email)
    ui.menu("Clients")
    ui.search_list(f"{person.first_name} {person.last_name}")
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    ui.click(rows.first.get_by_role("link", name=ui.t("Case file")))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Case file %(code)s", code=person.code))
    documents = ui.page.get_by_role("region", name=ui.t("Documents for the client"))
    expect(documents).to_contain_text(ui.t("They are printed in %(language)s; the printed page links to the other languages.",
                                           language=LANGUAGE_NAMES_CS[lang]))

    # --- the roadmap --------------------------------------------------------------------------------
    ui.click(documents.get_by_role("link", name=ui.t("Print the roadmap")))
    assert ui.path() == f"/admin/client/case/roadmap/?id={person.id}&lang={lang}"
    assert ui.page.locator("html").get_attribute("lang") == lang
    page = ui.page
    expect(page.get_by_role("heading", level=1)).to_have_text(doc_text(lang, "Your roadmap"))
    expect(page.get_by_role("main")).to_contain_text(world.document_goals[lang])  # as the worker wrote it
    expect(page.get_by_role("main")).to_contain_text(doc_text(lang, "Your social worker: %(name)s", name=world.worker.name))
    open_tasks = {who: [text for w, text, done in DOCUMENT_TASKS if w == who and not done] for who, _t, _d in DOCUMENT_TASKS}
    tables = {
        "client": doc_text(lang, "What you will do"),
        "worker": doc_text(lang, "What %(name)s will do", name=world.worker.name),
        "both": doc_text(lang, "What we will do together"),
    }
    for who, tasks in open_tasks.items():
        table = page.get_by_role("table", name=tables[who.value])
        for text in tasks:
            expect(table).to_contain_text(text)
    done = page.get_by_role("list", name=doc_text(lang, "What is already done"))
    expect(done.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_role("region", name=doc_text(lang, "Your next appointment"))).to_contain_text(
        doc_text(lang, "If you cannot come, tell us before the appointment. Call %(phone)s or write to %(email)s.",
                 phone="+420 222 333 444", email="poradna@cic.example"))
    hours = page.get_by_role("list", name=doc_text(lang, "When you can come without an appointment"))
    writing = client_documents.Writing(lang)
    for weekday, _opens, _closes in demo.WALK_IN_HOURS:  # the demo's walk-in hours
        expect(hours).to_contain_text(writing.weekday(weekday))
    expect(page.get_by_role("list", name=doc_text(lang, "Rules for clients")).get_by_role("listitem")).to_have_count(5)
    expect(page.locator("header.centre")).to_contain_text("Centrum pro integraci cizinců")
    _prints_without_the_tools(ui)
    assert _a4_pages(ui) == 1  # a typical roadmap: the goal, six tasks, the next appointment, hours, rules

    # the other languages are one click away
    ui.click(page.get_by_role("navigation", name=doc_text(lang, "Other languages")).get_by_role("link", name="Čeština"))
    assert ui.page.locator("html").get_attribute("lang") == "cs"
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(doc_text("cs", "Your roadmap"))
    assert _a4_pages(ui) == 1

    # --- the appointment card -------------------------------------------------------------------------
    ui.goto(f"/admin/client/case/?id={person.id}")
    documents = ui.page.get_by_role("region", name=ui.t("Documents for the client"))
    prefix = ui.t("Print the appointment card of %(time)s", time="\x00").split("\x00")[0]
    ui.click(_link_starting(documents, prefix))
    assert ui.path() == f"/admin/appointment/card/?id={world.document_appointments[lang]}&lang={lang}"
    assert ui.page.locator("html").get_attribute("lang") == lang
    card = ui.page.get_by_role("main")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(doc_text(lang, "Your appointment"))
    expect(card).to_contain_text(world.worker.name)
    expect(card).to_contain_text(person.code)
    expect(card).to_contain_text("+420 222 333 444")
    if lang == "uk":  # an accompaniment: the office in Ukrainian, its Czech name and address, where to meet
        expect(card).to_contain_text(client_documents.translations("uk").upgettext(
            "office", "Ministry of the Interior – the office for residence permits (OAMP)"))
        expect(card).to_contain_text("Odbor azylové a migrační politiky MV (pracoviště pro pobyt)")
        expect(card).to_contain_text("Cigánkova 1861/2, 148 00 Praha 4 – Chodov")
        expect(card).to_contain_text("Sraz před hlavním vchodem")
        expect(card).to_contain_text(doc_text("uk", "We go to an office together"))
    else:
        expect(card).to_contain_text("Kubelíkova 827/55, 130 00 Praha 3")
    _prints_without_the_tools(ui)
    assert _a4_pages(ui) == 1
