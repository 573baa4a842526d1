"""Companies, vacancies and matching in a real browser, on a desktop screen (1280x800) and on a
phone (390x844): an operator adds a company and its vacancy through the forms, sees a wrong
partita IVA refused in Italian with what was typed kept, opens the vacancy's matching page and
narrows it with the filters; the companies' import page previews a file. axe finds no critical
and no serious violation on any of these pages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from store.models import Contact, Registration
from tests.axe import SIZES, assert_accessible
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes, office, office_accounts  # noqa: F401
from tests.test_backoffice_browser import log_in

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "aziende-esempio.csv"


def people(db) -> None:
    with Session(db) as session:
        for code, comune, status in (("NEAR01", "Imola", "interviewed"), ("MID001", "Castel San Pietro Terme",
                                                                            "registered"),
                                     ("FAR001", "Bologna", "interviewed")):
            contact = Contact()
            session.add(contact)
            session.flush()
            session.add(Registration(contact_id=contact.id, code=code, status=status, first_name="Ada",
                                     last_name=code.title(), municipality=comune, sectors=["cleaning"],
                                     availability=["shifts"], driving="licence_car", italian="good",
                                     education="upper_secondary"))
        session.commit()


@pytest.mark.parametrize("size", SIZES)
def test_an_operator_adds_a_company_a_vacancy_and_finds_people(page, served, db, size):
    page.set_viewport_size(SIZES[size])
    people(db)
    log_in(page, served, "otto")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/companies?new=1")
    assert_accessible(page, f"new company ({size})")
    page.get_by_label("Nome", exact=True).fill("Pulizie Emilia srl")
    page.get_by_label("Partita IVA", exact=True).fill("03123450376")  # one digit wrong
    page.get_by_label("Settore", exact=True).select_option(label="Pulizie")
    page.get_by_label("Comune", exact=True).fill("Imola")
    page.get_by_label("Arrivata tramite").fill("campagna CNA")
    page.get_by_role("button", name="Salva l'azienda").click()
    expect(page.locator("#form-error")).to_contain_text("partita IVA non valida «03123450376»")
    expect(page.get_by_label("Arrivata tramite")).to_have_value("campagna CNA")
    assert_accessible(page, f"company refused ({size})")
    page.get_by_label("Partita IVA", exact=True).fill("IT 03123450375")
    page.get_by_role("button", name="Salva l'azienda").click()
    expect(page.locator(".toast-body")).to_contain_text(["Azienda aggiunta."])
    expect(page.locator("#company-title")).to_have_text("Pulizie Emilia srl")
    expect(page.locator("#companies-table")).to_contain_text("03123450375")
    assert_accessible(page, f"company ({size})")

    page.get_by_role("link", name="Nuova offerta").click()
    expect(page.get_by_label("Azienda")).to_have_value("1")
    page.get_by_label("Mansione").fill("Addetta pulizie")
    page.get_by_label("Settore", exact=True).select_option(label="Pulizie")
    page.get_by_label("Comune di lavoro").fill("Imola")
    page.get_by_label("Contratto").select_option(label="indeterminato")
    page.get_by_label("Orario").select_option(label="Turni")
    page.get_by_label("Serve l'auto").check()
    page.get_by_label("Breve descrizione, in italiano semplice").fill("Pulizie di uffici, turni di mattina.")
    assert_accessible(page, f"new vacancy ({size})")
    page.get_by_role("button", name="Salva l'offerta").click()
    expect(page.locator(".toast-body")).to_contain_text(["Offerta aggiunta."])
    expect(page.locator("#vacancies-table")).to_contain_text("indeterminato")
    assert_accessible(page, f"vacancy ({size})")

    page.locator(".card-header", has=page.locator("#vacancy-title")).get_by_role("link", name="Persone adatte").click()
    expect(page.locator("#match-count")).to_have_text("Persone adatte: 3.")
    codes = page.locator("#match-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == ["NEAR01", "MID001", "FAR001"]
    expect(page.locator('#match-table tr[data-code="NEAR01"]')).to_contain_text(
        "abita a Imola, stesso comune; colloquio fatto; non in altre selezioni.")
    assert_accessible(page, f"matching ({size})")
    page.get_by_label("Abita entro").select_option(label="20 km")
    page.get_by_label("Solo chi ha fatto il colloquio").check()
    page.get_by_role("button", name="Mostra le persone").click()
    expect(page).to_have_url(re.compile(r"max_km=20.*interviewed=1"))
    expect(page.locator("#match-count")).to_have_text("Persone adatte: 1.")
    expect(page.locator("#match-excluded")).to_contain_text("1 troppo lontani")
    expect(page.locator("#match-excluded")).to_contain_text("1 senza colloquio")


@pytest.mark.parametrize("size", SIZES)
def test_the_companies_import_page(page, served, db, size):
    page.set_viewport_size(SIZES[size])
    log_in(page, served, "otto")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/companies-import")
    assert_accessible(page, f"companies import ({size})")
    page.get_by_label("File CSV").set_input_files(SAMPLE)
    page.get_by_role("button", name="Controlla il file").click()
    expect(page.locator("#preview-counts")).to_have_text("Da creare: 2; già presenti: 0; scartate: 0.")
    assert_accessible(page, f"companies import preview ({size})")
    page.get_by_role("button", name="Importa 2 aziende").click()
    expect(page.locator(".toast-body")).to_contain_text(["2 create, 0 già presenti, 0 scartate"])
    expect(page.locator("#companies-table")).to_contain_text("Trattoria da Gino")
