"""Reception's day: log a walk-in, find a client by phone, book an appointment, mark a no-show.

Run in Czech and in English.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from models.enums import AgeBand, AppointmentStatus, Sex, VisitChannel
from services.timeutil import local_now
from tests.browser.ui import expect

TOPIC = {"cs": "Bydlení", "en": "Housing"}


def _local_input(value) -> str:
    """A datetime-local input's value."""
    return value.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("locale", ["cs", "en"])
def test_reception_journey(ui, world, locale):
    client = world.phone_client[locale]
    no_show = world.no_show_client[locale]

    ui.goto("/login")
    if locale == "en":
        ui.switch_locale("en")
    ui.login(world.reception.email)
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Good day, %(name)s", name=world.reception.name))

    # --- an anonymous walk-in ------------------------------------------------------------
    ui.menu("Visits and contacts")
    ui.click(ui.page.get_by_role("link", name=ui.ta("Create"), exact=True))
    form = ui.page.locator("form.admin-form")
    when = (local_now() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    form.get_by_label(ui.t("When")).fill(_local_input(when))
    form.get_by_label(ui.t("Channel")).select_option(VisitChannel.WALK_IN.value)
    ui.select2("worker", world.worker.name.split()[-1], world.worker.name)
    ui.select2("topics", TOPIC[locale][:3], TOPIC[locale])
    form.get_by_label(ui.t("Minutes spent")).fill("15")
    form.get_by_label(ui.t("Citizenship")).select_option("UA")
    form.get_by_label(ui.t("Language used")).select_option("uk")
    form.get_by_label(ui.t("Sex")).select_option(Sex.FEMALE.value)
    form.get_by_label(ui.t("Age band")).select_option(AgeBand.AGE_18_26.value)
    ui.check("walk-in form filled in")
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully created."))
    expect(ui.detail(ui.t("Client"))).to_have_text(ui.t("anonymous walk-in"))
    expect(ui.detail(ui.t("Channel"))).to_have_text(ui.title(VisitChannel.WALK_IN))
    expect(ui.detail(ui.t("Topics"))).to_have_text(TOPIC[locale])

    # --- find a client by phone ------------------------------------------------------------
    ui.menu("Clients")
    ui.search_list(client.phone.removeprefix("+420 "))
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(client.code)
    expect(rows.first).to_contain_text("…" + client.phone[-3:])  # a list shows the last digits only
    expect(rows.first).not_to_contain_text(client.phone)
    ui.click(rows.first.get_by_role("link", name=ui.ta("View Record")))
    expect(ui.detail(ui.t("Phone"))).to_have_text(client.phone)
    own_worker = ui.detail(ui.t("Social worker")).inner_text().strip()
    assert own_worker == world.worker.name

    # --- book an appointment with the client's own worker ---------------------------------
    ui.menu("Appointments")
    ui.click(ui.page.get_by_role("link", name=ui.ta("Create"), exact=True))
    form = ui.page.locator("form.admin-form")
    ui.select2("client", client.phone[-7:], client.code)
    ui.select2("worker", own_worker.split()[-1], own_worker)
    hour = {"cs": 14, "en": 16}[locale]  # the same worker: the two runs must not double-book her
    starts = (local_now() + timedelta(days=2)).replace(hour=hour, minute=30, second=0, microsecond=0)
    form.get_by_label(ui.t("Starts at")).fill(_local_input(starts))
    form.get_by_label(ui.t("Duration (minutes)")).fill("45")
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully created."))
    expect(ui.detail(ui.t("Client"))).to_have_text(client.code)
    expect(ui.detail(ui.t("Social worker"))).to_have_text(own_worker)
    expect(ui.detail(ui.t("Status"))).to_have_text(ui.title(AppointmentStatus.PLANNED))
    expect(ui.detail(ui.t("Duration (minutes)"))).to_have_text("45")

    # --- yesterday's appointment of another client: a no-show --------------------------------
    ui.click(ui.page.get_by_role("link", name=ui.ta("List"), exact=True))
    ui.search_list(no_show.code)
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    ui.click(rows.first.get_by_role("link", name=ui.ta("Edit Record")))
    status = ui.page.get_by_label(ui.t("Status"), exact=True)
    expect(status).to_have_value(AppointmentStatus.PLANNED.value)
    status.select_option(AppointmentStatus.NO_SHOW.value)
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully saved."))
    expect(ui.detail(ui.t("Status"))).to_have_text(ui.title(AppointmentStatus.NO_SHOW))
    expect(ui.detail(ui.t("Client"))).to_have_text(no_show.code)
