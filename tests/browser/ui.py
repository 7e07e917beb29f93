"""A browser session for the journeys: navigation that waits for each new page to be checked by
axe-core, translated texts, and small helpers for Flask-Admin's forms.

Every top-level document the browser loads gets axe-core (injected as an init script; the
context bypasses CSP) and runs the WCAG 2.1 A/AA rules once it has loaded; the result comes
back through a binding. Navigation helpers wait for that result and fail on any serious or
critical violation, so the screenshot shows the offending page. At the end of a test every page
that started loading must have been checked.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAIL_IMPACTS = ("serious", "critical")

_AXE_RUNNER = """
(() => {
  if (window !== window.top || !location.protocol.startsWith('http')) return;
  const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  Object.defineProperty(window, '__poradnaDocId', {value: id});
  window.__poradnaAxeDone = false;
  window.__poradnaAxeReport({phase: 'start', id: id, url: location.href});
  const run = () => setTimeout(async () => {
    let payload;
    try {
      const results = await window.axe.run(document, {
        runOnly: {type: 'tag', values: %(tags)s}, resultTypes: ['violations'],
      });
      payload = {phase: 'done', id: id, url: location.href, violations: results.violations};
    } catch (e) {
      payload = {phase: 'done', id: id, url: location.href, error: String(e)};
    }
    await window.__poradnaAxeReport(payload);
    window.__poradnaAxeDone = true;
  }, 0);
  // wait for the page's own scripts to finish (static/poradna.js marks the page ready), at most 5 s
  const whenReady = () => {
    const html = document.documentElement;
    if (!document.querySelector('script[src*="poradna.js"]') || html.hasAttribute('data-poradna-ready')) return run();
    const observer = new MutationObserver(() => {
      if (html.hasAttribute('data-poradna-ready')) { observer.disconnect(); clearTimeout(timer); run(); }
    });
    const timer = setTimeout(() => { observer.disconnect(); run(); }, 5000);
    observer.observe(html, {attributes: true, attributeFilter: ['data-poradna-ready']});
  };
  if (document.readyState === 'complete') whenReady(); else window.addEventListener('load', whenReady, {once: true});
})();
""" % {"tags": json.dumps(AXE_TAGS)}

_AXE_NOW = """
async (tags) => (await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations
"""


def expect(*args, **kwargs):
    """Playwright's ``expect``, imported when used: without playwright the tests are skipped, not broken."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


class AccessibilityError(AssertionError):
    pass


def describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found serious or critical WCAG 2.1 A/AA violations on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    at {node.get('target')}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in FAIL_IMPACTS]


