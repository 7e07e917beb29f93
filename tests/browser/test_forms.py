"""Forms laid out for the task: registering a client in sections with short fields side by side (one under
another on a narrow screen) and a searchable multi-select of languages; a refusal keeps every value and
shows the error at its field; the details page grouped the same way. Run in Czech and in English, on a
desktop and on a phone's width.
"""
from __future__ import annotations

import pytest

from tests.browser.ui import expect

PEOPLE = {("cs", "desktop"): ("Oleh", "Savčuk", "1979"), ("en", "desktop"): ("Farida", "Nazarová", "1993"),
          ("cs", "narrow"): ("Taras", "Melnyk", "1985")}
LANGUAGE = {"cs": ("ukraj", "ukrajinština"), "en": ("Ukrain", "Ukrainian")}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "narrow": {"width": 390, "height": 844}}


def _boxes(form, ui, *labels):
    return [form.get_by_label(ui.t(label), exact=True).bounding_box() for label in labels]


def _expect_side_by_side(form, ui, *labels):
    """The fields on one line, left to right in this order."""
    boxes = _boxes(form, ui, *labels)
    assert all(abs(box["y"] - boxes[0]["y"]) < 2 for box in boxes), (labels, boxes)
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes), (labels, boxes)


def _expect_one_under_another(form, ui, *labels):
    """The fields in one column, top to bottom in this order, each as wide as the form."""
    boxes = _boxes(form, ui, *labels)
    assert all(abs(box["x"] - boxes[0]["x"]) < 2 for box in boxes), (labels, boxes)
    assert all(upper["y"] + upper["height"] <= lower["y"] for upper, lower in zip(boxes, boxes[1:])), (labels, boxes)


@pytest.mark.parametrize("locale, screen", [("cs", "desktop"), ("en", "desktop"), ("cs", "narrow")])
def test_register_a_client_in_sections(ui, world, locale, screen):
    first, last, year = PEOPLE[locale, screen]
    ui.page.set_viewport_size(VIEWPORTS[screen])
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
    # short fields side by side on a desktop, one under another on a phone, never wider than the screen
    rows = [("First name", "Last name", "Alias"), ("Year of birth", "Date of birth", "Sex"), ("Phone", "Email"),
            ("Citizenship", "Residence status")]
    for labels in rows:
        (_expect_side_by_side if screen == "desktop" else _expect_one_under_another)(form, ui, *labels)
    assert ui.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # a year of birth out of range: refused, the message at the year, everything typed kept
    form.get_by_label(ui.t("First name")).fill(first)
    form.get_by_label(ui.t("Last name")).fill(last)
    form.get_by_label(ui.t("Year of birth")).fill("1850")
    form.get_by_label(ui.t("Sex")).select_option("male")
    form.get_by_label(ui.t("Phone")).fill("+420 777 123 456")
    form.get_by_label(ui.t("Email"), exact=True).fill(f"{first.lower()}@example.org")
    form.get_by_label(ui.t("Citizenship")).select_option("UA")
    ui.check("the registration form filled in")
    ui.save()
    message = ui.t("Enter a year of birth between 1900 and this year.")
    year_field = form.get_by_label(ui.t("Year of birth"))
    expect(year_field).to_have_attribute("aria-invalid", "true")
    expect(year_field).to_have_accessible_description(message)
    expect(ui.page.locator("#birth_year ~ .invalid-feedback")).to_have_text(message)  # right after the field
    expect(form.get_by_label(ui.t("First name"))).to_have_value(first)
    expect(form.get_by_label(ui.t("Last name"))).to_have_value(last)
    expect(form.get_by_label(ui.t("Sex"))).to_have_value("male")
    expect(form.get_by_label(ui.t("Phone"))).to_have_value("+420 777 123 456")
    expect(form.get_by_label(ui.t("Citizenship"))).to_have_value("UA")
    (_expect_side_by_side if screen == "desktop" else _expect_one_under_another)(
        form, ui, "Year of birth", "Date of birth", "Sex")  # the message in the year's column keeps the row

    form.get_by_label(ui.t("Year of birth")).fill(year)
    term, language = LANGUAGE[locale]
    ui.select2("languages", term, language)  # a searchable multi-select, not a Ctrl-click list
    ui.select2("languages", "rus" if locale == "cs" else "Russ", "ruština" if locale == "cs" else "Russian")
    ui.check("the registration form corrected")
    ui.save()
    expect(ui.flash().first).to_contain_text(ui.ta("Record was successfully created."))

    # the details page: the same groups
    groups = ui.page.locator(".poradna-details-group h2")
    expect(groups.first).to_have_text(ui.t("Record"))
    expect(ui.page.locator(".poradna-details-group").filter(has_text=ui.t("Situation"))).to_contain_text(language)
    expect(ui.detail(ui.t("Last name"))).to_have_text(last)
    expect(ui.detail(ui.t("Languages"))).to_contain_text(language)
