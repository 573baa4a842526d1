"""Proposals and outcomes in the back office (HTTP, #16): an operator ticks people on a vacancy's
matching page and sends the proposal (CSRF, audited; a viewer may not); the vacancy's page shows
the candidates and the funnel; the company's outcome is recorded there, "hired" putting the path's
"placed" step once."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import companies, programme
from store.models import Candidate, OfficeAudit, OutboxMessage, ProgrammeEvent, Registration
from tests.conftest import NOW, Chat
from tests.office_support import client, csrf, fast_hashes, logged_in, office, office_accounts  # noqa: F401
from tests.registration_helpers import reach

TODAY = NOW.date()


def setting(db, service) -> str:
    """Maria registered on Telegram and interviewed, and a vacancy she fits; her code."""
    reach(Chat(service, "5101", "telegram"))
    with Session(db) as session, session.begin():
        maria = session.scalars(select(Registration)).one()
        programme.record(session, registration=maria, kind="interviewed", on=TODAY, today=TODAY)
        company = companies.create_company(session, now=NOW, name="Pulizie Emilia srl", vat_number="03123450375",
                                           sector="Pulizie", municipality="Bologna")
        companies.create_vacancy(session, company_id=company.id, now=NOW, role="Addetta pulizie", sector="Pulizie",
                                 municipality="Bologna", contract_type="indeterminato", hours="Part time")
        return maria.code


def count(db, table, *where) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(table).where(*where))


def test_an_operator_proposes_from_the_matching_page_and_records_the_hiring(client, db, service):
    code = setting(db, service)
    logged_in(client, "otto")
    page = client.get("/office/vacancy-match?vacancy=1").text
    assert f'name="code" value="{code}"' in page and "Invia la proposta" in page
    token = csrf(client, "/office/vacancy-match?vacancy=1")
    response = client.post("/office/vacancy-match/propose", data={"vacancy": "1", "code": [code], "csrf_token": token})
    assert response.status_code == 303 and "/office/vacancies?vacancy=1" in response.headers["location"]
    assert count(db, Candidate, Candidate.state == "proposed") == 1
    assert count(db, OutboxMessage, OutboxMessage.kind == "proposal") == 1
    vacancy_page = client.get("/office/vacancies?vacancy=1").text
    assert "Proposta inviata a 1 persone." in vacancy_page and "proposta inviata" in vacancy_page
    assert 'id="funnel-proposed">1<' in vacancy_page and 'id="funnel-hired">0<' in vacancy_page

    # sent again: nothing twice, and the office is told why
    token = csrf(client, "/office/vacancy-match?vacancy=1")
    client.post("/office/vacancy-match/propose", data={"vacancy": "1", "code": [code], "csrf_token": token})
    assert "ha già ricevuto questa offerta" in client.get("/office/vacancies?vacancy=1").text
    assert count(db, OutboxMessage, OutboxMessage.kind == "proposal") == 1

    for _ in range(2):  # recorded twice: one "placed" step
        token = csrf(client, "/office/vacancies?vacancy=1")
        response = client.post("/office/vacancies/outcome", data={
            "vacancy": "1", "code": code, "result": "hired", "contract": "permanent", "start": "2026-12-14",
            "reason": "", "csrf_token": token})
        assert response.status_code == 303, response.text[:300]
    assert count(db, ProgrammeEvent, ProgrammeEvent.kind == "placement") == 1
    vacancy_page = client.get("/office/vacancies?vacancy=1").text
    assert 'id="funnel-hired">1<' in vacancy_page and "assunta" in vacancy_page
    with Session(db) as session:
        actions = set(session.scalars(select(OfficeAudit.action)))
    assert {"vacancy_propose", "vacancy_outcome"} <= actions


def test_a_wrong_outcome_is_refused_in_italian_with_nothing_written(client, db, service):
    code = setting(db, service)
    logged_in(client, "otto")
    token = csrf(client, "/office/vacancies?vacancy=1")
    response = client.post("/office/vacancies/outcome", data={"vacancy": "1", "code": code, "result": "hired",
                                                              "csrf_token": token})
    assert response.status_code == 400 and "non è tra i candidati" in response.text
    assert count(db, ProgrammeEvent, ProgrammeEvent.kind == "placement") == 0


def test_a_viewer_reads_but_may_not_propose(client, db, service):
    code = setting(db, service)
    logged_in(client, "vera")
    page = client.get("/office/vacancy-match?vacancy=1").text
    assert code in page and 'name="code"' not in page
    token = csrf(client, "/office/vacancy-match?vacancy=1")
    response = client.post("/office/vacancy-match/propose", data={"vacancy": "1", "code": [code], "csrf_token": token})
    assert response.status_code == 403 and count(db, Candidate) == 0
    response = client.post("/office/vacancy-match/propose", data={"vacancy": "1", "code": [code]})
    assert response.status_code in (400, 403) and count(db, Candidate) == 0
