"""The dashboard's companies, vacancies and proposals in a real browser, with the rows of
tests/test_job_figures.py: the figures and the reasons' chart are shown, and the page has no
critical or serious accessibility violation (axe-core) on a desktop screen and on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.axe import SIZES, assert_accessible
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes, office, office_accounts  # noqa: F401
from tests.test_backoffice_browser import log_in
from tests.test_job_figures import rows  # noqa: F401  (fixture)


@pytest.mark.parametrize("size", SIZES)
def test_the_proposals_figures_are_shown_and_accessible(page, served, rows, size):  # noqa: F811
    page.set_viewport_size(SIZES[size])
    log_in(page, served, "vera")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/dashboard")
    expect(page.locator('[data-figure="proposed"][data-period="semester"]')).to_have_text("12")
    expect(page.locator('[data-figure="hired_permanent_share"][data-period="all-time"]')).to_have_text("75,0%")
    expect(page.locator("#chart-reasons svg")).to_be_visible()
    expect(page.get_by_role("row", name="Troppo lontano 1 1 2")).to_be_visible()
    assert_accessible(page, f"dashboard with proposals ({size})")
