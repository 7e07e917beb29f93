"""Forms given missing and malformed values: the page says what is wrong and keeps what was typed."""
from __future__ import annotations

from datetime import timedelta

from models.enums import ClientStatus
from services.timeutil import local_now
from tests.browser.ui import expect


def _local_input(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _expect_error(ui, field_id: str, message: str):
    """The field shows ``message`` after it, is marked invalid and is described by the message."""
    expect(ui.page.locator(f"#{field_id} ~ .invalid-feedback")).to_have_text(message)
    focusable = ui.page.locator(f"#s2id_{field_id} input.select2-focusser, input#{field_id}:not([type=hidden])").first
    expect(focusable).to_have_attribute("aria-invalid", "true")
    expect(focusable).to_have_accessible_description(message)


def test_login_without_a_password(ui, world):
    ui.goto("/login")
    ui.page.get_by_label(ui.t("Email")).fill(world.worker.email)
    ui.click(ui.page.get_by_role("button", name=ui.t("Log in")))
    password = ui.page.get_by_label(ui.t("Password"))
    expect(password).to_have_class("form-control is-invalid")
    expect(password).to_have_accessible_description(ui.tw("This field is required."))
    expect(ui.page.get_by_label(ui.t("Email"))).to_have_value(world.worker.email)


def test_a_new_client_with_a_wrong_year_of_birth_and_no_worker(ui, world):
    ui.login(world.reception.email)
    ui.menu("Clients")
    ui.click(ui.page.get_by_role("link", name=ui.ta("Create"), exact=True))
    form = ui.page.locator("form.admin-form")
    form.get_by_label(ui.t("First name")).fill("Hanna")
    form.get_by_label(ui.t("Last name")).fill("Petrenková")
    form.get_by_label(ui.t("Phone")).fill("+420 606 222 333")
    form.get_by_label(ui.t("Year of birth")).fill("1850")
    ui.save()
    # the year is one field's rule: checked with the form's own, it is told at the field (with every other
    # field's error, at once) under the page's "could not be created"
    message = ui.t("Enter a year of birth between 1900 and this year.")
    expect(ui.flash()).to_contain_text(ui.ta("Failed to create record."))
    _expect_error(ui, "birth_year", message)
    expect(form.get_by_label(ui.t("First name"))).to_have_value("Hanna")
    expect(form.get_by_label(ui.t("Last name"))).to_have_value("Petrenková")
    expect(form.get_by_label(ui.t("Phone"))).to_have_value("+420 606 222 333")
    expect(form.get_by_label(ui.t("Year of birth"))).to_have_value("1850")

    # a client (not only an interested person) needs a social worker
    form.get_by_label(ui.t("Year of birth")).fill("1990")
    form.get_by_label(ui.t("Status"), exact=True).select_option(ClientStatus.CLIENT.value)
    ui.save()
    message = ui.t("A client must have an assigned social worker.")
    expect(ui.flash()).to_contain_text(message)
    expect(form.get_by_label(ui.t("Status"), exact=True)).to_have_value(ClientStatus.CLIENT.value)
    expect(form.get_by_label(ui.t("Year of birth"))).to_have_value("1990")
    expect(form.get_by_label(ui.t("First name"))).to_have_value("Hanna")

    ui.select2("worker", world.worker.name.split()[-1], world.worker.name)
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully created."))
    expect(ui.detail(ui.t("Last name"))).to_have_text("Petrenková")
    expect(ui.detail(ui.t("Social worker"))).to_have_text(world.worker.name)


def test_an_appointment_without_a_client_then_with_too_long_a_duration(ui, world):
    ui.login(world.worker.email)
    ui.menu("Appointments")
    ui.click(ui.page.get_by_role("link", name=ui.ta("Create"), exact=True))
    form = ui.page.locator("form.admin-form")
    starts = _local_input((local_now() + timedelta(days=3)).replace(hour=9, minute=0))
    form.get_by_label(ui.t("Starts at")).fill(starts)
    form.get_by_label(ui.t("Duration (minutes)")).fill("800")
    form.get_by_label(ui.t("Notes"), exact=True).fill("Přinést nájemní smlouvu.")
    ui.save()
    _expect_error(ui, "client", ui.tw("This field is required."))
    expect(form.get_by_label(ui.t("Starts at"))).to_have_value(starts)
    expect(form.get_by_label(ui.t("Duration (minutes)"))).to_have_value("800")
    expect(form.get_by_label(ui.t("Notes"), exact=True)).to_have_value("Přinést nájemní smlouvu.")

    client = world.booking_client
    ui.select2("client", client.last_name[:5], client.code)
    ui.save()
    message = ui.t("The duration must be between 1 and 720 minutes.")
    expect(ui.flash()).to_contain_text(message)
    _expect_error(ui, "duration_minutes", message)
    expect(ui.page.locator("#s2id_client .select2-chosen")).to_contain_text(client.code)
    expect(form.get_by_label(ui.t("Notes"), exact=True)).to_have_value("Přinést nájemní smlouvu.")
    expect(form.get_by_label(ui.t("Starts at"))).to_have_value(starts)

    form.get_by_label(ui.t("Duration (minutes)")).fill("60")
    ui.save()
    expect(ui.flash()).to_contain_text(ui.ta("Record was successfully created."))
    expect(ui.detail(ui.t("Notes"))).to_have_text("Přinést nájemní smlouvu.")


def test_a_visit_in_the_future(ui, world):
    ui.login(world.reception.email)
    ui.menu("Visits and contacts")
    ui.click(ui.page.get_by_role("link", name=ui.ta("Create"), exact=True))
    form = ui.page.locator("form.admin-form")
    tomorrow = _local_input((local_now() + timedelta(days=1)).replace(hour=10, minute=0))
    form.get_by_label(ui.t("When")).fill(tomorrow)
    form.get_by_label(ui.t("Minutes spent")).fill("25")
    ui.select2("worker", world.colleague.name.split()[-1], world.colleague.name)
    ui.save()
    message = ui.t("A contact cannot take place in the future.")
    expect(ui.flash()).to_contain_text(message)
    _expect_error(ui, "occurred_at", message)
    expect(form.get_by_label(ui.t("When"))).to_have_value(tomorrow)
    expect(form.get_by_label(ui.t("Minutes spent"))).to_have_value("25")
    expect(ui.page.locator("#s2id_worker .select2-chosen")).to_have_text(world.colleague.name)


def test_cover_access_needs_a_reason(ui, world):
    client = world.cover_refused_client
    ui.login(world.worker.email)
    ui.goto(f"/admin/client/cover/?id={client.id}")
    form = ui.page.locator("main form")
    reason = ui.page.get_by_label(ui.t("Why do you need to open this case?"))
    submit = ui.page.get_by_role("button", name=ui.t("Open the case"))
    document = ui.page.evaluate("() => window.__poradnaDocId")

    # missing, then too short: the browser itself refuses to send the form and says why
    assert reason.evaluate("e => e.validity.valueMissing")
    assert form.evaluate("f => !f.checkValidity()")
    submit.click()
    assert reason.evaluate("e => e.validationMessage") != ""

    reason.fill("abc")
    assert reason.evaluate("e => e.validity.tooShort")
    submit.click()
    assert reason.evaluate("e => e.validationMessage") != ""
    expect(reason).to_have_value("abc")
    assert ui.page.evaluate("() => window.__poradnaDocId") == document  # still the same page
    ui.check("cover form refused by the browser")

    # a real reason opens the case
    reason.fill("Klient přišel naléhavě, kolegyně je nemocná.")
    ui.click(submit)
    expect(ui.flash()).to_contain_text(client.code)
