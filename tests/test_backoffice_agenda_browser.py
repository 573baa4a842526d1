"""The agenda in a real browser: an operator generates a week of slots from a pattern (preview
first), finds them in the week view, records an interview's outcome with a note, and takes
attendance at a workshop session."""
from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from store.models import InterviewBooking, InterviewSlot, WorkshopRegistration, WorkshopSession
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.conftest import NOW
from tests.office_support import fast_hashes, office, office_accounts, programme  # noqa: F401
from tests.test_backoffice_browser import log_in


def started(db, programme) -> None:
    """Maria's interview began an hour ago and her workshop half an hour ago."""
    with Session(db) as session:
        session.get(InterviewSlot, programme["slot"]).starts_at = NOW - dt.timedelta(hours=1)
        workshop = session.get(WorkshopSession, programme["workshop"])
        workshop.starts_at, workshop.ends_at = NOW - dt.timedelta(minutes=30), NOW + dt.timedelta(hours=2)
        session.commit()


def test_an_operator_runs_the_week_from_the_agenda(page, served, programme, db):
    started(db, programme)
    log_in(page, served, "otto")
    page.goto(served + "/office/agenda")

    pattern = page.locator("#pattern-form")
    pattern.get_by_label("mar", exact=True).check()
    pattern.get_by_label("gio", exact=True).check()
    pattern.get_by_label("Dal giorno", exact=True).fill("2026-11-30")
    pattern.get_by_label("Al giorno", exact=True).fill("2026-12-06")
    pattern.get_by_label("Dalle", exact=True).fill("09:00")
    pattern.get_by_label("Alle", exact=True).fill("10:30")
    pattern.get_by_label("Operatore").fill("Paola")
    pattern.get_by_label("Modalità").select_option("phone")
    pattern.get_by_role("button", name="Conta in anteprima").click()
    expect(page.locator("#pattern-preview")).to_contain_text("Colloqui creati: 4; già presenti: 0")
    with Session(db) as session:
        assert session.query(InterviewSlot).count() == 1  # a preview writes nothing
    page.locator("#pattern-form").get_by_role("button", name="Crea i colloqui").click()
    expect(page.locator(".toast-body")).to_contain_text(["Colloqui creati: 4"])

    page.get_by_role("link", name=re.compile("Successivo")).click()
    expect(page.locator("#agenda-range")).to_contain_text("Colloqui dal 30/11/2026 al 06/12/2026")
    rows = page.locator("#agenda-table .slot-row", has_text="Paola")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("01/12/2026")
    expect(rows.first).to_contain_text("09:00")

    page.get_by_role("link", name="Oggi").click()
    page.get_by_role("link", name="Giorno", exact=True).click()
    booking = page.locator(".booking", has_text="Rossi Maria")
    booking.get_by_label("Esito", exact=True).select_option("attended")
    booking.get_by_label("Note sull'esito").fill("Cerca lavoro in logistica, patente B")
    booking.get_by_role("button", name="Salva l'esito").click()
    expect(page.locator(".booking", has_text="Rossi Maria")).to_contain_text("Presente")
    expect(page.locator(".outcome-note")).to_have_text("Cerca lavoro in logistica, patente B")
    with Session(db) as session:
        saved = session.get(InterviewBooking, programme["booking"])
        assert (saved.status, saved.outcome_note) == ("attended", "Cerca lavoro in logistica, patente B")

    page.goto(served + "/office/workshop-attendance")
    page.get_by_role("link", name="Incontro 1").click()
    seat = page.locator("#participants tr", has_text="Rossi Maria")
    seat.get_by_label("Presente").check()
    page.get_by_role("button", name="Salva le presenze").click()
    expect(page.locator(".toast-body")).to_contain_text(["Presenze salvate: 1 cambiate."])
    expect(page.locator("#participants tr", has_text="Rossi Maria").get_by_label("Presente")).to_be_checked()
    with Session(db) as session:
        assert session.get(WorkshopRegistration, programme["seat"]).status == "attended"
