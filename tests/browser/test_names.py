"""Names as reception hears them, in the browser (Czech): the desk finds a name stored in Cyrillic by
a Latin spelling, a person registered again is caught before anything is saved, and a manager merges
two records of one person through the confirmation page."""
from __future__ import annotations

from tests.browser.ui import expect


def _desk_search(ui, text: str):
    box = ui.page.get_by_role("search").get_by_label(ui.t("Code, name or phone"))
    box.fill(text)
    with ui.navigation():
        box.press("Enter")


def test_reception_finds_a_name_as_heard_and_is_warned_of_a_duplicate(ui, world):
    heard, existing = world.heard_client, world.registered_client
    ui.login(world.reception.email)

    # --- the desk finds Олександр Кузнецов typed as heard, in either order -------------------------
    _desk_search(ui, "kuznetsov olexandr")
    found = ui.page.get_by_role("table", name=ui.t("Clients found")).locator("tbody tr")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text(heard.code)
    expect(found.first).to_contain_text("Олександр Кузнецов")
    _desk_search(ui, "Kuzněcov")
    expect(found.filter(has_text=heard.code)).to_have_count(1)
    _desk_search(ui, "kuznetsova")  # a different name: not found
    expect(ui.page.get_by_text(ui.t("Nobody found."))).to_be_visible()

    # --- registered again with the middle name: the desk misses, the registration does not ------------
    _desk_search(ui, "Nguyễn Thị Hương")
    expect(ui.page.get_by_text(ui.t("Nobody found."))).to_be_visible()
    ui.click(ui.page.get_by_role("link", name=ui.t("Register an interested person")))
    form = ui.page.locator("form.admin-form")
    form.get_by_label(ui.t("First name")).fill("Thị Hương")
    form.get_by_label(ui.t("Last name")).fill("Nguyễn")
    form.get_by_label(ui.t("Year of birth")).fill("1990")
    form.get_by_label(ui.t("Citizenship")).select_option("VN")
    form.get_by_label(ui.t("Email")).fill("huong@")  # bad input first: explained, kept, nothing saved
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Failed to create record."))
    email = form.get_by_label(ui.t("Email"))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(ui.t("Enter an email address such as jana.novakova@example.org."))
    expect(form.get_by_label(ui.t("Last name"))).to_have_value("Nguyễn")
    expect(ui.page.get_by_role("checkbox", name=ui.t("This is a different person: save anyway"))).to_have_count(0)
    form.get_by_label(ui.t("Email")).fill("")
    ui.save()
    warning = ui.page.get_by_role("region", name=ui.t("This person may already be registered"))
    expect(warning).to_be_visible()
    match = warning.locator("tbody tr")
    expect(match).to_have_count(1)
    expect(match.first).to_contain_text(existing.code)
    expect(match.first).to_contain_text("Hương Nguyễn")
    expect(match.first).to_contain_text("1990")
    expect(match.first).to_contain_text(world.colleague.name)
    assert match.first.get_by_role("link", name=existing.code).get_attribute("href").endswith(f"id={existing.id}")
    expect(form.get_by_label(ui.t("First name"))).to_have_value("Thị Hương")  # what was typed comes back
    confirm = ui.page.get_by_role("checkbox", name=ui.t("This is a different person: save anyway"))
    confirm.check()
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully created."))
    expect(ui.detail(ui.t("Last name"))).to_have_text("Nguyễn")


def test_manager_merges_two_records_of_one_person(ui, world):
    kept, duplicate = world.merge_kept, world.merge_duplicate
    ui.login(world.manager.email)
    ui.goto(f"/admin/client/details/?id={duplicate.id}")
    ui.click(ui.page.get_by_role("link", name=ui.t("Merge into…")))
    likely = ui.page.get_by_role("table", name=ui.t("Likely the same person")).locator("tbody tr")
    expect(likely.filter(has_text=kept.code)).to_have_count(1)
    # a search by name, as typed on a Czech keyboard
    box = ui.page.get_by_label(ui.t("Code or name"))
    box.fill("dang trang")
    with ui.navigation():
        box.press("Enter")
    found = ui.page.get_by_role("table", name=ui.t("Clients found")).locator("tbody tr").filter(has_text=kept.code)
    ui.click(found.get_by_role("link", name=ui.t("Keep this record")))

    expect(ui.page.get_by_role("heading", level=1)).to_have_text(
        ui.t("Merge %(code)s into %(kept)s", code=duplicate.code, kept=kept.code))
    moves = ui.page.get_by_role("table", name=ui.t("What moves to %(kept)s", kept=kept.code))
    expect(moves.get_by_role("row", name=ui.t("Visits and contacts"))).to_contain_text("1")
    take = ui.page.get_by_role("radio", name=ui.t("take %(value)s", value=duplicate.phone))
    take.check()
    confirm = ui.page.get_by_label(ui.t("Both records are the same person. I understand that the merge cannot be undone."))
    assert confirm.get_attribute("required") is not None  # not sent unconfirmed (the server refuses it too)
    confirm.check()
    ui.click(ui.page.get_by_role("button", name=ui.t("Merge the records")))
    expect(ui.flash()).to_contain_text(ui.t("The record %(code)s was merged into %(kept)s.", code=duplicate.code, kept=kept.code))
    expect(ui.detail(ui.t("Phone"))).to_have_text(duplicate.phone)
    expect(ui.page.get_by_text(ui.t("Records merged into this one: %(codes)s.", codes=duplicate.code))).to_be_visible()

    # the duplicate's page leads to the kept record
    ui.goto(f"/admin/client/details/?id={duplicate.id}")
    assert ui.path().endswith(f"id={kept.id}")
    expect(ui.flash()).to_contain_text(ui.t("The record %(code)s was merged into %(kept)s.", code=duplicate.code, kept=kept.code))
