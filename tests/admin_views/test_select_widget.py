"""The widgets whose options and attributes templates write (admin_views/widgets.py) write what WTForms'
and Flask-Admin's own widgets write, and the model forms use them."""
from __future__ import annotations

from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_admin.form import Select2Widget
from flask_admin.model.fields import AjaxSelectField
from markupsafe import Markup
from wtforms import BooleanField, DateTimeLocalField, Form, HiddenField, IntegerField, PasswordField, SelectField, \
    SelectMultipleField, StringField, widgets
from wtforms.fields import SelectChoice, SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from admin_views.base import SecureModelView
from admin_views import widgets as template_widgets
from admin_views.widgets import TemplateSelect, TemplateSelect2


class _People:
    def __init__(self, pk, name):
        self.id, self.name = pk, name

    def __str__(self):
        return self.name


PEOPLE = [_People(1, 'Anna "Ann" <Nováková>'), _People(2, "Boris & Co")]


class _Form(Form):
    plain = SelectField(choices=[("a", "Alpha"), ("b", 'B "quoted" <b>'), ("c", "")], validators=[InputRequired()])
    grouped = SelectField(choices=[SelectChoice("cz", "Czechia", optgroup="Europe"), SelectChoice("ua", "Ukraine", optgroup="Europe"),
                                   SelectChoice("vn", "Vietnam", optgroup="Asia")])
    decorated = SelectField(choices=[SelectChoice("x", "With attributes", render_kw={"data_code": "x1", "disabled": True}),
                                     ("y", "Plain")])
    several = SelectMultipleField(choices=[("uk", "Ukrainian"), ("ru", "Russian"), ("vi", "Vietnamese")])
    person = QuerySelectField(query_factory=lambda: PEOPLE, get_pk=lambda p: p.id, allow_blank=True,
                              blank_text="— not given —")
    people = QuerySelectMultipleField(query_factory=lambda: PEOPLE, get_pk=lambda p: p.id)


def _form():
    return _Form(data={"plain": "b", "grouped": "ua", "decorated": "x", "several": ["uk", "vi"], "person": PEOPLE[1],
                       "people": [PEOPLE[0]]})


def test_the_template_writes_the_options_as_wtforms_and_flask_admin_do(app):
    with app.test_request_context():
        form = _form()
        pairs = [
            (form.plain, widgets.Select(), TemplateSelect()),
            (form.grouped, widgets.Select(), TemplateSelect()),
            (form.decorated, widgets.Select(), TemplateSelect()),
            (form.several, widgets.Select(multiple=True), TemplateSelect(multiple=True)),
            (form.person, Select2Widget(), TemplateSelect2()),
            (form.people, Select2Widget(multiple=True), TemplateSelect2(multiple=True)),
        ]
        for field, theirs, ours in pairs:
            for kwargs in ({}, {"class": "form-control", "data_placeholder": "x"}, {"disabled": True}):
                expected, written = theirs(field, **kwargs), ours(field, **kwargs)
                assert isinstance(written, Markup)
                assert written == expected, field.name
        assert '<option selected value="b">B &#34;quoted&#34; &lt;b&gt;</option>' in TemplateSelect()(form.plain)
        assert " required" in TemplateSelect()(form.plain)  # the field's flags, as WTForms writes them


def test_every_select_of_the_model_forms_writes_its_options_from_the_template(app):
    """The converter's query selects and the enum, code-list, country and language selects (an ajax lookup
    keeps Flask-Admin's own widget: it has no options on the page)."""
    checked = []
    with app.test_request_context():
        for view in app.extensions["admin"][0]._views:
            if not isinstance(view, SecureModelView):
                continue
            form_class = view.get_create_form()
            for name in dir(form_class):
                unbound = getattr(form_class, name, None)
                if not isinstance(unbound, UnboundField) or not issubclass(unbound.field_class, SelectFieldBase) \
                        or issubclass(unbound.field_class, AjaxSelectField):
                    continue
                widget = unbound.kwargs.get("widget") or unbound.field_class.widget
                assert isinstance(widget, TemplateSelect), (view.endpoint, name, type(widget))
                checked.append((view.endpoint, name))
    assert ("visit", "citizenship") in checked and ("appointment", "worker") in checked and ("visit", "topics") in checked


