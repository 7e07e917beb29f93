"""Booking from free slots: from the desk to a booked appointment in three clicks, and the calendar's free time.

Run in Czech and in English.
"""
from __future__ import annotations

import re

import pytest

from models.enums import AppointmentStatus
from tests.browser.ui import expect


@pytest.mark.parametrize("locale", ["cs", "en"])
def test_desk_to_a_booked_appointment_in_three_clicks(ui, world, locale):
    person = world.slot_client[locale]
    ui.goto("/login")
    if locale == "en":
        ui.switch_locale("en")
    ui.login(world.reception.email)

    # the desk: find the client (typing is not a click)
    box = ui.page.get_by_role("search").get_by_label(ui.t("Code, name or phone"))
    box.fill(person.last_name)
    ui.click(ui.page.get_by_role("button", name=ui.t("Search"), exact=True))  # the search, as Enter would
    row = ui.page.locator("table tr").filter(has_text=person.code)
    expect(row).to_have_count(1)
    ui.screenshot("desk")

    clicks = 0
    # 1: Book
    ui.click(row.get_by_role("link", name=re.compile(rf"^{re.escape(ui.t('Book'))}\b")))
    clicks += 1
    picker = ui.page.get_by_role("region", name=ui.t("Free time for %(client)s", client=f"{person.code} {person.last_name} {person.first_name}"))
    if not picker.count():  # the client's name as the book writes it
        picker = ui.page.locator("section.card").filter(has=ui.page.locator("#slots-heading"))
    expect(picker.get_by_label(ui.t("Social worker"))).to_have_value(str(world.slot_worker.id))
    slot = picker.locator("a[href*='starts_at=']").first
    ui.screenshot("booking")
    href = slot.get_attribute("href")
    assert f"worker_id={world.slot_worker.id}" in href and f"client_id={person.id}" in href
    starts = re.search(r"starts_at=([0-9-]+T[0-9]{2}(?::|%3A)[0-9]{2})", href).group(1).replace("%3A", ":")
    # 2: a free slot
    ui.click(slot)
    clicks += 1
    form = ui.page.locator("form.admin-form")
    expect(form.get_by_label(ui.t("Starts at"))).to_have_value(starts)
    expect(ui.page.locator("#s2id_worker")).to_contain_text(world.slot_worker.name)
    expect(ui.page.locator("#s2id_client")).to_contain_text(person.code)
    ui.check("the booking form filled in from a slot")
    # 3: Save
    ui.save()
    clicks += 1
    assert clicks <= 3
    expect(ui.flash().first).to_contain_text(ui.ta("Record was successfully created."))
    expect(ui.detail(ui.t("Client"))).to_have_text(person.code)
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.slot_worker.name)
    expect(ui.detail(ui.t("Status"))).to_have_text(ui.title(AppointmentStatus.PLANNED))

    # the slot is taken now: the booking page no longer offers it, and the calendar shows the appointment
    ui.goto(f"/admin/appointment/new/?client_id={person.id}")
    assert not ui.page.locator(f"a[href*='starts_at={starts[:10]}T{starts[11:13]}%3A{starts[14:]}']").count()
    ui.goto(f"/admin/calendar/?worker={world.slot_worker.id}&week={starts[:10]}")
    expect(ui.page.get_by_text(person.code).first).to_be_visible()


def test_the_calendar_shows_free_time_and_a_click_books(ui, world):
    person = world.slot_client["cs"]
    ui.goto("/login")
    ui.login(world.reception.email)
    ui.menu("Calendar")
    ui.page.get_by_label(ui.t("Social worker"), exact=True).select_option(str(world.slot_worker.id))
    ui.click(ui.page.get_by_role("button", name=ui.t("Show"), exact=True))
    length = ui.page.get_by_label(ui.t("Length"), exact=True)
    length.select_option("90")
    ui.click(ui.page.get_by_role("button", name=ui.t("Show"), exact=True))
    ui.click(ui.page.get_by_role("link", name=ui.t("Next week"), exact=True))
    slot = ui.page.locator(".poradna-free-time a[href*='starts_at=']").first
    href = slot.get_attribute("href")
    assert "length=90" in href and f"worker_id={world.slot_worker.id}" in href
    ui.click(slot)
    form = ui.page.locator("form.admin-form")
    expect(form.get_by_label(ui.t("Duration (minutes)"))).to_have_value("90")
    ui.select2("client", person.last_name, person.code)
    ui.save()
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.slot_worker.name)
    expect(ui.detail(ui.t("Duration (minutes)"))).to_have_text("90")
