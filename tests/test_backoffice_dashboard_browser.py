"""The dashboard in a real browser: a viewer opens it from the menu, reads the semester's
figures, sees them change after a step is recorded, picks the semester a year before and
downloads the semester report."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from store.models import ProgrammeEvent
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes, office, office_accounts, programme  # noqa: F401
from tests.test_backoffice_browser import log_in


def test_a_viewer_reads_the_figures_and_downloads_the_report(page, served, programme, db, tmp_path):
    log_in(page, served, "vera")
    page.get_by_role("link", name="Numeri del programma").click()
    expect(page.locator("#dashboard-title")).to_have_text("2° semestre 2026")
    registered = page.locator('[data-figure="registered"][data-period="semester"]')
    placed = page.locator('[data-figure="placed"][data-period="semester"]')
    expect(registered).to_have_text("2")
    expect(placed).to_have_text("0")
    expect(page.locator("#chart-funnel svg")).to_be_visible()

    with Session(db) as session:
        session.add(ProgrammeEvent(contact_id=programme["contact"], kind="placement", day=dt.date(2026, 11, 2),
                                   company="Hera", contract_type="permanent"))
        session.commit()
    page.reload()
    expect(placed).to_have_text("1")
    expect(page.locator('[data-figure="permanent_share"][data-period="semester"]')).to_have_text("100,0%")

    page.get_by_label("Semestre").select_option("2025-H2")
    page.get_by_role("button", name="Mostra").click()
    expect(page.locator("#dashboard-title")).to_have_text("2° semestre 2025")
    expect(registered).to_have_text("0")

    with page.expect_download() as download:
        page.get_by_role("link", name="Report semestrale (CSV)").click()
    saved = tmp_path / "report.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "report_2025-H2.csv"
    text = saved.read_text(encoding="utf-8-sig")
    assert text.startswith("Indicatore;2° semestre 2025;2° semestre 2024;")