def test_country_and_language_options_follow_the_pages_language_each_time(client, login_as):
    """The code lists are kept per language: switching back and forth gives each page its own names, order
    and empty choice."""
    login_as("worker")
    for locale, country, language, blank in (("cs", "Ukrajina", "ukrajinština", "— neuvedeno —"),
                                             ("en", "Ukraine", "Ukrainian", "— not given —"),
                                             ("cs", "Ukrajina", "ukrajinština", "— neuvedeno —")):
        client.post("/locale", data={"locale": locale})
        page = client.get("/admin/visit/new/").get_data(as_text=True)
        assert f'<option value="UA">{country}</option>' in page, locale
        assert f'<option value="uk">{language}</option>' in page, locale
        assert f'<option selected value="">{blank}</option>' in page, locale


class _Inputs(Form):
    name = StringField(validators=[InputRequired(), Length(min=2, max=40)])
    note = StringField(validators=[Optional()], render_kw={"placeholder": 'a "quoted" <note>', "data_hint": "x & y"})
    minutes = IntegerField(validators=[NumberRange(min=0, max=1440)])
    urgent = BooleanField()
    quiet = BooleanField()
    secret = PasswordField()
    version = HiddenField()
    when = DateTimeLocalField(format="%Y-%m-%dT%H:%M")


def test_the_inputs_attributes_are_written_as_wtforms_writes_them(app):
    from datetime import datetime

    with app.test_request_context():
        form = _Inputs(data={"name": 'Anna "Ann" <N>', "note": "", "minutes": 35, "urgent": True, "quiet": False,
                             "secret": "s3cret", "version": 7, "when": datetime(2027, 3, 1, 9, 30)})
        for field in form:
            theirs = type(field.widget)()
            ours = template_widgets.template_widget_for(type(field))
            assert ours is not None and isinstance(ours, type(theirs)), field.name
            for kwargs in ({}, {"class": "form-control", "disabled": True, "readonly": False}, {"class_": "x", "aria_describedby": "h"}):
                assert ours(field, **kwargs) == theirs(field, **kwargs), (field.name, kwargs)
        assert 'value="Anna &#34;Ann&#34; &lt;N&gt;"' in template_widgets.TextInput()(form.name)
        assert " required" in template_widgets.TextInput()(form.name) and 'maxlength="40"' in template_widgets.TextInput()(form.name)


def test_the_model_forms_inputs_write_their_attributes_by_template(app):
    """Every input Flask-Admin's converter makes for a model form (text, number, date, time, check box, the
    record's version) uses the template-attribute widget."""
    kinds = set()
    with app.test_request_context():
        for view in app.extensions["admin"][0]._views:
            if not isinstance(view, SecureModelView):
                continue
            form_class = view.get_edit_form()
            for name in dir(form_class):
                unbound = getattr(form_class, name, None)
                if not isinstance(unbound, UnboundField):
                    continue
                widget = unbound.kwargs.get("widget") or unbound.field_class.widget
                if type(widget) in template_widgets.INPUTS:  # one of WTForms' own inputs left as it was
                    raise AssertionError((view.endpoint, name, type(widget)))
                if isinstance(widget, widgets.Input):
                    kinds.add(type(widget).__name__)
    assert {"TextInput", "NumberInput", "DateInput", "DateTimeLocalInput", "CheckboxInput", "HiddenInput"} <= kinds


def test_chosen_records_are_found_by_the_keys_the_options_carry(client, db, login_as):
    """The related records' selects write each option's key from the record's id (get_pk): what a form
    sends back is found again, one record or several."""
    from models import Visit
    from tests import factories
    from tests.conftest import count_rows

    me = login_as("worker")
    person = factories.make_client(worker=me)
    housing, work = factories.make_topic(label_cs="Bydlení"), factories.make_topic(label_cs="Práce")
    factories.make_topic(label_cs="Zdraví")
    db.session.commit()
    page = client.get("/admin/visit/new/").get_data(as_text=True)
    assert f'<option value="{housing.id}">Bydlení</option>' in page and f'<option selected value="{me.id}">' in page
    response = client.post("/admin/visit/new/", data={
        "occurred_at": factories.today_input(), "channel": "walk_in", "client": person.id, "worker": me.id,
        "topics": [housing.id, work.id], "minutes": "20"})
    assert response.status_code == 302 and count_rows(Visit) == 1
    visit = db.session.query(Visit).one()
    assert visit.worker_id == me.id and sorted(t.id for t in visit.topics) == sorted([housing.id, work.id])
    page = client.get(f"/admin/visit/edit/?id={visit.id}").get_data(as_text=True)
    assert f'<option selected value="{housing.id}">Bydlení</option>' in page
    assert f'<option selected value="{work.id}">Práce</option>' in page
