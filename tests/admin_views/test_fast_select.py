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


def test_selects_on_kept_factories_render_as_flask_admin_does_and_follow_changes(app, db):
    """Staff, office and topic selects show ids and labels kept per process (admin_views.fields.kept_choices):
    the same HTML as Flask-Admin's widget, no query on a second form, a new worker at once."""
    import sqlalchemy as sa

    from admin_views.common import active_topics, social_workers

    people = [factories.make_worker(full_name=name) for name in ("Eva <Nová>", "Adam & Co", "Zita")]
    topics = [factories.make_topic() for _ in range(3)]
    db.session.commit()
    with app.test_request_context():
        for allow_blank in (False, True):
            fast, slow = _pair(QuerySelectField, FastSelect2(), Select2Widget(), allow_blank=allow_blank, blank_text="—",
                               query_factory=social_workers)
            for chosen in (None, people[1], people[2]):
                assert str(fast(data={"f": chosen}).f()) == str(slow(data={"f": chosen}).f())
        fast, slow = _pair(QuerySelectMultipleField, FastSelect2(multiple=True), Select2Widget(multiple=True),
                           query_factory=active_topics)
        for chosen in ([], topics[::2]):
            assert str(fast(data={"f": chosen}).f()) == str(slow(data={"f": chosen}).f())

        statements = []
        listener = lambda *args, **kwargs: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            fast, _slow = _pair(QuerySelectField, FastSelect2(), Select2Widget(), query_factory=social_workers)
            fast(data={"f": people[0]}).f()
            assert statements == []  # kept: no query for the options
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

        newcomer = factories.make_worker(full_name="Nela Nováčková")
        db.session.commit()
        html = str(fast(data={"f": newcomer}).f())
        assert f'selected value="{newcomer.id}">Nela Nováčková</option>' in html
        people[2].active = False
        db.session.commit()
        assert "Zita" not in str(fast(data={"f": None}).f())


def test_a_submitted_choice_is_checked_against_the_rows_read_afresh(app, db):
    import sqlalchemy as sa
    from werkzeug.datastructures import MultiDict

    from admin_views.common import social_workers

    leaving = factories.make_worker(full_name="Odchází Brzy")
    db.session.commit()
    with app.test_request_context():
        fast, _slow = _pair(QuerySelectField, FastSelect2(), Select2Widget(), query_factory=social_workers)
        assert "Odchází Brzy" in str(fast(data={"f": None}).f())  # kept now
        # deactivated by another process: this one keeps showing the choice for a while ...
        db.session.execute(sa.update(Worker).where(Worker.id == leaving.id).values(active=False))
        db.session.commit()
        assert "Odchází Brzy" in str(fast(data={"f": None}).f())
        # ... but a form that chooses it is checked against the workers read afresh
        form = fast(formdata=MultiDict({"f": str(leaving.id)}))
        assert not form.validate() and form.f.errors
