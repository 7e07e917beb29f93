"""Day one at a real centre (issue 19): reception's anonymous walk-in refused keeps every value; reception
marks a client arrived and the worker records that very meeting from the start page."""
from __future__ import annotations

import re

from models.enums import AgeBand, AppointmentStatus, Sex
from tests.browser.ui import expect

TOPICS = ("Bydlení", "Zaměstnání")


def test_a_refused_anonymous_walk_in_keeps_every_value_then_goes_to_the_chosen_worker(ui, world):
    ui.login(world.reception.email)
    desk = ui.page.get_by_role("region", name=ui.t("Anonymous walk-in"))
    desk.get_by_label(ui.t("Citizenship")).select_option("UA")
    desk.get_by_label(ui.t("Language"), exact=True).select_option("uk")
    desk.get_by_label(ui.t("Sex")).select_option(Sex.FEMALE.value)
    desk.get_by_label(ui.t("Age band")).select_option(AgeBand.AGE_27_64.value)
    topics = desk.get_by_role("group", name=ui.t("Topics"))  # a checkbox each, not a Ctrl-click list
    for topic in TOPICS:
        topics.get_by_label(topic, exact=True).check()
    desk.get_by_label(ui.t("Minutes spent")).fill("25")
    desk.get_by_label(ui.t("Urgent")).check()
    expect(desk.get_by_label(ui.t("Social worker"))).to_have_value("")  # "automatically"; nobody is on duty
    ui.check("walk-in form filled in")
    ui.click(desk.get_by_role("button", name=ui.t("Log the walk-in")))

    reason = ui.t("Nobody is on duty: choose the social worker who takes the visit.")
    expect(ui.flash()).to_contain_text(reason)
    desk = ui.page.get_by_role("region", name=ui.t("Anonymous walk-in"))
    worker = desk.get_by_label(ui.t("Social worker"))
    expect(worker).to_have_attribute("aria-invalid", "true")
    expect(worker).to_have_accessible_description(re.compile(re.escape(reason)))  # after the field's help
    # every value as it was chosen
    expect(desk.get_by_label(ui.t("Citizenship"))).to_have_value("UA")
    expect(desk.get_by_label(ui.t("Language"), exact=True)).to_have_value("uk")
    expect(desk.get_by_label(ui.t("Sex"))).to_have_value(Sex.FEMALE.value)
    expect(desk.get_by_label(ui.t("Age band"))).to_have_value(AgeBand.AGE_27_64.value)
    topics = desk.get_by_role("group", name=ui.t("Topics"))
    for topic in TOPICS:
        expect(topics.get_by_label(topic, exact=True)).to_be_checked()
    expect(topics.get_by_role("checkbox", checked=True)).to_have_count(len(TOPICS))
    expect(desk.get_by_label(ui.t("Minutes spent"))).to_have_value("25")
    expect(desk.get_by_label(ui.t("Urgent"))).to_be_checked()

    # choose who takes it: logged, and the message needs no declension of the name
    worker.select_option(label=world.colleague.name)
    ui.click(desk.get_by_role("button", name=ui.t("Log the walk-in")))
    expect(ui.flash()).to_contain_text(ui.t("Anonymous walk-in logged and handed to %(name)s.", name=world.colleague.name))
    expect(ui.page.get_by_role("region", name=ui.t("Anonymous walk-in")).get_by_label(ui.t("Citizenship"))).to_have_value("")


def test_reception_marks_arrived_and_the_worker_records_that_meeting(ui, world):
    client = world.arrival_client
    appointment = world.arrival_appointment

    # --- reception: the client is here ---------------------------------------------------------
    ui.login(world.reception.email)
    arrived = ui.page.get_by_role("button", name=f"{ui.t('Arrived')} {client.code}")
    ui.click(arrived)
    expect(ui.flash()).to_contain_text(f"{client.code}")
    expect(ui.flash()).to_contain_text(ui.title(AppointmentStatus.ATTENDED))
    ui.logout()

    # --- the worker: the start page offers to record it; the form has it first and chosen -------
    ui.login(world.colleague.email)
    week = ui.page.get_by_role("region", name=ui.t("My appointments today and this week"))
    ui.click(week.get_by_role("link", name=f"{ui.t('Arrived: record the meeting')} {client.code}"))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Record a meeting with %(code)s", code=client.code))
    options = ui.page.locator("input[name=appointment]")
    expect(options.first).to_have_attribute("value", str(appointment))
    expect(options.first).to_be_checked()
    form = ui.page.locator("main form")
    # saved without a word of it: refused at the notes, the choice kept
    ui.click(ui.page.get_by_role("button", name=ui.t("Save the meeting")))
    expect(ui.flash()).to_contain_text(ui.t("Write down the notes, the evaluation or the next steps of the meeting."))
    expect(ui.page.locator(f"input[name=appointment][value='{appointment}']")).to_be_checked()
    form = ui.page.locator("main form")
    form.get_by_label(ui.t("Notes"), exact=True).fill("Rodina hledá byt, probrali jsme nabídky a kauci.")
    form.get_by_label(ui.t("Next steps agreed")).fill("Klientka přinese nájemní smlouvu k posouzení.")
    ui.check("meeting form filled in")
    ui.click(ui.page.get_by_role("button", name=ui.t("Save the meeting")))
    expect(ui.flash()).to_contain_text(ui.t("The meeting is recorded."))
    assert ui.path().startswith(f"/admin/client/case/?id={client.id}")
    expect(ui.page.get_by_role("main")).to_contain_text("Rodina hledá byt, probrali jsme nabídky a kauci.")

    # recorded once: the start page no longer offers it
    ui.menu("Start")
    week = ui.page.get_by_role("region", name=ui.t("My appointments today and this week"))
    expect(week.get_by_role("link", name=f"{ui.t('Arrived: record the meeting')} {client.code}")).to_have_count(0)
