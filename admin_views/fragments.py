"""Parts of every back-office page that are the same for many requests, rendered once and kept.

The master template's main menu asked every screen whether the user may open it and built every
screen's link with ``url_for`` on each request; the script and style links built ~15 static URLs
the same way. What such a part shows depends only on what its key names, so it is rendered once per
key and served from memory afterwards. The response's CSP nonce is put back into the kept HTML on
every request (it is kept with a gap where the nonce goes).
"""
from __future__ import annotations

import threading

from flask import current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from services import access

#: a bound on the kept parts (keys are few: locales × role sets × screens); past it, start again
MAX_FRAGMENTS = 2048

_lock = threading.Lock()


def _store(per_url: bool = False) -> dict[tuple, tuple]:
    """This application's kept parts (tests run several applications in one process); parts kept per
    page address (many keys) in a store of their own, so that filling it does not drop the others."""
    name = "poradna_fragments_per_url" if per_url else "poradna_fragments"
    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions.setdefault(name, {})
    return store


def roles_key() -> frozenset:
    """What the menu's access answers depend on: every screen's ``is_accessible`` is
    ``access.can_open(current_user, screen)``, which looks only at the user's roles (none when the
    user is not signed in, inactive or without roles)."""
    return frozenset(access._roles(current_user))


#: where a kept part had the request's CSP nonce and CSRF token (characters no HTML of ours contains)
NONCE_MARK, TOKEN_MARK = "\x00nonce\x00", "\x00csrf\x00"


def cached_fragment(*key, caller, per_url=False):
    """The HTML of the ``{% call cached_fragment(key...) %}...{% endcall %}`` block, rendered once per
    ``key`` and per locale, URL root and CSRF setting (the block may contain the request's CSP nonce
    and CSRF token, which are put in afresh; nothing else of the request may be in it unless the key
    names it). ``per_url``: the key names the page's address (kept apart, see :func:`_store`)."""
    full_key = (str(get_locale()), request.script_root, bool(current_app.config.get("WTF_CSRF_ENABLED", True)), *key)
    fragments = _store(per_url)
    kept = fragments.get(full_key)
    if kept is None:
        html = str(caller())
        nonce, token = g.get("csp_nonce"), g.get("csrf_token")  # rendering the block may have made them
        if nonce:
            html = html.replace(nonce, NONCE_MARK)
        if token and len(token) >= 20:
            html = html.replace(token, TOKEN_MARK)
        kept = (html, NONCE_MARK in html, TOKEN_MARK in html)
        with _lock:
            if len(fragments) >= MAX_FRAGMENTS:
                fragments.clear()
            fragments[full_key] = kept
    html, has_nonce, has_token = kept
    if has_nonce:
        from security import csp_nonce

        html = html.replace(NONCE_MARK, csp_nonce())
    if has_token:
        from flask_wtf.csrf import generate_csrf

        html = html.replace(TOKEN_MARK, generate_csrf())
    return Markup(html)


class LazyTemplateModule:
    """``{% import name as x with context %}``, made when a macro of it is first used: a list page's
    imports serve the blocks it keeps (``cached_fragment``), and each import ran its template with the
    page's context on every request."""

    __slots__ = ("_context", "_name", "_module")

    def __init__(self, context, name: str):
        self._context, self._name, self._module = context, name, None

    def __getattr__(self, attribute: str):
        module = self._module
        if module is None:
            template = self._context.environment.get_template(self._name)
            module = self._module = template.make_module(self._context.get_all(), True)
        return getattr(module, attribute)


@pass_context
def lazy_import(context, name: str) -> LazyTemplateModule:
    """``{% set lib = lazy_import('admin/lib.html') %}``: see :class:`LazyTemplateModule`."""
    return LazyTemplateModule(context, name)


def request_translations(slot: str, find):
    """``find()`` (a Flask-Babel domain's ``get_translations``), kept for the rest of the request once
    found: it looked up the request context, the locale and its cache again for each of the ~200
    strings of a page. A locale forced within the request (``force_locale``) is noticed and the
    translations are looked up afresh."""
    ctx = g.get("_flask_babel")
    if ctx is not None:
        kept = getattr(ctx, slot, None)
        if kept is not None and kept[0] is getattr(ctx, "babel_locale", None):
            return kept[1]
    translations = find()
    ctx = g.get("_flask_babel")
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        setattr(ctx, slot, (ctx.babel_locale, translations))
    return translations


def admin_gettext(string: str, **variables) -> str:
    """Flask-Admin's ``_gettext`` of its templates (``flask_admin.babel.gettext``) on the request's
    kept translations."""
    from flask_admin.babel import domain

    text = request_translations("poradna_admin_translations", domain.get_translations).ugettext(string)
    return text if not variables else text % variables


def admin_ngettext(singular: str, plural: str, num: int, **variables) -> str:
    from flask_admin.babel import domain

    variables.setdefault("num", num)
    text = request_translations("poradna_admin_translations", domain.get_translations).ungettext(singular, plural, num)
    return text if not variables else text % variables


def clear() -> None:
    with _lock:
        _store().clear()


