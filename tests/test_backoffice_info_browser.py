"""Programme information in a real browser (#15), on a desktop screen (1280x800) and on a phone
(390x844): an operator opens the topics, switches to the English text of the opening hours,
changes it and saves, sees an empty Italian answer refused in Italian with what was typed kept;
a viewer reads without a form. axe finds no critical and no serious violation on these pages."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import demo_info
from store.models import InfoText
from tests.axe import SIZES, assert_accessible
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.conftest import NOW
from tests.office_support import fast_hashes, office, office_accounts  # noqa: F401
from tests.test_backoffice_browser import log_in


@pytest.fixture
def topics(db) -> None:
    with Session(db) as session, session.begin():
        demo_info.load(session, now=NOW)


@pytest.mark.parametrize("size", SIZES)
def test_an_operator_changes_the_english_opening_hours(page, served, db, topics, size):
    page.set_viewport_size(SIZES[size])
    log_in(page, served, "otto")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/programme-info")
    expect(page.locator("#info-table")).to_contain_text("Orari e telefono")
    assert_accessible(page, f"topics ({size})")
    page.locator("#info-table").get_by_role("link", name="Orari e telefono").click()
    expect(page.get_by_label("Risposta")).to_have_value(
        "Gli uffici sono aperti dal lunedì al venerdì dalle 9:00 alle 13:00; il martedì e il giovedì anche "
        "dalle 14:30 alle 17:00. Chiusi nei giorni festivi.\nIl colloquio si fa su appuntamento: prenotalo qui "
        "in chat.\nTelefono: 051 000 0000 (numero di prova), negli stessi orari. Sede del centro: Via del Lavoro 1, "
        "Bologna (indirizzo di prova).")
    assert_accessible(page, f"Italian text ({size})")
    page.locator("#info-languages").get_by_role("link", name="Inglese").click()
    expect(page.locator("#info-italian")).to_contain_text("Orari e telefono")
    expect(page.get_by_label("Titolo", exact=False)).to_have_value("Opening hours, phone")
    assert_accessible(page, f"English text ({size})")
    page.get_by_label("Risposta").fill("Monday to Friday, 9:00 to 13:00. Closed from 24 to 26 December.")
    page.get_by_role("button", name="Salva il testo").click()
    expect(page.locator(".toast-body")).to_contain_text(["Testo salvato."])
    expect(page.get_by_label("Risposta")).to_have_value("Monday to Friday, 9:00 to 13:00. Closed from 24 to 26 December.")
    assert_accessible(page, f"saved ({size})")
    with Session(db) as session:
        saved = session.scalar(select(InfoText).where(InfoText.topic == "hours", InfoText.language == "en"))
        assert saved.answer.endswith("24 to 26 December.") and saved.updated_by == "otto"

    page.locator("#info-languages").get_by_role("link", name="Italiano").click()
    page.get_by_label("Titolo", exact=False).fill("Orari di dicembre")
    page.get_by_label("Risposta").fill("")
    page.get_by_label("Risposta").evaluate("field => field.removeAttribute('required')")  # as a browser without checks
    page.get_by_role("button", name="Salva il testo").click()
    expect(page.locator("#form-error")).to_have_text("risposta: non può essere vuoto")
    expect(page.get_by_label("Titolo", exact=False)).to_have_value("Orari di dicembre")
    assert_accessible(page, f"refused ({size})")


def test_a_viewer_reads_the_texts_without_a_form(page, served, topics):
    log_in(page, served, "vera")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/programme-info?topic=where&language=it")
    expect(page.locator("#info-form")).to_contain_text("https://www.openstreetmap.org/")
    expect(page.get_by_role("button", name="Salva il testo")).to_have_count(0)
    assert_accessible(page, "viewer")
