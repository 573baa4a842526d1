"""Accessibility of the back office (axe-core in Debian's chromium, tests/axe.py): no critical and
no serious violation on the pages operators use most, on a desktop screen (1280x800) and on a
phone (390x844)."""
from __future__ import annotations

import datetime as dt

import pytest

from conversations.i18n import TIMEZONE
from tests.axe import SIZES, assert_accessible
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.conftest import NOW
from tests.office_support import fast_hashes, office, office_accounts, programme  # noqa: F401
from tests.test_backoffice_browser import log_in


def pages(programme) -> dict[str, str]:
    interview_day = (NOW + dt.timedelta(days=2)).astimezone(TIMEZONE).date().isoformat()
    return {
        "registrations": "/office/registration/list",
        "registration": f"/office/registration/details/{programme['maria']}",
        "agenda day": f"/office/agenda?day={interview_day}&span=day",
        "workshop session": f"/office/workshop-attendance?session={programme['workshop']}",
        "broadcasts": "/office/broadcasts",
        "broadcast compose": "/office/broadcasts/new",
        "dashboard": "/office/dashboard",
        "audit log": "/office/office-audit/list",
    }


@pytest.mark.parametrize("size", SIZES)
def test_the_login_page(page, served, size):
    page.set_viewport_size(SIZES[size])
    page.goto(served + "/office/login")
    assert_accessible(page, f"login ({size})")
    # and, beyond the blocking ones: the page has its main landmark and its heading
    assert page.locator("main").count() == 1 and page.locator("h1").count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_the_office_pages(page, served, programme, size):
    page.set_viewport_size(SIZES[size])
    log_in(page, served, "otto")
    page.wait_for_url("**/office/")
    failures = []
    for name, path in pages(programme).items():
        page.goto(served + path)
        try:
            assert_accessible(page, f"{name} ({size}) {path}")
        except AssertionError as problem:
            failures.append(str(problem))
    assert not failures, "\n\n".join(failures)
