"""The roadmap kept in the case file: the client's own worker adds a task, completes one and reorders them,
each a small form that saves and comes back to the case file. Run in Czech and in English.
"""
from __future__ import annotations

import pytest

from models.enums import Responsible, TaskStatus
from tests.browser.ui import expect


def _rows(ui, who: str):
    """The rows of the roadmap table of one person (the client, the worker, both)."""
    return ui.page.locator(f"table[aria-labelledby='roadmap-{who}'] tbody tr")


@pytest.mark.parametrize("locale", ["cs", "en"])
def test_add_complete_and_reorder_tasks_in_the_case_file(ui, world, locale):
    person = world.roadmap_client[locale]
    first, second = world.roadmap_tasks
    ui.goto("/login")
    if locale == "en":
        ui.switch_locale("en")
    ui.login(world.worker.email)
    ui.goto(f"/admin/client/case/?id={person.id}")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Case file %(code)s", code=person.code))
    client_rows = _rows(ui, "client")
    expect(client_rows).to_have_count(2)
    expect(client_rows.nth(0)).to_contain_text(first)

    # --- add a task: what, who, by when ---------------------------------------------------------
    ui.click(ui.page.get_by_role("link", name=ui.t("Add a task"), exact=True))
    ui.page.get_by_label(ui.t("What is to be done")).fill("Domluvit tlumočníka na úřad")
    ui.page.get_by_label(ui.title(Responsible.WORKER), exact=True).check()
    ui.page.get_by_label(ui.t("Due on")).fill("2030-01-15")
    ui.check("the new task's form filled in")
    ui.click(ui.page.get_by_role("button", name=ui.t("Add the task"), exact=True))
    expect(ui.flash()).to_contain_text(ui.t("The task is on the roadmap."))
    assert ui.path().startswith(f"/admin/client/case/?id={person.id}")
    expect(_rows(ui, "worker")).to_have_count(1)
    expect(_rows(ui, "worker").first).to_contain_text("Domluvit tlumočníka na úřad")

    # --- a refused form keeps what was typed: not done needs the reason ---------------------------
    row = client_rows.filter(has_text=first)
    link = row.locator("a[href*='status=not_done']")
    expect(link).to_contain_text(ui.t("Not done"))
    ui.click(link)
    ui.click(ui.page.get_by_role("button", name=ui.t("Save"), exact=True))
    expect(ui.page.locator(".is-invalid, .invalid-feedback").first).to_be_visible()
    ui.check("the refused outcome form")

    # --- complete it with an outcome --------------------------------------------------------------
    ui.page.get_by_label(ui.title(TaskStatus.DONE), exact=True).check()
    ui.page.get_by_label(ui.t("Outcome")).fill("Smlouvu přinesla")
    ui.click(ui.page.get_by_role("button", name=ui.t("Save"), exact=True))
    expect(ui.flash()).to_contain_text(ui.title(TaskStatus.DONE))
    row = client_rows.filter(has_text=first)
    expect(row).to_contain_text(ui.title(TaskStatus.DONE))
    expect(row).to_contain_text("Smlouvu přinesla")

    # --- reorder: the second of the client's tasks moves up ---------------------------------------
    up = client_rows.nth(1).locator("button[value=up]")
    expect(up).to_contain_text(ui.t("Move up"))
    ui.click(up)
    expect(client_rows.nth(0)).to_contain_text(second)
    expect(client_rows.nth(1)).to_contain_text(first)
    ui.page.evaluate("document.getElementById('case-next').scrollIntoView()")  # the next appointment, the agreement, the roadmap
    ui.screenshot("case-file")

    # --- the task list: the text and the client, found by the client's name ------------------------
    ui.goto(f"/admin/task/?search={person.last_name}")
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(person.code)
    expect(ui.page.locator("table.model-list")).to_contain_text("Domluvit tlumočníka na úřad")
