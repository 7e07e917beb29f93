"""What every member of staff does: log in (and fail to), switch the language, log out, meet a 403."""
from __future__ import annotations

import pytest

from tests.browser.ui import expect


def test_a_wrong_password_is_refused_with_a_message_and_the_email_is_kept(ui, world):
    ui.goto("/login")
    assert ui.page.locator("html").get_attribute("lang") == "cs"
    ui.page.get_by_label(ui.t("Email")).fill(world.worker.email)
    ui.page.get_by_label(ui.t("Password")).fill("this is not the password")
    ui.click(ui.page.get_by_role("button", name=ui.t("Log in")))

    expect(ui.page.get_by_role("alert")).to_have_text(ui.t("Wrong email or password, or the account is disabled."))
    expect(ui.page.get_by_label(ui.t("Email"))).to_have_value(world.worker.email)
    expect(ui.page.get_by_label(ui.t("Password"))).to_have_value("")
    assert ui.path().startswith("/login")


def test_log_in_switch_to_english_and_back_then_log_out(ui, world):
    ui.login(world.worker.email)
    heading = ui.page.get_by_role("heading", level=1)
    expect(heading).to_have_text(ui.t("Good day, %(name)s", name=world.worker.name))
    assert ui.t("Good day, %(name)s", name="x") != "Good day, x"  # really Czech

    ui.menu("Clients")
    ui.switch_locale("en")
    assert ui.path().startswith("/admin/client/")  # stays on the same screen
    expect(ui.page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Clients", exact=True)).to_be_visible()
    expect(ui.page.get_by_role("button", name="Log out")).to_be_visible()

    ui.switch_locale("cs")
    expect(ui.page.get_by_role("button", name=ui.t("Log out"))).to_be_visible()

    ui.logout()
    assert ui.path().startswith("/login")
    expect(ui.page.get_by_role("alert")).to_have_text(ui.t("You have been logged out."))
    ui.goto("/admin/client/")  # the session is gone
    assert ui.path().startswith("/login")


def test_the_login_page_itself_switches_language(ui):
    ui.goto("/login")
    ui.switch_locale("en")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Poradna – log in")
    expect(ui.page.get_by_label("Password")).to_be_visible()


@pytest.mark.parametrize(("role", "path"), [
    ("reception", "/admin/audit/"),
    ("worker", "/admin/worker/"),
    ("manager", "/admin/topic/"),
    ("admin", "/admin/client/"),
])
def test_a_screen_the_role_may_not_see_is_a_403_page(ui, world, role, path):
    ui.login(getattr(world, role).email)
    response = ui.goto(path)
    assert response.status == 403
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(ui.t("You do not have access to this page."))
    ui.click(ui.page.get_by_role("link", name=ui.t("Back to the start page")))
    assert ui.path().rstrip("/") == "/admin"


def test_a_lookup_that_finds_nothing_says_so_inside_a_valid_listbox(ui, world):
    """select2 writes "No matches" (and "Searching…", "Loading more results…") as bare list items in
    its result listbox; poradna.js makes them disabled options as they appear, so axe passes."""
    ui.login(world.worker.email)
    ui.goto("/admin/appointment/new/")
    ui.page.locator("#s2id_client a.select2-choice").click()
    ui.page.locator("#select2-drop input.select2-input").press_sequentially("Zzqxw")
    message = ui.page.locator("#select2-drop li.select2-no-results")
    message.wait_for()
    expect(message).to_have_attribute("role", "option")
    ui.check("select2 list of client: no matches")
    # the "more results" line of a long list, added the way select2 adds it (no event follows)
    ui.page.evaluate("document.querySelector('#select2-drop ul.select2-results')"
                     ".insertAdjacentHTML('beforeend', '<li class=\"select2-more-results\">…</li>')")
    expect(ui.page.locator("#select2-drop li.select2-more-results")).to_have_attribute("aria-disabled", "true")
    ui.check("select2 list of client: more results")
