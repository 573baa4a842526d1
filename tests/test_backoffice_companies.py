"""Companies, vacancies, matching and the companies' import in the back office (HTTP): roles on
every page and action (viewers read, operators edit, viewers never import), Italian messages on
wrong input with nothing written, the audit log, and the import's preview, refusals and
idempotence."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Company, Contact, OfficeAudit, Registration, Vacancy
from tests.office_support import client, csrf, fast_hashes, logged_in, office, office_accounts  # noqa: F401

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "aziende-esempio.csv"
COMPANY = {"name": "Pulizie Emilia srl", "vat_number": "IT03123450375", "sector": "cleaning", "municipality": "imola",
           "source": "campagna CNA", "contact_person": "Laura Neri", "phone": "0542 123456"}


def count(db, table) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(table))


def post(http, path: str, data: dict, page: str):
    return http.post(path, data={**data, "csrf_token": csrf(http, page)})


def add_company(http) -> None:
    response = post(http, "/office/companies/save", COMPANY, "/office/companies?new=1")
    assert response.status_code == 303, response.text[:500]


def vacancy_form(**more) -> dict:
    return {"company": "1", "role": "Addetta pulizie", "sector": "cleaning", "municipality": "Imola",
            "contract_type": "permanent", "hours": "shifts", "places": "2", "needs_car": "1", "italian": "basic",
            "status": "open", "description": "Pulizie di uffici, turni di mattina.", **more}


def test_an_operator_adds_a_company_and_a_vacancy(client, db):
    logged_in(client, "otto")
    add_company(client)
    with Session(db) as session:
        company = session.get(Company, 1)
        assert (company.vat_number, company.municipality, company.phone, company.created_by) == (
            "03123450375", "Imola", "+390542123456", "otto")
    page = client.get("/office/companies?company=1").text
    assert "Pulizie Emilia srl" in page and "campagna CNA" in page and "Nuova offerta" in page and "+39 0542 123456" in page
    response = post(client, "/office/vacancies/save", vacancy_form(), "/office/vacancies?new=1")
    assert response.status_code == 303 and response.headers["location"].endswith("/office/vacancies?vacancy=1")
    with Session(db) as session:
        vacancy = session.get(Vacancy, 1)
        assert (vacancy.needs_licence, vacancy.needs_car, vacancy.places, vacancy.contract_type) == (
            True, True, 2, "permanent")
    listing = client.get("/office/vacancies").text
    assert "Addetta pulizie" in listing and "indeterminato" in listing and "Turni" in listing and "aperta" in listing
    response = post(client, "/office/vacancies/save", vacancy_form(vacancy="1", status="closed_filled"),
                    "/office/vacancies?vacancy=1")
    assert response.status_code == 303
    assert "chiusa, coperta" in client.get("/office/vacancies").text
    with Session(db) as session:
        written = set(session.execute(select(OfficeAudit.action, OfficeAudit.table_name)))
    assert {("create", "company"), ("create", "vacancy"), ("vacancy_save", "vacancy")} <= written  # a change: named


@pytest.mark.parametrize("change, message", [
    ({"vat_number": "03123450376"}, "partita IVA non valida"),
    ({"municipality": "Milano"}, "Milano è fuori dalla Città metropolitana di Bologna"),
    ({"sector": "astronauts"}, "Scegli il settore."),
    ({"name": ""}, "Scrivi il nome dell&#39;azienda."),
    ({"email": "not-an-email"}, "indirizzo email non valido"),
])
def test_a_wrong_company_is_refused_in_italian(client, db, change, message):
    logged_in(client, "otto")
    response = post(client, "/office/companies/save", {**COMPANY, **change}, "/office/companies?new=1")
    assert response.status_code == 400 and message in response.text
    assert 'value="campagna CNA"' in response.text  # what was typed is kept
    assert count(db, Company) == 0


def test_the_same_vat_twice_names_the_company(client, db):
    logged_in(client, "otto")
    add_company(client)
    response = post(client, "/office/companies/save", {**COMPANY, "name": "Altra"}, "/office/companies?new=1")
    assert response.status_code == 400 and "è già dell&#39;azienda «Pulizie Emilia srl» (ID 1)" in response.text


def test_viewers_read_but_neither_edit_nor_import(client, db):
    logged_in(client, "otto")
    add_company(client)
    post(client, "/office/vacancies/save", vacancy_form(), "/office/vacancies?new=1")
    client.cookies.clear()
    logged_in(client, "vera")
    for path in ("/office/companies", "/office/companies?company=1", "/office/vacancies?vacancy=1",
                 "/office/vacancy-match?vacancy=1"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Salva l&#39;azienda" not in response.text and "Salva l&#39;offerta" not in response.text
    token = csrf(client, "/office/companies")
    assert client.post("/office/companies/save", data={**COMPANY, "csrf_token": token}).status_code == 403
    assert client.post("/office/vacancies/save", data={**vacancy_form(), "csrf_token": token}).status_code == 403
    assert client.get("/office/companies-import").status_code == 403
    assert client.post("/office/companies-import/preview", data={"csrf_token": token}).status_code == 403
    assert count(db, Company) == 1


def test_the_matching_page_ranks_and_explains(client, db):
    logged_in(client, "otto")
    add_company(client)
    post(client, "/office/vacancies/save", vacancy_form(needs_car=""), "/office/vacancies?new=1")
    with Session(db) as session:
        for code, comune in (("NEAR01", "Imola"), ("FAR001", "Bologna")):
            contact = Contact()
            session.add(contact)
            session.flush()
            session.add(Registration(contact_id=contact.id, code=code, status="interviewed", first_name="Ada",
                                     last_name=code, municipality=comune, sectors=["cleaning"],
                                     availability=["shifts"], driving="none", italian="good", education="degree"))
        session.commit()
    page = client.get("/office/vacancy-match?vacancy=1").text
    assert page.index("NEAR01") < page.index("FAR001")
    assert "Persone adatte: 2." in page and "abita a Imola, stesso comune; colloquio fatto" in page
    near_only = client.get("/office/vacancy-match?vacancy=1&max_km=20").text
    assert "FAR001" not in near_only and "1 troppo lontani" in near_only
    assert client.get("/office/vacancy-match?vacancy=99").status_code == 404


def test_the_companies_import_previews_then_writes_once(client, db):
    logged_in(client, "otto")
    page = "/office/companies-import"
    bad = ("nome;partita_iva;settore;comune;colore\n"
           "Bar Centrale;04123460372;Ristoranti, bar;Bologna;blu\n"
           "Senza IVA;123;Pulizie;Imola;\n"
           "Doppione;04123460372;Pulizie;Imola;\n").encode()
    preview = client.post(page + "/preview", data={"csrf_token": csrf(client, page)},
                          files={"file": ("aziende.csv", bad, "text/csv")})
    assert preview.status_code == 200
    assert "Da creare: 1; già presenti: 0; scartate: 2." in preview.text
    assert "partita IVA non valida «123»" in preview.text and "la stessa partita IVA della riga 2" in preview.text
    assert "colore" in preview.text and count(db, Company) == 0
    sample = SAMPLE.read_bytes()
    for created in (2, 0):
        preview = client.post(page + "/preview", data={"csrf_token": csrf(client, page)},
                              files={"file": ("aziende-esempio.csv", sample, "text/csv")})
        payload = preview.text.split('name="payload" value="')[1].split('"')[0] if created else None
        if created:
            done = client.post(page + "/confirm", data={"csrf_token": csrf(client, page), "name": "aziende-esempio.csv",
                                                        "payload": payload})
            assert done.status_code == 303
        else:
            assert "già presente: Pulizie Emilia srl (ID 1)" in preview.text and 'id="nothing-to-import"' in preview.text
    assert count(db, Company) == 2
    with Session(db) as session:
        assert session.scalar(select(OfficeAudit.after).where(OfficeAudit.action == "companies_import"))["create"] == 2


def test_nobody_logged_out_reads_a_company_page(client):
    for path in ("/office/companies", "/office/vacancies", "/office/vacancy-match?vacancy=1",
                 "/office/companies-import", "/office/companies-import/sample"):
        response = client.get(path)
        assert response.status_code in (302, 303) and "/office/login" in response.headers["location"], path
    assert client.post("/office/companies/save", data=COMPANY).status_code in (302, 303, 403)
