"""Forms laid out for the task: registering a client in sections with short fields side by side and a
searchable multi-select of languages; the details page grouped the same way. Run in Czech and in English.
"""
from __future__ import annotations

import pytest

from tests.browser.ui import expect

PEOPLE = {"cs": ("Oleh", "Savčuk", "1979"), "en": ("Farida", "Nazarová", "1993")}
LANGUAGE = {"cs": ("ukraj", "ukrajinština"), "en": ("Ukrain", "Ukrainian")}


@pytest.mark.parametrize("locale", ["cs", "en"])
def test_register_a_client_in_sections(ui, world, locale):
    first, last, year = PEOPLE[locale]
    ui.goto("/login")
    if locale == "en":
        ui.switch_locale("en")
    ui.login(world.reception.email)
    ui.goto("/admin/client/new/")
    form = ui.page.locator("form.admin-form")
    headings = form.locator("h3")
    expect(headings).to_have_text([ui.t("Who the person is (all optional)"), ui.t("Contact"), ui.t("Situation"),
                                   ui.t("Social worker"), ui.t("Keeping the record")])
    # "anonymous" first
    first_field = form.locator("input:not([type=hidden]), select, textarea").first
    expect(first_field).to_have_attribute("name", "is_anonymous")

    form.get_by_label(ui.t("First name")).fill(first)
    form.get_by_label(ui.t("Last name")).fill(last)
    form.get_by_label(ui.t("Year of birth")).fill(year)
    form.get_by_label(ui.t("Citizenship")).select_option("UA")
    term, language = LANGUAGE[locale]
    ui.select2("languages", term, language)  # a searchable multi-select, not a Ctrl-click list
    ui.select2("languages", "rus" if locale == "cs" else "Russ", "ruština" if locale == "cs" else "Russian")
    ui.check("the registration form filled in")
    ui.save()
    expect(ui.flash().first).to_contain_text(ui.ta("Record was successfully created."))

    # the details page: the same groups
    groups = ui.page.locator(".poradna-details-group h2")
    expect(groups.first).to_have_text(ui.t("Record"))
    expect(ui.page.locator(".poradna-details-group").filter(has_text=ui.t("Situation"))).to_contain_text(language)
    expect(ui.detail(ui.t("Last name"))).to_have_text(last)
    expect(ui.detail(ui.t("Languages"))).to_contain_text(language)
