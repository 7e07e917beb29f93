"""A social worker's day: open a client's case file from the start page, record a meeting there
(evaluate two tasks, add one, write notes, book the next appointment) and print the roadmap; write
notes to an appointment; open a colleague's client with cover access."""
from __future__ import annotations

import re
from datetime import timedelta

from models.enums import AppointmentStatus, ClientStatus, Responsible, TaskStatus
from services.timeutil import local_now
from tests.browser.ui import expect
from tests.documents import doc_text


def test_worker_journey(ui, world):
    client = world.own_client
    ui.login(world.worker.email)

    # --- from the start page to the client's record ------------------------------------------
    def todays_row():
        link = ui.page.get_by_role("link", name=client.code, exact=True)
        return ui.page.get_by_role("main").get_by_role("row").filter(has=link).first

    expect(todays_row()).to_contain_text(ui.title(AppointmentStatus.PLANNED))
    ui.click(todays_row().get_by_role("link", name=client.code, exact=True))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Case file %(code)s", code=client.code))
    expect(ui.fact(ui.t("Social worker"))).to_have_text(world.worker.name)
    ui.click(ui.page.get_by_role("link", name=ui.t("Personal data and details")))
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
    # the worker lands on the case file, where the work is
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Case file %(code)s", code=covered.code))
    expect(ui.page.get_by_role("link", name=ui.t("Open with cover access"))).to_have_count(0)

    # the covered case is open to the worker now: its agreement is on the list
    ui.menu("Agreements")
    ui.search_list(covered.code)
    rows = ui.page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(world.colleague.name)


def _local_input(value) -> str:
    """A datetime-local input's value."""
    return value.strftime("%Y-%m-%dT%H:%M")


