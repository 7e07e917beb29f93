"""The promises every write keeps, walked in the browser in Czech as the roles meet them: a form
opened before someone else saved is refused without losing what was typed; a meeting recorded from
two tabs is recorded once; ending an agreement lists the planned appointments it cancels; an
anonymised client's personal fields cannot be filled in again."""
from __future__ import annotations

from models.enums import AgreementStatus, AppointmentStatus
from tests.browser.ui import expect

#: a second tab's page has been checked by axe-core (as ui.navigation() waits for the main tab's)
CHECKED = "window.__poradnaAxeDone === true"


def test_reception_saving_a_form_someone_else_saved_meanwhile_is_refused_and_keeps_the_input(ui, world):
    client = world.stale_client
    ui.login(world.reception.email)
    ui.goto(f"/admin/client/edit/?id={client.id}")
    expect(ui.page.get_by_role("textbox", name=ui.t("Phone"))).to_have_value(client.phone)
    # a second tab: the phone number changes there first
    other = ui.context.new_page()
    other.goto(ui.base + f"/admin/client/edit/?id={client.id}")
    other.wait_for_function(CHECKED)
    other.get_by_role("textbox", name=ui.t("Phone")).fill("+420 605 777 199")
    other.get_by_role("button", name=ui.ta("Save"), exact=True).click()
    other.wait_for_url("**/admin/client/details/**")
    other.wait_for_function(CHECKED)
    other.close()
    # the first tab still shows the old form: its save is refused, what was typed stays
    ui.page.get_by_role("textbox", name=ui.t("Email")).fill("zarina@example.org")
    ui.save()
    expect(ui.flash().first).to_contain_text(ui.t(
        "Someone changed this record after you opened the form, so nothing was saved. "
        "Copy what you typed if you need it, reload the page and make your change again."))
    expect(ui.page.get_by_role("textbox", name=ui.t("Email"))).to_have_value("zarina@example.org")
    # reloaded, the form shows the other tab's change and saves
    ui.goto(f"/admin/client/edit/?id={client.id}")
    expect(ui.page.get_by_role("textbox", name=ui.t("Phone"))).to_have_value("+420 605 777 199")
    ui.page.get_by_role("textbox", name=ui.t("Email")).fill("zarina@example.org")
    ui.save()
    expect(ui.detail(ui.t("Email"))).to_have_text("zarina@example.org")


def test_a_meeting_recorded_from_two_tabs_is_recorded_once(ui, world, server):
    client = world.twice_client
    ui.login(world.worker.email)
    path = f"/admin/client/case/meeting/?id={client.id}"
    ui.goto(path)
    second = ui.context.new_page()
    second.goto(ui.base + path)
    second.wait_for_function(CHECKED)
    for page, notes in ((ui.page, "Zápis z první karty"), (second, "Zápis z druhé karty")):
        expect(page.locator(f"input[name=appointment][value='{world.twice_appointment}']")).to_be_checked()
        page.locator("main form").get_by_label(ui.t("Notes"), exact=True).fill(notes)
        page.get_by_role("group", name=ui.t("New task %(n)s", n=1)).get_by_label(ui.t("What is to be done")).fill(
            f"Úkol – {notes}")
    ui.click(ui.page.get_by_role("button", name=ui.t("Save the meeting")))
    expect(ui.flash()).to_contain_text(ui.t("The meeting is recorded."))
    with second.expect_navigation():
        second.get_by_role("button", name=ui.t("Save the meeting")).click()
    second.wait_for_function(CHECKED)
    expect(second.locator("main .alert").first).to_contain_text(ui.t(
        "This meeting has already been recorded (perhaps from another tab or by a second click). "
        "Nothing was changed by this submission; open the case file to see what was recorded."))
    expect(second.locator("main form").get_by_label(ui.t("Notes"), exact=True)).to_have_value("Zápis z druhé karty")
    second.close()
    with server.app.app_context():
        from extensions import db
        from models import Appointment, RoadmapTask

        stored = db.session.get(Appointment, world.twice_appointment)
        descriptions = [t.description for t in db.session.query(RoadmapTask).filter(RoadmapTask.description.like("Úkol – %"))]
        assert stored.status == AppointmentStatus.ATTENDED and stored.notes == "Zápis z první karty"
        assert descriptions == ["Úkol – Zápis z první karty"]
        db.session.remove()


def test_ending_an_agreement_lists_and_cancels_the_planned_appointments(ui, world):
    client = world.closing_client
    ui.login(world.worker.email)
    ui.goto(f"/admin/client/case/?id={client.id}")
    ui.click(ui.page.get_by_role("link", name=ui.t("End the agreement")))
    planned = ui.page.get_by_role("table", name=ui.t("Planned appointments of the client"))
    expect(planned.get_by_role("row")).to_have_count(2)  # the header and next week's appointment
    cancel = ui.page.get_by_label(ui.t("Cancel the client's planned appointments listed above (cancelled by the centre)"))
    expect(cancel).to_be_checked()
    ui.page.get_by_label(ui.title(AgreementStatus.GOAL_ACHIEVED)).check()
    ui.page.get_by_label(ui.t("Why it ended")).fill("Pojištění je vyřízené.")
    ui.click(ui.page.get_by_role("button", name=ui.t("End the agreement")))
    expect(ui.flash().first).to_contain_text(ui.t("The agreement has ended and %(code)s is closed.", code=client.code))
    expect(ui.flash().nth(1)).to_contain_text(ui.tn("%(num)d planned appointment was cancelled.",
                                                    "%(num)d planned appointments were cancelled.", 1))


def test_an_anonymised_clients_personal_fields_stay_closed(ui, world):
    gone = world.erased_client
    ui.login(world.reception.email)
    ui.goto(f"/admin/client/edit/?id={gone.id}")
    for label in ("First name", "Last name", "Phone", "Email"):
        field = ui.page.get_by_role("textbox", name=ui.t(label))
        expect(field).to_be_disabled()
        expect(field).to_have_value("")
    expect(ui.page.get_by_role("main")).to_contain_text(
        ui.t("The client has been anonymised: no personal data or text is recorded any more."))
    # a coded change still saves
    ui.page.get_by_label(ui.t("Residence status")).select_option("permanent")
    ui.save()
    expect(ui.detail(ui.t("Residence status"))).to_have_text(ui.t("Permanent residence"))
    expect(ui.detail(ui.t("Last name"))).to_have_text("")
