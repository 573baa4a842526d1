"""The programme's path and a merge in a real browser: an operator moves a registration from
registered to interviewed, in selection and placed and sees the path; a viewer sees it with no
forms; an operator merges two registrations of one person after comparing them."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from store.models import InterviewBooking, Registration
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes, office, office_accounts, programme, registration  # noqa: F401
from tests.test_backoffice_browser import log_in
from tests.test_backoffice_path import same_phone


def test_an_operator_moves_a_registration_along_the_path(page, served, programme, db):
    log_in(page, served, "otto")
    page.goto(f"{served}/office/registration/details/{programme['luca']}")
    expect(page.locator("#path-stage")).to_have_text("Iscritta (verificata)")
    expect(page.locator("#step-placement")).to_have_count(0)  # not before the interview

    interview = page.locator("#step-interviewed")
    interview.get_by_label("Giorno").fill("20/11/2026")
    interview.get_by_role("button", name="Registra il colloquio").click()
    expect(page.locator("#path-stage")).to_have_text("Colloquio svolto")

    selection = page.locator("#step-selection")
    selection.get_by_label("Azienda").fill("Coop Alleanza")
    selection.get_by_label("Giorno").fill("32/11/2026")
    selection.get_by_role("button", name="Registra la selezione").click()
    expect(page.locator("#path-error")).to_have_text("Scrivi la data come gg/mm/aaaa.")
    expect(page.locator("#path-stage")).to_have_text("Colloquio svolto")
    selection = page.locator("#step-selection")
    selection.get_by_label("Azienda").fill("Coop Alleanza")
    selection.get_by_label("Giorno").fill("23/11/2026")
    selection.get_by_role("button", name="Registra la selezione").click()
    expect(page.locator("#path-stage")).to_have_text("In selezione")

    placement = page.locator("#step-placement")
    placement.get_by_label("Azienda").fill("Coop Alleanza")
    placement.get_by_label("Contratto").select_option("permanent")
    placement.get_by_label("Giorno di inizio").fill("01/12/2026")
    placement.get_by_label("Note").fill("Magazzino, 30 ore")
    placement.get_by_role("button", name="Registra l'inserimento").click()
    expect(page.locator("#path-stage")).to_have_text("Inserita al lavoro")
    steps = page.locator("#path-steps .path-step")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("20/11/2026")
    expect(steps.nth(1)).to_contain_text("In selezione")
    for shown in ("01/12/2026", "Coop Alleanza", "Tempo indeterminato", "Magazzino, 30 ore", "otto"):
        expect(steps.nth(2)).to_contain_text(shown)
    assert registration(db, programme["luca"]).status == "placed"


def test_a_viewer_sees_the_path_and_no_form(page, served, programme):
    log_in(page, served, "vera")
    page.goto(f"{served}/office/registration/details/{programme['luca']}")
    expect(page.locator("#path")).to_contain_text("Percorso nel programma")
    expect(page.locator("#path-forms")).to_have_count(0)
    expect(page.locator("#path form")).to_have_count(0)


def test_an_operator_merges_two_registrations_of_one_person(page, served, programme, db):
    same_phone(db, programme)
    log_in(page, served, "otto")
    page.goto(f"{served}/office/registration/details/{programme['maria']}")
    expect(page.locator("#duplicates-hint")).to_contain_text("Bianchi Luca")
    page.goto(f"{served}/office/duplicates")
    page.locator(".duplicate-pair", has_text="Rossi Maria").get_by_role("link", name="Unisci").click()
    table = page.locator("#merge-table")
    expect(table).to_contain_text("maria.rossi@example.com")
    expect(table).to_contain_text("Imola")
    page.get_by_label("Tieni LB0002").check()
    page.locator("#merge-confirm").click()
    expect(page).to_have_url(re.compile(rf"/office/registration/details/{programme['luca']}$"))
    expect(page.locator(".toast-body")).to_contain_text(re.compile(r"Unite: [\w-]+ in LB0002\."))
    assert registration(db, programme["maria"]) is None
    with Session(db) as session:
        kept = session.get(Registration, programme["luca"])
        assert session.get(InterviewBooking, programme["booking"]).contact_id == kept.contact_id
    page.goto(f"{served}/office/duplicates")
    expect(page.locator("#no-duplicates")).to_be_visible()