class WTFormsTranslations:
    """WTForms' own messages ("Not a valid choice", "This field is required.") in the user's language:
    WTForms' catalog with the project's natural wording over it (translations/*/LC_MESSAGES/wtforms.po:
    WTForms' Czech lacks the plural for five and more characters and says "mezi 0 and 1440").

    Flask-WTF reads and parses WTForms' catalog from disk for every request that builds a form (a list
    page builds its delete form on each request); the catalogs are the same for every request, so
    they are read once per locale and kept."""

    _catalogs: dict[str, object] = {}

    def _get(self):
        from wtforms.i18n import messages_path

        from admin_views import catalogs

        locale = get_locale()
        key = str(locale)
        catalog = self._catalogs.get(key)
        if catalog is None:
            catalog = self._catalogs[key] = catalogs.layered_catalog([messages_path(), catalogs.project_dir()], locale, "wtforms")
        return catalog

    def gettext(self, string):
        return self._get().ugettext(string)

    def ngettext(self, singular, plural, n):
        return self._get().ungettext(singular, plural, n)


wtforms_translations = WTFormsTranslations()


# --- choices read from the database -----------------------------------------------------------
# The lists' filters offer the staff, the public offices and the topics to choose from; every list
# page read them again (a query and ~1 ms). They change a few times a year: they are kept for
# CHOICES_TTL seconds, and dropped at once when this process writes a worker, an office or a topic
# (another process sees such a change within CHOICES_TTL).

#: seconds a process keeps choices read from the database
CHOICES_TTL = 30.0

_choices_version = 0


def kept(key: tuple, read):
    """``read()``, kept per process, locale and ``key`` for :data:`CHOICES_TTL` seconds, and read again
    at once after this process changes a worker, an office or a topic."""
    import time

    store = current_app.extensions.setdefault("poradna_kept_choices", {})
    full_key = (str(get_locale()), *key)
    entry = store.get(full_key)
    now = time.monotonic()
    if entry is not None and entry[0] == _choices_version and now - entry[1] < CHOICES_TTL:
        return entry[2]
    version = _choices_version
    value = read()
    with _lock:
        if len(store) >= MAX_FRAGMENTS:
            store.clear()
        store[full_key] = (version, now, value)
    return value


def forget_choices() -> None:
    """Read choices afresh from now on (after the rows changed behind the ORM's back: a bulk load, a
    test emptying the tables)."""
    global _choices_version
    _choices_version += 1


def choices_version() -> int:
    """Raised whenever this process flushes a change to a row that choices are read from."""
    return _choices_version


def _watch_choice_tables() -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from models import PublicOffice, Topic, Worker

    watched = (Worker, PublicOffice, Topic)

    @sa.event.listens_for(Session, "after_flush")
    def _after_flush(session, flush_context):
        global _choices_version
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, watched):
                _choices_version += 1
                session.info["poradna_choices_changed"] = True
                return

    @sa.event.listens_for(Session, "after_transaction_end")
    def _after_transaction_end(session, transaction):
        global _choices_version
        # committed or rolled back: what was read within the transaction may now be wrong either way
        if transaction.parent is None and session.info.pop("poradna_choices_changed", False):
            _choices_version += 1


_watch_choice_tables()


# --- lists longer than they count ----------------------------------------------------------------
# A list counts its rows up to COUNT_CAP and then says "more than 10 000" (admin_views.base). Finding
# that out again on every page of a long list read 10 001 index entries per request (about 1 ms on
# PostgreSQL, more than the page's own rows). A list found longer than the cap is remembered as such
# for OVER_CAP_TTL seconds per screen, user, filters and search; the page's rows are always read
# afresh. Deleting rows in this process forgets all of it at once (another process, or a bulk
# delete outside the ORM, at most OVER_CAP_TTL seconds later); a count under the cap is never kept.

#: seconds a process remembers that a list has more rows than it counts
OVER_CAP_TTL = 30.0

_deletions = 0


def over_cap(key: tuple) -> bool:
    """Whether the list ``key`` was found longer than the cap within the last :data:`OVER_CAP_TTL`
    seconds, with no rows deleted by this process since."""
    import time

    entry = current_app.extensions.get("poradna_over_cap", {}).get(key)
    return entry is not None and entry[0] == _deletions and time.monotonic() - entry[1] < OVER_CAP_TTL


def remember_over_cap(key: tuple) -> None:
    import time

    store = current_app.extensions.setdefault("poradna_over_cap", {})
    with _lock:
        if len(store) >= MAX_FRAGMENTS:
            store.clear()
        store[key] = (_deletions, time.monotonic())


def forget_counts() -> None:
    """Count every list afresh from now on (rows went behind the ORM's back: a test emptying tables)."""
    global _deletions
    _deletions += 1


def _watch_deletions() -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    @sa.event.listens_for(Session, "after_flush")
    def _after_flush(session, flush_context):
        if session.deleted:
            forget_counts()

    @sa.event.listens_for(Session, "do_orm_execute")
    def _on_execute(orm_execute_state):
        if orm_execute_state.is_delete:  # session.execute(delete(Model)...), query.delete()
            forget_counts()


_watch_deletions()
