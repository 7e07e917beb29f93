"""The edit forms' fast selects write the same HTML as WTForms' and Flask-Admin's own widgets."""
from __future__ import annotations

import pytest
from flask_admin.contrib.sqla.fields import QuerySelectField, QuerySelectMultipleField
from flask_admin.form import Select2Widget
from wtforms import Form, fields, widgets

from admin_views.fields import FastSelect, FastSelect2
from models import Topic, Worker
from tests import factories


def _pair(field_class, fast, slow, **kwargs):
    class FastForm(Form):
        f = field_class(widget=fast, **kwargs)

    class SlowForm(Form):
        f = field_class(widget=slow, **kwargs)

    return FastForm, SlowForm


@pytest.mark.parametrize("multiple", [False, True])
@pytest.mark.parametrize("data", [None, "b", ["a", "c"], "<x>"])
def test_plain_choices_render_as_wtforms_does(app, multiple, data):
    field_class = fields.SelectMultipleField if multiple else fields.SelectField
    choices = [("a", "Á <b>"), ("b", "B & co"), ("c", ""), ("<x>", None)]
    fast, slow = _pair(field_class, FastSelect(multiple=multiple), widgets.Select(multiple=multiple), choices=choices)
    with app.test_request_context():
        value = (data if isinstance(data, list) else [data]) if multiple else data
        if isinstance(value, list):
            value = [v for v in value if v is not None]
        assert str(fast(data={"f": value}).f()) == str(slow(data={"f": value}).f())
        assert str(fast(data={"f": value}).f(class_="form-control", required=True)) == \
            str(slow(data={"f": value}).f(class_="form-control", required=True))


def test_query_selects_render_as_flask_admin_does(app, db):
    people = [factories.make_worker(full_name=name) for name in ("Eva <Nová>", "Adam & Co", "Zita")]
    topics = [factories.make_topic() for _ in range(3)]
    db.session.commit()
    with app.test_request_context():
        for allow_blank in (False, True):
            fast, slow = _pair(QuerySelectField, FastSelect2(), Select2Widget(), allow_blank=allow_blank, blank_text="—",
                               query_factory=lambda: db.session.query(Worker).order_by(Worker.id),
                               get_label="full_name")
            for chosen in (None, people[1]):
                assert str(fast(data={"f": chosen}).f()) == str(slow(data={"f": chosen}).f())
            assert f'selected value="{people[1].id}"' in str(fast(data={"f": people[1]}).f())
        fast, slow = _pair(QuerySelectMultipleField, FastSelect2(multiple=True), Select2Widget(multiple=True),
                           query_factory=lambda: db.session.query(Topic).order_by(Topic.id))
        for chosen in ([], topics[::2]):
            assert str(fast(data={"f": chosen}).f()) == str(slow(data={"f": chosen}).f())
        assert str(fast(data={"f": topics[::2]}).f()).count("selected") == 2
