"""A manager's work: read the audit trail, see who opened a client's record, reassign the client."""
from __future__ import annotations

from models.enums import AuditAction, ReassignReason
from tests.browser.ui import expect


def test_manager_journey(ui, world):
    client = world.reassigned_client
    ui.login(world.manager.email)

    # --- the audit trail ------------------------------------------------------------------------
    ui.menu("Audit trail")
    rows = ui.page.locator("table.model-list tbody tr")
    mine = rows.filter(has_text=world.manager.name).filter(has_text=ui.title(AuditAction.LOGIN))
    expect(mine.first).to_be_visible()
    ui.search_list(client.code)
    expect(rows.filter(has_text=world.colleague.name).filter(has_text=ui.title(AuditAction.VIEW))).to_have_count(1)

    # --- who accessed the client's record ---------------------------------------------------------
    ui.menu("Clients")
    ui.search_list(client.last_name)
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    ui.click(rows.first.get_by_role("link", name=ui.ta("View Record")))
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.colleague.name)
    ui.click(ui.page.get_by_role("link", name=ui.t("Who accessed this record")))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Who accessed the record %(code)s", code=client.code))
    events = ui.page.get_by_role("table").get_by_role("row")
    expect(events.filter(has_text=world.colleague.name)).to_have_count(1)
    expect(events.filter(has_text=world.manager.name).first).to_contain_text(ui.title(AuditAction.VIEW))

    # --- reassign the client ------------------------------------------------------------------
    ui.click(ui.page.get_by_role("link", name=ui.t("Back to the client")))
    ui.click(ui.page.get_by_role("link", name=ui.t("Reassign to another worker")))
    expect(ui.page.get_by_text(ui.t("Currently assigned to: %(name)s", name=world.colleague.name))).to_be_visible()
    ui.page.get_by_label(ui.t("New social worker")).select_option(label=world.worker.name)
    ui.page.get_by_label(ui.t("Reason"), exact=True).select_option(ReassignReason.WORKLOAD.value)
    ui.page.get_by_label(ui.t("Note")).fill("Kolegyně přebírá vedení týmu.")
    ui.click(ui.page.get_by_role("button", name=ui.t("Reassign")))
    expect(ui.flash()).to_contain_text(
        ui.t("The client %(code)s is now assigned to %(name)s.", code=client.code, name=world.worker.name))
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.worker.name)

    # --- and the reassignment is in the audit trail -----------------------------------------------
    ui.menu("Audit trail")
    ui.search_list(client.code)
    reassigned = ui.page.locator("table.model-list tbody tr").filter(has_text=ui.title(AuditAction.REASSIGN))
    expect(reassigned).to_have_count(1)
    expect(reassigned).to_contain_text(world.manager.name)