def test_worker_records_a_meeting_from_the_case_file_and_prints_the_roadmap(ui, world):
    client = world.meeting_client
    evaluated, continued = world.meeting_tasks
    ui.login(world.worker.email)

    # --- the start page lists the client's overdue task; its code opens the case file ----------
    overdue = ui.page.get_by_role("region", name=ui.t("My clients' overdue tasks"))
    expect(overdue).to_contain_text(evaluated)
    ui.click(overdue.get_by_role("link", name=client.code, exact=True))
    assert ui.path().startswith(f"/admin/client/case/?id={client.id}")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Case file %(code)s", code=client.code))
    expect(ui.fact(ui.t("Name"))).to_contain_text(client.name)
    expect(ui.fact(ui.t("Social worker"))).to_have_text(world.worker.name)
    expect(ui.fact(ui.t("Status"))).to_have_text(ui.title(ClientStatus.CLIENT))
    expect(ui.fact(ui.t("Goal"))).to_have_text("Získat povolení k dlouhodobému pobytu")
    roadmap = ui.page.get_by_role("region", name=ui.t("Roadmap"))
    client_tasks = roadmap.get_by_role("table", name=ui.t("What the client will do"))
    expect(client_tasks.get_by_role("row").filter(has_text=evaluated)).to_contain_text(ui.t("overdue"))

    # --- record the meeting: one form -----------------------------------------------------------
    ui.click(ui.page.get_by_role("link", name=ui.t("Record a meeting")))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("Record a meeting with %(code)s", code=client.code))
    planned = ui.page.locator(f"input[name=appointment][value='{world.meeting_appointment}']")
    expect(planned).to_be_checked()  # the appointment that started an hour ago
    expect(ui.page.get_by_role("group", name=ui.t("Attendance"))
           .get_by_label(ui.title(AppointmentStatus.ATTENDED), exact=True)).to_be_checked()
    form = ui.page.locator("main form")
    form.get_by_label(ui.t("Notes"), exact=True).fill("Klientka donesla výpis, formulář vyplníme příště.")
    form.get_by_label(ui.t("Evaluation of results")).fill("Výpis je v pořádku, žádost lze podat.")
    form.get_by_label(ui.t("Next steps agreed")).fill("Domluvit termín na OAMP.")

    # evaluate the two open tasks
    first = ui.page.get_by_role("group", name=evaluated, exact=True)
    first.get_by_label(ui.t("Done"), exact=True).check()
    first.get_by_label(ui.t("Short outcome")).fill("Donesla v originále")
    second = ui.page.get_by_role("group", name=continued, exact=True)
    expect(second.get_by_label(ui.t("Continue"), exact=True)).to_be_checked()
    second.get_by_label(ui.t("Short outcome")).fill("Chybí fotografie")

    # add one task
    new_task = "Objednat termín na odboru azylové a migrační politiky"
    due = local_now().date() + timedelta(days=14)
    row = ui.page.get_by_role("group", name=ui.t("New task %(n)s", n=1))
    row.get_by_label(ui.t("What is to be done")).fill(new_task)
    row.get_by_label(ui.t("Responsible")).select_option(Responsible.WORKER.value)
    row.get_by_label(ui.t("Due on")).fill(due.isoformat())

    # book the next appointment with the client's own worker (preselected)
    next_start = (local_now() + timedelta(days=7)).replace(hour=10, minute=30, second=0, microsecond=0)
    form.get_by_label(ui.t("Book the next appointment")).check()
    next_section = ui.page.get_by_role("region", name=ui.t("Next appointment"))
    next_section.get_by_label(ui.t("Starts at")).fill(_local_input(next_start))
    expect(next_section.get_by_label(ui.t("Social worker"))).to_have_value(str(world.worker.id))
    ui.check("meeting form filled in")
    ui.click(ui.page.get_by_role("button", name=ui.t("Save the meeting")))

    # --- back on the case file: the roadmap, the next appointment and the timeline -------------
    expect(ui.flash()).to_contain_text(ui.t("The meeting is recorded."))
    assert ui.path().startswith(f"/admin/client/case/?id={client.id}")
    roadmap = ui.page.get_by_role("region", name=ui.t("Roadmap"))
    done_row = roadmap.get_by_role("table", name=ui.t("What the client will do")).get_by_role("row").filter(has_text=evaluated)
    expect(done_row).to_contain_text(ui.title(TaskStatus.DONE))
    expect(done_row).to_contain_text("Donesla v originále")
    together = roadmap.get_by_role("table", name=ui.t("What they will do together")).get_by_role("row").filter(has_text=continued)
    expect(together).to_contain_text(ui.title(TaskStatus.OPEN))
    expect(together).to_contain_text("Chybí fotografie")
    worker_tasks = roadmap.get_by_role("table", name=ui.t("What the social worker will do"))
    expect(worker_tasks.get_by_role("row").filter(has_text=new_task)).to_contain_text(ui.title(TaskStatus.OPEN))
    expect(ui.page.get_by_role("region", name=ui.t("Next appointment"))).to_contain_text(world.worker.name)
    timeline = ui.page.get_by_role("region", name=ui.t("Timeline"))
    expect(timeline.locator(".case-event-task_added").filter(has_text=new_task)).to_contain_text(ui.t("Roadmap task added"))
    expect(timeline.locator(".case-event-task").filter(has_text=evaluated)).to_contain_text(
        ui.t("Roadmap task: %(status)s", status=ui.title(TaskStatus.DONE)))
    attended = timeline.locator(".case-event-appointment").filter(has_text="Výpis je v pořádku, žádost lze podat.")
    expect(attended).to_contain_text(ui.t("Appointment: %(status)s", status=ui.title(AppointmentStatus.ATTENDED)))
    expect(attended).to_contain_text("Domluvit termín na OAMP.")
    expect(ui.fact(ui.t("Appointments"))).to_contain_text(re.compile(r"\b1\b"))

    # --- print the roadmap for the client: in Ukrainian, the client's language; then Czech and English
    documents = ui.page.get_by_role("region", name=ui.t("Documents for the client"))
    ui.click(documents.get_by_role("link", name=ui.t("Print the roadmap")))
    assert ui.path() == f"/admin/client/case/roadmap/?id={client.id}&lang=uk"
    assert ui.page.locator("html").get_attribute("lang") == "uk"
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(doc_text("uk", "Your roadmap"))
    expect(ui.page.get_by_text("Získat povolení k dlouhodobému pobytu")).to_be_visible()  # as the worker wrote it
    languages = ui.page.get_by_role("navigation", name=doc_text("uk", "Other languages"))
    ui.click(languages.get_by_role("link", name="Čeština"))
    assert ui.page.locator("html").get_attribute("lang") == "cs"
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(doc_text("cs", "Your roadmap"))
    expect(ui.page.get_by_role("table", name=doc_text("cs", "What %(name)s will do", name=world.worker.name))).to_contain_text(new_task)
    expect(ui.page.get_by_role("table", name=doc_text("cs", "What we will do together"))).to_contain_text(continued)
    expect(ui.page.get_by_role("list", name=doc_text("cs", "What is already done")).get_by_role("listitem").filter(
        has_text=evaluated)).to_be_visible()
    expect(ui.page.get_by_role("main")).to_contain_text(doc_text("cs", "Your social worker: %(name)s", name=world.worker.name))

    languages = ui.page.get_by_role("navigation", name=doc_text("cs", "Other languages"))
    ui.click(languages.get_by_role("link", name="English"))
    assert ui.page.locator("html").get_attribute("lang") == "en"
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your roadmap")
    expect(ui.page.get_by_role("table", name=f"What {world.worker.name} will do")).to_contain_text(new_task)
