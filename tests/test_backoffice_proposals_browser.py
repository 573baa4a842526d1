"""Proposals and outcomes in a real browser, on a desktop screen and on a phone (#16): an
operator ticks a person on a vacancy's matching page and sends the proposal, finds them among the
vacancy's candidates with the funnel, and records the company's hiring there. axe finds no
critical and no serious violation on these pages."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from services import companies
from store.models import ChannelIdentity, Contact, Registration
from tests.axe import SIZES, assert_accessible
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.conftest import NOW
from tests.office_support import fast_hashes, office, office_accounts  # noqa: F401
from tests.test_backoffice_browser import log_in


def setting(db) -> None:
    with Session(db) as session:
        for number, (code, comune) in enumerate((("NEAR01", "Imola"), ("FAR001", "Bologna"))):
            contact = Contact(language="it")
            session.add(contact)
            session.flush()
            session.add(ChannelIdentity(contact_id=contact.id, scheme="telegram", external_id=str(7000 + number)))
            session.add(Registration(contact_id=contact.id, code=code, status="interviewed", first_name="Ada",
                                     last_name=code.title(), municipality=comune, sectors=["cleaning"],
                                     availability=["shifts"], driving="licence_car", italian="good",
                                     education="upper_secondary"))
        company = companies.create_company(session, now=NOW, name="Pulizie Emilia srl", vat_number="03123450375",
                                           sector="Pulizie", municipality="Imola")
        companies.create_vacancy(session, company_id=company.id, now=NOW, role="Addetta pulizie", sector="Pulizie",
                                 municipality="Imola", contract_type="indeterminato", hours="Turni")
        session.commit()


@pytest.mark.parametrize("size", SIZES)
def test_an_operator_proposes_a_vacancy_and_records_the_hiring(page, served, db, size):
    page.set_viewport_size(SIZES[size])
    setting(db)
    log_in(page, served, "otto")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/vacancy-match?vacancy=1")
    expect(page.locator("#match-count")).to_have_text("Persone adatte: 2.")
    assert_accessible(page, f"matching with proposals ({size})")
    page.get_by_label("Proponi a Near01 Ada").check()
    page.get_by_role("button", name="Invia la proposta").click()
    expect(page.locator(".toast-body")).to_contain_text(["Proposta inviata a 1 persone."])
    expect(page.locator("#candidates")).to_contain_text("NEAR01")
    expect(page.locator("#candidates")).to_contain_text("proposta inviata")
    expect(page.locator("#funnel-proposed")).to_have_text("1")
    assert_accessible(page, f"vacancy with candidates ({size})")
    row = page.locator('#candidates tr[data-code="NEAR01"]')
    row.get_by_label("Esito", exact=True).select_option(label="assunta")
    row.get_by_label("Data di inizio").fill("2026-12-14")
    row.get_by_role("button", name="Registra").click()
    expect(page.locator(".toast-body")).to_contain_text(["Esito registrato."])
    expect(page.locator("#funnel-hired")).to_have_text("1")
    expect(page.locator('#candidates tr[data-code="NEAR01"]')).to_contain_text("assunta")
