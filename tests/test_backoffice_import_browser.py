"""The import in a real browser: an operator uploads the sample file, reads the preview
(nothing written yet), confirms, and sees the programme's figures change on the dashboard."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Registration
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes, office, office_accounts  # noqa: F401
from tests.test_backoffice_browser import log_in

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "import-esempio.csv"


def figure(page, key: str, period: str = "semester"):
    return page.locator(f'#figures-table td[data-figure="{key}"][data-period="{period}"]')


def registrations(db) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(Registration))


def test_an_operator_imports_the_sample_and_the_dashboard_counts_it(page, served, db):
    log_in(page, served, "otto")
    page.goto(served + "/office/dashboard?semester=2026-H1")
    expect(figure(page, "registered")).to_have_text("0")

    page.goto(served + "/office/import")
    expect(page.get_by_role("link", name="Scarica il file di esempio")).to_be_visible()
    page.get_by_label("File CSV").set_input_files(SAMPLE)
    page.get_by_role("button", name="Controlla il file").click()
    expect(page.locator("#preview-title")).to_have_text("Anteprima di import-esempio.csv")
    expect(page.locator("#preview-counts")).to_have_text("Da creare: 12; già presenti: 0; scartate: 0.")
    expect(page.locator("#preview-kinds tr", has_text="Assunzioni")).to_contain_text("2")
    assert registrations(db) == 0  # the preview wrote nothing

    page.get_by_role("button", name="Importa 12 righe").click()
    expect(page.locator(".toast-body")).to_contain_text(["12 create, 0 già presenti, 0 scartate"])
    expect(page).to_have_url(re.compile(r"/office/import$"))
    assert registrations(db) == 3

    page.goto(served + "/office/dashboard?semester=2026-H1")
    expect(figure(page, "registered")).to_have_text("3")
    expect(figure(page, "interviewed")).to_have_text("3")
    expect(figure(page, "selections")).to_have_text("2")
    expect(figure(page, "placed")).to_have_text("2")
    expect(figure(page, "permanent")).to_have_text("1")
    expect(figure(page, "interviews_no_show")).to_have_text("1")

    page.goto(served + "/office/import")  # the same file again: nothing new
    page.get_by_label("File CSV").set_input_files(SAMPLE)
    page.get_by_role("button", name="Controlla il file").click()
    expect(page.locator("#preview-counts")).to_have_text("Da creare: 0; già presenti: 12; scartate: 0.")
    expect(page.locator("#nothing-to-import")).to_be_visible()
    expect(page.locator("#import-confirm")).to_have_count(0)


def test_a_file_too_large_is_stopped_in_the_browser(page, served, db, tmp_path):
    big = tmp_path / "grande.csv"
    big.write_bytes(b"tipo;nota\n" + b"chiusura;" + b"x" * (5 * 1024 * 1024) + b"\n")
    log_in(page, served, "otto")
    page.goto(served + "/office/import")
    page.get_by_label("File CSV").set_input_files(big)
    page.get_by_role("button", name="Controlla il file").click()
    expect(page.locator("#import-too-large")).to_be_visible()
    expect(page.locator("#import-too-large")).to_have_text("Il file supera i 5 MB: dividilo in file più piccoli.")
    expect(page).to_have_url(re.compile(r"/office/import$"))
