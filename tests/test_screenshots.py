"""The README's screenshots come from scripts/screenshots.py: the script still runs end to end
against today's pages (its own bot process, the demo agenda, an import, Debian's chromium), and
it takes exactly the pictures the README shows."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import chromium_path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "screenshots.py"


def shown_in_readme() -> set[str]:
    return set(re.findall(r"\(docs/screenshots/([\w-]+)\.png\)", (ROOT / "README.md").read_text("utf-8")))


def taken_by_script() -> set[str]:
    return set(re.findall(r'shoot\(page, "([\w-]+)"', SCRIPT.read_text("utf-8")))


def test_the_readme_shows_every_screenshot_the_script_takes_and_no_other():
    assert shown_in_readme() == taken_by_script()
    assert {p.stem for p in (ROOT / "docs" / "screenshots").glob("*.png")} == shown_in_readme()


def test_the_screenshot_script_runs_against_the_current_pages(tmp_path):
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (CI is set: a missing browser is a failure)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    taken = {p.stem: p.read_bytes() for p in tmp_path.glob("*.png")}
    assert set(taken) == shown_in_readme()
    assert all(picture.startswith(b"\x89PNG") and len(picture) > 20_000 for picture in taken.values())
