"""A manager's work: read the audit trail, see who opened a client's record, reassign the client; run the
year's report and download it as XLSX, export a client's record, anonymise a client through the
confirmation page, preview and run the retention purge.

The browser server runs with TestConfig, where REQUIRE_2FA_ROLES is empty: the manager signs in with a
password only (two-factor sign-in has its own tests in tests/test_twofactor.py)."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from models.enums import AuditAction, ReassignReason
from services.timeutil import local_now
from tests.browser.ui import expect
from tests.documents import doc_text


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
    ui.search_list(f"{client.first_name} {client.last_name}")  # every word: no namesakes
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


def test_manager_reports_exports_anonymises_purges_and_reads_the_audit_trail(ui, world, server):
    ui.login(world.manager.email)

    # --- the year's report, downloaded as XLSX ---------------------------------------------------
    ui.menu("Reports")
    year = local_now().year
    ui.page.get_by_label(ui.t("Period"), exact=True).select_option("year")
    ui.page.get_by_label(ui.t("Year"), exact=True).fill(str(year))
    ui.click(ui.page.get_by_role("button", name=ui.t("Show the report")))
    expect(ui.page.locator("#report-heading")).to_contain_text(str(year))
    ui.screenshot("report")
    downloads = ui.page.get_by_role("group", name=ui.t("Download the whole report"))
    with ui.page.expect_download() as download_info:
        downloads.get_by_role("link", name="XLSX", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = download.path()
    assert zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as archive:
        assert {"[Content_Types].xml", "xl/workbook.xml"} <= set(archive.namelist())
    with open(path, "rb") as file:
        workbook = load_workbook(file, read_only=True)
        first_cells = [row[0] for row in workbook.worksheets[0].iter_rows(max_row=3, values_only=True)]
        workbook.close()
    assert any(str(year) in str(cell) for cell in first_cells), first_cells

    # --- export a client's record: JSON, then the printable page ------------------------------
    exported = world.export_client
    ui.menu("Clients")
    ui.search_list(f"{exported.first_name} {exported.last_name}")  # every word: no namesakes
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    ui.click(rows.first.get_by_role("link", name=ui.ta("View Record")))
    ui.click(ui.page.get_by_role("link", name=ui.t("Export the record")))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Export the record of %(code)s", code=exported.code))
    ui.page.get_by_label(ui.t("Machine-readable (JSON)")).check()
    with ui.page.expect_download() as download_info:
        ui.page.get_by_role("button", name=ui.t("Export")).click()
    download = download_info.value
    assert download.suggested_filename == f"{exported.code}.json"
    record = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert record["client"]["code"] == exported.code and record["client"]["phone"] == exported.phone
    assert [v["summary"] for v in record["visits"]] == ["Ptal se na prodloužení víza."]

    ui.page.get_by_label(ui.t("Printable page (HTML, print to PDF)")).check()
    expect(ui.page.get_by_label("Čeština")).to_be_checked()  # the client has no language the documents are in
    ui.page.get_by_label("Українська").check()
    ui.click(ui.page.get_by_role("button", name=ui.t("Export")))
    assert ui.page.locator("html").get_attribute("lang") == "uk"
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(doc_text("uk", "Your record at the centre"))
    expect(ui.page.get_by_role("main")).to_contain_text(exported.last_name)
    # the other languages are one click away: the export made again, in Czech
    ui.click(ui.page.get_by_role("navigation", name=doc_text("uk", "Other languages")).get_by_role("button", name="Čeština"))
    assert ui.page.locator("html").get_attribute("lang") == "cs"
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(doc_text("cs", "Your record at the centre"))
    expect(ui.page.get_by_role("main")).to_contain_text(exported.last_name)
    expect(ui.page.get_by_role("main")).to_contain_text("Ptal se na prodloužení víza.")

    # --- anonymise a client through the confirmation page -------------------------------------
    gone = world.anonymise_client
    ui.goto("/admin/client/")
    ui.search_list(f"{gone.first_name} {gone.last_name}")  # every word: no namesakes
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    ui.click(rows.first.get_by_role("link", name=ui.ta("View Record")))
    ui.click(ui.page.get_by_role("link", name=ui.t("Anonymise"), exact=True))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Anonymise clients"))
    # the page names the person, so the right one is confirmed: name, year of birth, their worker
    expect(ui.page.get_by_role("heading", level=2)).to_have_text(f"{gone.code} – {gone.first_name} {gone.last_name}")
    expect(ui.fact(ui.t("Social worker"))).to_have_text(world.colleague.name)
    expect(ui.page.get_by_role("alert")).to_contain_text(ui.t("Anonymisation removes every personal field and every note of the client for good and cancels their planned appointments (cancelled by the centre). Coded data (dates, statuses, topics, citizenship, sex, age band) stays for statistics."))
    # without the confirmation the browser does not even send the form
    confirm = ui.page.get_by_label(ui.t("I understand that this cannot be undone."))
    here = ui.path()
    ui.page.get_by_role("button", name=ui.t("Anonymise"), exact=True).click()
    assert confirm.evaluate("el => el.validity.valueMissing") and ui.path() == here
    confirm.check()
    ui.click(ui.page.get_by_role("button", name=ui.t("Anonymise"), exact=True))
    expect(ui.flash().first).to_contain_text(ui.tn("%(num)d client was anonymised.", "%(num)d clients were anonymised.", 1))
    ui.search_list(gone.code)
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).not_to_contain_text(gone.last_name)
    expect(rows.first).not_to_contain_text(gone.phone)

    # --- preview and run the retention purge ----------------------------------------------------
    old = world.retention_client
    ui.menu("Retention purge")
    today = local_now().date()
    ui.page.get_by_label(ui.t("Reference date")).fill(today.isoformat())
    ui.click(ui.page.get_by_role("button", name=ui.t("Preview")))
    affected = ui.page.get_by_role("table").get_by_role("row").filter(has_text=old.code)
    expect(affected).to_contain_text(ui.t("no contact since the record was created"))
    with server.app.app_context():
        from extensions import db
        from services import retention

        plan = retention.plan(db.session, today, server.app.config["RETENTION_YEARS"])
        db.session.remove()
    assert plan.to_anonymise >= 1
    expect(ui.page.get_by_role("main")).to_contain_text(ui.t("Clients to anonymise: %(n)s", n=plan.to_anonymise))
    ui.page.get_by_label(ui.t("I have checked the preview; anonymise these clients now.")).check()
    ui.click(ui.page.get_by_role("button", name=ui.t("Run the purge")))
    expect(ui.flash().first).to_contain_text(ui.t(
        "Purge finished: %(n)s clients anonymised, %(w)s walk-in summaries removed, %(h)s kept on legal hold.",
        n=plan.to_anonymise, w=plan.walk_in_summaries, h=plan.on_legal_hold))
    expect(ui.page.get_by_role("main")).to_contain_text(ui.t("Clients to anonymise: %(n)s", n=0))
    expect(ui.page.get_by_role("table").get_by_role("row").filter(has_text=old.code)).to_have_count(0)

    # --- and all of it is in the audit trail ----------------------------------------------------
    ui.menu("Audit trail")
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows.filter(has_text=ui.title(AuditAction.PURGE)).filter(has_text=world.manager.name).first).to_be_visible()
    ui.search_list(exported.code)
    # the JSON, the printable page in Ukrainian and again in Czech
    expect(rows.filter(has_text=ui.title(AuditAction.EXPORT)).filter(has_text=world.manager.name)).to_have_count(3)
    ui.search_list(gone.code)
    expect(rows.filter(has_text=ui.title(AuditAction.ANONYMISE)).filter(has_text=world.manager.name)).to_have_count(1)
