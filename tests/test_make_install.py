"""`make test` on a machine with Chromium and npm runs the browser tests (issue 19): `make install-test`
installs axe-core from the lock file with `npm ci` when npm is there, and the browser tests are skipped,
with the reason, only where Chromium is missing."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCKED = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/axe-core"]["version"]

FAKE_NPM = """#!/bin/bash
echo "$@" >> "$NPM_CALLS"
mkdir -p node_modules/axe-core
echo '/* axe */' > node_modules/axe-core/axe.min.js
echo '{"version": "%s"}' > node_modules/axe-core/package.json
""" % LOCKED


@pytest.fixture()
def checkout(tmp_path):
    for name in ("Makefile", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _make(folder: Path, path: str, calls: Path) -> subprocess.CompletedProcess:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {"PATH": path, "NPM_CALLS": str(calls), "HOME": str(folder)}
    return subprocess.run([make, "-s", "node-modules", f"PY={sys.executable}"], cwd=folder, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=60)


def test_install_test_runs_npm_ci_from_the_lock_file_when_needed(checkout, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM)
    npm.chmod(0o755)
    calls = tmp_path / "calls.txt"
    first = _make(checkout, f"{bin_dir}:/usr/bin:/bin", calls)
    assert first.returncode == 0, first.stderr
    assert calls.read_text().split()[0] == "ci"
    assert (checkout / "node_modules" / "axe-core" / "axe.min.js").exists()
    again = _make(checkout, f"{bin_dir}:/usr/bin:/bin", calls)  # installed and matching the lock: nothing to do
    assert again.returncode == 0 and len(calls.read_text().splitlines()) == 1
    (checkout / "node_modules" / "axe-core" / "package.json").write_text('{"version": "0.0.1"}')
    _make(checkout, f"{bin_dir}:/usr/bin:/bin", calls)  # another version: installed again from the lock
    assert len(calls.read_text().splitlines()) == 2


def test_without_npm_install_test_says_what_is_missing_and_goes_on(checkout, tmp_path):
    empty = tmp_path / "no-npm"
    empty.mkdir()
    result = _make(checkout, str(empty), tmp_path / "calls.txt")
    assert result.returncode == 0
    assert "npm not found" in result.stdout and not (checkout / "node_modules").exists()


def test_install_test_includes_node_modules():
    makefile = (ROOT / "Makefile").read_text()
    prerequisites = re.search(r"^install-test:(.*)$", makefile, flags=re.M).group(1).split()
    assert "node-modules" in prerequisites
    assert re.search(r"^test: install-test", makefile, flags=re.M)


def test_browser_tests_are_skipped_only_without_chromium_and_fail_when_only_the_rest_is_missing(tmp_path):
    from tests.browser import conftest

    assert "chromium" in conftest._missing(tmp_path / "no-chromium")
    assert conftest._missing(Path(sys.executable)) is None  # any file that exists stands for the browser
    reason = conftest._not_installed(tmp_path / "axe.min.js")
    assert reason and "npm ci" in reason
    axe = tmp_path / "axe.min.js"
    axe.write_text("/* axe */")
    assert conftest._not_installed(axe) is None or "playwright" in conftest._not_installed(axe)
    assert os.path.basename(str(conftest.AXE_JS)) == "axe.min.js"
