"""Matching people to a vacancy (services.matching): who is left out and why, the ranking and its
one-line explanation, on a fixture of people with known answers; on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlmodel import Session

from services import companies, matching
from services.matching import Filters
from store.models import Candidate, Contact, Registration

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def person(session: Session, code: str, *, comune="Bologna", sectors=("cleaning",), availability=("shifts",),
           driving="licence_car", italian="good", education="upper_secondary", status="registered",
           contact: dict | None = None, days_ago: int = 10, **fields) -> Registration:
    found = Contact(**(contact or {}))
    session.add(found)
    session.flush()
    registration = Registration(
        contact_id=found.id, code=code, status=status, first_name=code.title(), last_name="Rossi",
        municipality=comune, sectors=list(sectors) if sectors is not None else None,
        availability=list(availability) if availability is not None else None, driving=driving, italian=italian,
        education=education, created_at=NOW - dt.timedelta(days=days_ago), **fields)
    session.add(registration)
    session.flush()
    return registration


@pytest.fixture
def vacancy(any_db):
    with Session(any_db) as session:
        company = companies.create_company(session, now=NOW, name="Pulizie Emilia srl", vat_number="03123450375",
                                           sector="Pulizie", municipality="Imola", source="campagna CNA")
        other = companies.create_vacancy(session, company_id=company.id, now=NOW, role="Magazziniere",
                                         sector="logistics", municipality="Bologna", contract_type="determinato",
                                         hours="full_time")
        wanted = companies.create_vacancy(session, company_id=company.id, now=NOW, role="Addetta pulizie",
                                          sector="Pulizie", municipality="Imola", contract_type="indeterminato",
                                          hours="Turni", needs_licence=True, needs_car=True, italian="basic")
        near = person(session, "NEAR", comune="Imola", status="interviewed")
        person(session, "FAR", comune="Alto Reno Terme", status="interviewed")
        person(session, "NOSECTOR", comune="Imola", sectors=("retail",), status="interviewed")
        person(session, "NOCAR", comune="Imola", driving="licence")
        person(session, "NOITALIAN", comune="Imola", italian="little")
        person(session, "IMPORTED", comune="Dozza", sectors=None, availability=None, driving=None, italian=None,
               education=None)
        busy = person(session, "BUSY", comune="Imola", status="interviewed")
        session.add(Candidate(vacancy_id=other.id, contact_id=busy.contact_id, state="interested"))
        already = person(session, "ALREADY", comune="Imola")
        session.add(Candidate(vacancy_id=wanted.id, contact_id=already.contact_id, state="declined"))
        person(session, "STOPPED", comune="Imola", contact={"notices_off_at": NOW})
        person(session, "NOOFFERS", comune="Imola", contact={"offers_off_at": NOW})
        person(session, "ERASED", comune="Imola", erased_at=NOW, status="erased")
        person(session, "PLACED", comune="Imola", status="placed")
        person(session, "CLOSED", comune="Imola", status="closed")
        session.commit()
        return any_db, wanted.id, near.contact_id


def test_ranks_and_explains(vacancy):
    db, vacancy_id, near_id = vacancy
    with Session(db) as session:
        result = matching.match(session, vacancy_id)
    codes = [m.code for m in result.people]
    assert codes == ["NEAR", "BUSY", "FAR", "NOSECTOR", "IMPORTED"]
    first = result.people[0]
    assert first.contact_id == near_id and first.km < 1 and first.score == 100
    assert first.explanation == ("100 punti: ha scelto Pulizie; disponibile turni; abita a Imola, stesso comune; "
                                 "colloquio fatto; non in altre selezioni.")
    busy = result.people[1]
    assert busy.other_selections == 1 and "già in un'altra selezione" in busy.explanation and busy.score == 90
    far = result.people[2]
    assert 55 < far.km < 70 and "abita a Alto Reno Terme (" in far.explanation
    assert "non ha scelto Pulizie" in result.people[3].explanation
    imported = result.people[4]
    assert "da verificare: patente, auto, italiano" in imported.explanation
    assert result.excluded == {"car": 1, "italian": 1, "already_here": 1, "stopped": 1, "offers_off": 1,
                               "erased": 1, "placed": 1, "closed": 1}


def test_filters_are_explicit(vacancy):
    db, vacancy_id, _ = vacancy
    with Session(db) as session:
        near = matching.match(session, vacancy_id, Filters(max_km=20, interviewed_only=True, free_only=True))
        loose = matching.match(session, vacancy_id, Filters(strict=False, sector_only=True))
    assert [m.code for m in near.people] == ["NEAR", "NOSECTOR"]
    assert near.excluded["far"] == 1 and near.excluded["busy"] == 1 and near.excluded["not_interviewed"] == 1
    assert {m.code for m in loose.people} == {"NEAR", "BUSY", "FAR", "NOCAR", "NOITALIAN"}
    nocar = next(m for m in loose.people if m.code == "NOCAR")
    assert "requisiti non soddisfatti: auto" in nocar.explanation
    assert loose.excluded["sector"] == 2


def test_unknown_vacancy_is_refused(any_db):
    with Session(any_db) as session, pytest.raises(Exception, match="non esiste un'offerta con ID 99"):
        matching.match(session, 99)


def test_the_first_ones_and_how_many(vacancy):
    db, vacancy_id, _ = vacancy
    with Session(db) as session:
        every = matching.match(session, vacancy_id)
        first = matching.match(session, vacancy_id, limit=2)
    assert every.total == first.total == len(every.people) == 5
    assert [m.code for m in first.people] == [m.code for m in every.people[:2]]
    assert first.excluded == every.excluded


def test_erasure_keeps_a_candidacy_s_state_not_what_the_person_typed(db):
    from services.repository import SqlStore

    with Session(db) as session:
        company = companies.create_company(session, now=NOW, name="Ditta", vat_number="03123450375",
                                           sector="Pulizie", municipality="Imola")
        wanted = companies.create_vacancy(session, company_id=company.id, now=NOW, role="A", sector="Pulizie",
                                          municipality="Imola", contract_type="altro", hours="Turni")
        gone = person(session, "GONE01")
        session.add(Candidate(vacancy_id=wanted.id, contact_id=gone.contact_id, state="declined", reason="other",
                              reason_text="mia figlia è malata"))
        session.commit()
        contact_id, vacancy_id = gone.contact_id, wanted.id
    with db.begin() as connection:
        SqlStore(connection, contact_id, NOW).erase_personal_data()
    with Session(db) as session:
        [row] = session.scalars(select(Candidate)).all()
        assert (row.state, row.reason, row.reason_text) == ("declined", "other", None)
        assert matching.match(session, vacancy_id).excluded == {"erased": 1}
