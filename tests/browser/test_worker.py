"""A social worker's day: open a client from the start page, write notes to an appointment, and
open a colleague's client with cover access."""
from __future__ import annotations

from models.enums import AppointmentStatus, ClientStatus
from tests.browser.ui import expect


def test_worker_journey(ui, world):
    client = world.own_client
    ui.login(world.worker.email)

    # --- from the start page to the client's record ------------------------------------------
    def todays_row():
        link = ui.page.get_by_role("link", name=client.code, exact=True)
        return ui.page.get_by_role("main").get_by_role("row").filter(has=link).first

    expect(todays_row()).to_contain_text(ui.title(AppointmentStatus.PLANNED))
    ui.click(todays_row().get_by_role("link", name=client.code, exact=True))
    expect(ui.detail(ui.t("Code"))).to_have_text(client.code)
    expect(ui.detail(ui.t("First name"))).to_have_text(client.first_name)
    expect(ui.detail(ui.t("Last name"))).to_have_text(client.last_name)
    expect(ui.detail(ui.t("Status"))).to_have_text(ui.title(ClientStatus.CLIENT))
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.worker.name)

    # --- the appointment: write the consultation notes ------------------------------------------
    ui.menu("Start")
    ui.click(todays_row().get_by_role("link").first)  # the time of the appointment
    expect(ui.detail(ui.t("Client"))).to_have_text(client.code)
    ui.click(ui.page.get_by_role("link", name=ui.ta("Edit"), exact=True))
    notes = ui.page.get_by_label(ui.t("Notes"), exact=True)
    expect(notes).to_have_value("")
    notes.fill("Klientka přinese potvrzení o ubytování.\nDomluvit tlumočníka do ukrajinštiny.")
    ui.page.get_by_label(ui.t("Next steps agreed")).fill("Objednat na OAMP.")
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully saved."))
    expect(ui.detail(ui.t("Notes"))).to_contain_text("Klientka přinese potvrzení o ubytování.")
    expect(ui.detail(ui.t("Next steps agreed"))).to_have_text("Objednat na OAMP.")

    # --- a colleague's client, opened with cover access ------------------------------------------
    covered = world.covered_client
    ui.menu("Clients")
    ui.search_list(covered.last_name)
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    ui.click(rows.first.get_by_role("link", name=ui.ta("View Record")))
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.colleague.name)
    ui.click(ui.page.get_by_role("link", name=ui.t("Open with cover access")))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Cover access to %(code)s", code=covered.code))
    ui.page.get_by_label(ui.t("Why do you need to open this case?")).fill("Klient přišel naléhavě, kolegyně má dovolenou.")
    ui.click(ui.page.get_by_role("button", name=ui.t("Open the case")))
    expect(ui.flash()).to_contain_text(covered.code)
    expect(ui.page.get_by_role("link", name=ui.t("Open with cover access"))).to_have_count(0)

    # the covered case is open to the worker now: its agreement is on the list
    ui.menu("Agreements")
    ui.search_list(covered.code)
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(world.colleague.name)