class UI:
    """One browser context and page, logged out, in Czech until told otherwise."""

    def __init__(self, context, server, axe_source: str):
        self.context = context
        self.server = server
        self.base = server.url
        self.locale = "cs"
        self.started: dict[str, str] = {}
        self.reports: dict[str, dict] = {}
        self.checked_urls: list[str] = []
        self.js_errors: list[str] = []
        self.server_errors: list[str] = []
        context.expose_binding("__poradnaAxeReport", self._on_report)
        context.add_init_script(script=axe_source)
        context.add_init_script(script=_AXE_RUNNER)
        self.page = context.new_page()
        self.page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
        self.page.on("response", self._on_response)

    # --- axe ----------------------------------------------------------------------------------
    def _on_report(self, source, payload):
        if payload.get("phase") == "start":
            self.started[payload["id"]] = payload["url"]
        else:
            self.reports[payload["id"]] = payload

    def _on_response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def _doc_id(self) -> str | None:
        return self.page.evaluate("() => window.__poradnaDocId || null")

    def _wait_checked(self, previous: str | None) -> dict:
        self.page.wait_for_function(
            "prev => window.__poradnaAxeDone === true && window.__poradnaDocId !== prev", arg=previous,
        )
        doc = self._doc_id()
        report = self.reports[doc]
        self.checked_urls.append(report["url"])
        if report.get("error"):
            raise AccessibilityError(f"axe-core could not check {report['url']}: {report['error']}")
        found = serious(report.get("violations", []))
        if found:
            raise AccessibilityError(describe_violations(report["url"], found))
        self._raise_page_errors()
        return report

    def _raise_page_errors(self):
        if self.js_errors:
            raise AssertionError(f"JavaScript errors on {self.page.url}: {self.js_errors}")
        if self.server_errors:
            raise AssertionError(f"server errors: {self.server_errors}")

    def check(self, what: str = "") -> None:
        """Run axe-core on the page as it is now (an open dropdown, a form after typing)."""
        found = serious(self.page.evaluate(_AXE_NOW, AXE_TAGS))
        if found:
            raise AccessibilityError(describe_violations(f"{self.page.url} ({what})", found))

    def unchecked_pages(self) -> list[str]:
        """Problems left at the end of a test: pages never checked, script or server errors."""
        problems = []
        if self.started and self.page.url.startswith("http"):
            try:
                self.page.wait_for_function("() => window.__poradnaAxeDone === true", timeout=10_000)
            except Exception as exc:  # reported below as an unchecked page
                problems.append(f"the last page was not checked: {exc}")
        for doc, url in self.started.items():
            if doc not in self.reports:
                problems.append(f"{url} was left before axe-core had checked it (use ui.navigation())")
            elif serious(self.reports[doc].get("violations", [])):
                problems.append(describe_violations(url, serious(self.reports[doc]["violations"])))
        if self.js_errors:
            problems.append(f"JavaScript errors: {self.js_errors}")
        if self.server_errors:
            problems.append(f"server errors: {self.server_errors}")
        return problems

    # --- navigation ---------------------------------------------------------------------------
    @contextmanager
    def navigation(self):
        """Wrap an action that loads a new page; waits until that page has been checked."""
        previous = self._doc_id() if self.page.url.startswith("http") else None
        yield
        self._wait_checked(previous)

    def goto(self, path: str):
        """Open ``path`` and wait for the page's check; returns the HTTP response."""
        with self.navigation():
            response = self.page.goto(self.base + path)
        return response

    def click(self, locator):
        """Click something that loads a new page."""
        with self.navigation():
            locator.click()

    def path(self) -> str:
        url = self.page.url
        return url[len(self.base):] if url.startswith(self.base) else url

    # --- texts --------------------------------------------------------------------------------
    def t(self, msgid: str, **variables) -> str:
        """``msgid`` as the application shows it in the current locale."""
        from flask_babel import force_locale, gettext

        with self.server.app.test_request_context(), force_locale(self.locale):
            return gettext(msgid, **variables)

    def tn(self, singular: str, plural: str, num: int, **variables) -> str:
        """A plural message as the application shows it in the current locale."""
        from flask_babel import force_locale, ngettext

        with self.server.app.test_request_context(), force_locale(self.locale):
            return ngettext(singular, plural, num, **variables)

    def ta(self, msgid: str, **variables) -> str:
        """A Flask-Admin string (its own catalog) in the current locale."""
        from flask_babel import force_locale

        from flask_admin.babel import gettext

        with self.server.app.test_request_context(), force_locale(self.locale):
            return gettext(msgid, **variables)

    def tw(self, msgid: str) -> str:
        """A WTForms validation message in the current locale."""
        from wtforms.i18n import get_translations

        return get_translations([self.locale]).gettext(msgid)

    def title(self, enum_member) -> str:
        from flask_babel import force_locale

        with self.server.app.test_request_context(), force_locale(self.locale):
            return enum_member.title

    # --- common steps ---------------------------------------------------------------------------
    def login(self, email: str, password: str | None = None):
        from tests.browser.world import PASSWORD

        if not self.path().startswith("/login"):
            self.goto("/login")
        self.page.get_by_label(self.t("Email")).fill(email)
        self.page.get_by_label(self.t("Password")).fill(password or PASSWORD)
        self.click(self.page.get_by_role("button", name=self.t("Log in")))

    def logout(self):
        self.click(self.page.get_by_role("button", name=self.t("Log out")))

    def switch_locale(self, locale: str):
        label = "English" if locale == "en" else "Čeština"
        self.click(self.page.get_by_role("button", name=label))
        self.locale = locale
        assert self.page.locator("html").get_attribute("lang") == locale

    def menu(self, name: str):
        """Open a back-office screen from the top menu, opening its dropdown if it sits in one."""
        nav = self.page.get_by_role("navigation", name=self.t("Main menu"))
        link = nav.get_by_role("link", name=self.t(name), exact=True)
        if not link.is_visible():  # the page has loaded: a link in a closed dropdown is hidden
            inner = self.page.get_by_role("link", name=self.t(name), exact=True, include_hidden=True)
            nav.locator("li.dropdown").filter(has=inner).locator(".dropdown-toggle").first.click()
        self.click(link)

    def screenshot(self, name: str) -> None:
        """A picture for the README's tour (``make screenshots``): with ``PORADNA_SCREENSHOTS=DIR`` set,
        the page as it is now is saved as ``DIR/NAME.png`` (the window, not the whole page: small
        files), taken from the Czech run of a journey (the interface's default language)."""
        import os
        from pathlib import Path

        folder = os.environ.get("PORADNA_SCREENSHOTS")
        if not folder or self.locale != "cs":
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        self.page.mouse.move(0, 0)  # no hover highlight in the picture
        self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False, animations="disabled",
                             caret="hide", scale="css")

    def flash(self):
        return self.page.locator("main .alert")

    def select2(self, field_id: str, term: str, choice: str):
        """Choose ``choice`` in a select2 field (a plain list or an ajax lookup) by typing ``term``."""
        container = self.page.locator(f"#s2id_{field_id}")
        multiple = "select2-container-multi" in (container.get_attribute("class") or "")
        if multiple:
            search = container.locator("input.select2-input")
            search.click()
        else:
            container.locator("a.select2-choice").click()
            search = self.page.locator("#select2-drop input.select2-input")
        search.press_sequentially(term)
        result = self.page.locator("#select2-drop li.select2-result-selectable", has_text=choice).first
        result.wait_for()
        self.check(f"select2 list of {field_id} open")
        result.click()
        chosen = container.locator(".select2-search-choice" if multiple else ".select2-chosen", has_text=choice)
        chosen.first.wait_for()

    def detail(self, label: str):
        """The value cell of the row labelled ``label`` on a details page."""
        exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
        row = self.page.locator("table.searchable tr").filter(has=self.page.locator("td:first-child", has_text=exact))
        return row.locator("td").nth(1)

    def fact(self, label: str):
        """The value (``dd``) of the term ``label`` in a description list, as on the case file."""
        exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
        return self.page.locator("main dl dt").filter(has_text=exact).first.locator("xpath=following-sibling::dd[1]")

    def save(self, name: str = "Save"):
        """Press a Flask-Admin form button (Save by default) and wait for the next page."""
        self.click(self.page.get_by_role("button", name=self.ta(name), exact=True))

    def search_list(self, text: str):
        """Search a Flask-Admin list."""
        box = self.page.get_by_role("search").locator("input[name=search]")
        box.fill(text)
        with self.navigation():
            box.press("Enter")
