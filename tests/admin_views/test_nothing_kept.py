"""Nothing derived from a request outlives it: after searches for a name and a phone number (the list,
the desk, a form's client lookup), no object of the process holds either (the issue's privacy promise:
searches by name or phone stay out of the logs, and out of memory too)."""
from __future__ import annotations

import gc
import random
import urllib.parse
from collections import deque

from tests import factories


def _holders(needles: tuple[str, ...], skip: set[int]) -> list[str]:
    """What kind of object, among everything the collector tracks, holds a text containing a needle."""
    def holds(value) -> bool:
        if isinstance(value, str):
            return any(needle in value for needle in needles)
        if isinstance(value, (bytes, bytearray)):
            return any(needle.encode() in value for needle in needles)
        return False

    found = []
    for obj in gc.get_objects():
        if id(obj) in skip:
            continue
        try:
            if isinstance(obj, dict):
                items = [*obj.keys(), *obj.values()]
            elif isinstance(obj, (list, tuple, set, frozenset, deque)):
                items = list(obj)
            else:
                attributes = getattr(obj, "__dict__", None)
                items = [*attributes.keys(), *attributes.values()] if isinstance(attributes, dict) else []
        except Exception:  # an object that refuses to be looked at holds nothing we put there
            continue
        held = [item for item in items if holds(item)]
        if held:  # what it is and what it holds (the text around the needle), to tell a leak from a chance match
            found.append(f"{type(obj).__module__}.{type(obj).__qualname__}: {_around(held[0], needles)}")
    return found


def _around(value, needles: tuple[str, ...]) -> str:
    text = value.decode(errors="replace") if isinstance(value, (bytes, bytearray)) else value
    at = max((text.find(needle) for needle in needles), default=0)
    return repr(text[max(0, at - 40):at + 60])


def _unheard_of(make, skip: set[int]) -> str:
    """A random text that no object of the process holds yet: six random digits can occur by chance in
    what earlier tests left (a timestamp's microseconds), which would be no leak of this test's search."""
    for _ in range(20):
        text = make()
        needles = (text,)
        if not _holders(needles, skip | {id(needles)}):
            return text
    raise AssertionError("no unused random text found")


def test_a_searched_name_and_phone_are_nowhere_in_memory_after_the_requests(app, client, db, login_as):
    # made at run time, so that no constant of this module holds them
    name = "Zq" + "".join(random.choice("bcdfghjklmnprstvz") for _ in range(9))
    digits = _unheard_of(lambda: "".join(random.choice("0123456789") for _ in range(6)), set())
    phone = f"+420 777 {digits[:3]} {digits[3:]}"
    login_as("manager", "worker")
    factories.make_client(first_name="Olena", last_name=name.title(), phone=phone)
    db.session.commit()
    for url in (f"/admin/client/?search={name}", f"/admin/client/?search=777{digits}", f"/admin/?q={name}",
                f"/admin/?q=777+{digits[:3]}+{digits[3:]}", f"/admin/appointment/?search={name}",
                f"/admin/visit/?search=777{digits}", f"/admin/appointment/ajax/lookup/?name=client&query={name}"):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.startswith("/admin/client/"):
            assert name.title() in response.get_data(as_text=True)  # found, and shown
        response.close()
        del response
    # Flask-Admin's search over a list's columns (the audit trail's client codes), a form's lookup of
    # another record (a task's agreement, by its client's code), a list's filters, and the registration form's check
    # for possible duplicates (the typed name and phone number against every client)
    views = {view.endpoint: view for view in app.extensions["admin"][0]._views}
    like = next(i for i, f in enumerate(views["audit"]._filters)
                if getattr(f.column, "key", "") == "client_code" and type(f).__name__ == "FilterLike")
    equal = next(i for i, f in enumerate(views["client"]._filters)
                 if getattr(f.column, "key", "") == "district" and type(f).__name__ == "FilterEqual")
    for url in (f"/admin/audit/?search={name}", f"/admin/task/ajax/lookup/?name=agreement&query={name}",
                f"/admin/audit/?flt0_{like}={name}", f"/admin/client/?flt0_{equal}={name}"):  # a list's filters
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
        del response
    response = client.post("/admin/client/new/", data={"status": "interested", "first_name": "Olena", "last_name": name.title(),
                                                       "phone": phone, "birth_year": "", "citizenship": ""})
    assert response.status_code == 200 and "confirm_new" in response.get_data(as_text=True)  # the duplicate found
    response.close()
    del response
    db.session.remove()
    urllib.parse.clear_cache()  # the standard library's own cache of parsed addresses
    gc.collect()
    needles = (name, name.title(), name.lower(), digits)
    assert _holders(needles, skip={id(needles)}) == []
