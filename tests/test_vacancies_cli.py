"""The operators' commands of companies and vacancies (python -m bot companies/vacancies): rows
created with the chat's Italian words, listings, matching and candidates; a wrong input is an
Italian "errore: ..." line with exit status 2 and nothing written."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from store.models import Candidate, Company, Contact, Registration, Vacancy
from tests.cli_helpers import run  # noqa: F401  (fixture)
from tests.conftest import NOW, ROOT


def count(db, table) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(table))


def test_company_and_vacancy_with_italian_words(run, db):
    status, out, err = run("companies", "add", "--name", "Pulizie Emilia srl", "--vat", "IT 03123450375",
                           "--sector", "pulizie", "--municipality", "imola", "--source", "campagna CNA")
    assert (status, err) == (0, "") and "ID 1, Pulizie Emilia srl (P.IVA 03123450375), Pulizie, Imola" in out
    status, out, err = run("vacancies", "add", "--company", "1", "--role", "Addetta pulizie", "--sector",
                           "Pulizie", "--municipality", "Imola", "--contract", "Indeterminato", "--hours", "Turni",
                           "--places", "2", "--car", "--italian", "base")
    assert status == 0, err
    assert "Offerta aggiunta: ID 1, Addetta pulizie a Imola, indeterminato, turni, aperta." in out
    with Session(db) as session:
        vacancy = session.get(Vacancy, 1)
        assert (vacancy.sector, vacancy.contract_type, vacancy.hours, vacancy.places, vacancy.needs_licence,
                vacancy.needs_car, vacancy.italian) == ("cleaning", "permanent", "shifts", 2, True, True, "basic")
    status, out, _ = run("companies", "list")
    assert "campagna CNA" in out and "1/1" in out
    status, out, _ = run("vacancies", "list", "--status", "aperta")
    assert "Addetta pulizie" in out and "indeterminato" in out


@pytest.mark.parametrize("argv, message", [
    (("companies", "add", "--name", "X", "--vat", "03123450376", "--sector", "Pulizie", "--municipality", "Imola"),
     "partita IVA non valida «03123450376»"),
    (("companies", "add", "--name", "X", "--vat", "03123450375", "--sector", "astronauti", "--municipality",
      "Imola"), "settore sconosciuto «astronauti» (ammessi: Ristoranti, bar / Pulizie"),
    (("companies", "add", "--name", "X", "--vat", "03123450375", "--sector", "Pulizie", "--municipality",
      "Milano"), "Milano è fuori dalla Città metropolitana di Bologna"),
    (("vacancies", "add", "--company", "7", "--role", "x", "--sector", "Pulizie", "--municipality", "Imola",
      "--contract", "indeterminato", "--hours", "Turni"), "non esiste un'azienda con ID 7"),
    (("vacancies", "match", "3"), "non esiste un'offerta con ID 3"),
    (("vacancies", "candidates", "3"), "non esiste un'offerta con ID 3"),
])
def test_wrong_input_is_refused_in_italian(run, db, argv, message):
    status, out, err = run(*argv)
    assert status == 2 and message in err and "Traceback" not in err and out == ""
    assert count(db, Company) == 0


def test_same_vat_twice_and_a_wrong_contract(run, db):
    base = ("--sector", "Pulizie", "--municipality", "Imola")
    assert run("companies", "add", "--name", "A", "--vat", "03123450375", *base)[0] == 0
    status, _, err = run("companies", "add", "--name", "B", "--vat", "03123450375", *base)
    assert status == 2 and "la partita IVA 03123450375 è già dell'azienda «A» (ID 1)" in err
    status, _, err = run("vacancies", "add", "--company", "1", "--role", "x", "--sector", "Pulizie",
                         "--municipality", "Imola", "--contract", "fisso", "--hours", "Turni")
    assert status == 2 and "tipo di contratto sconosciuto «fisso» (ammessi: indeterminato / determinato" in err
    assert count(db, Company) == 1 and count(db, Vacancy) == 0


def test_match_and_candidates(run, db):
    run("companies", "add", "--name", "A", "--vat", "03123450375", "--sector", "Pulizie", "--municipality", "Imola")
    run("vacancies", "add", "--company", "1", "--role", "Addetta pulizie", "--sector", "Pulizie", "--municipality",
        "Imola", "--contract", "determinato", "--hours", "Turni")
    with Session(db) as session:
        for code, comune in (("AAA111", "Imola"), ("BBB222", "Bologna")):
            contact = Contact()
            session.add(contact)
            session.flush()
            session.add(Registration(contact_id=contact.id, code=code, status="registered", first_name="Ada",
                                     last_name=code, municipality=comune, sectors=["cleaning"],
                                     availability=["shifts"], driving="none", italian="good", education="degree"))
        session.add(Candidate(vacancy_id=1, contact_id=contact.id, state="declined", reason="too_far",
                              reason_text="troppo lontano", created_at=NOW, updated_at=NOW))
        session.commit()
    status, out, err = run("vacancies", "match", "1")
    assert status == 0, err
    assert "1. AAA111  AAA111 Ada  90 punti: ha scelto Pulizie; disponibile turni; abita a Imola, stesso comune" in out
    assert "BBB222" not in out and "Esclusi: 1 già proposti per questa offerta." in out
    status, out, _ = run("vacancies", "match", "1", "--max-km", "10", "--interviewed", "--hours-only", "--loose")
    assert status == 0 and "Nessuna persona adatta." in out and "1 senza colloquio" in out
    status, out, _ = run("vacancies", "candidates", "1")
    assert "BBB222" in out and "non interessata" in out and "troppo lontano" in out


def test_bad_option_in_a_real_process(db_url):
    done = subprocess.run([sys.executable, "-m", "bot", "vacancies", "add", "--company", "x"], cwd=ROOT,
                          capture_output=True, text=True, env={"DATABASE_URL": db_url, "PATH": "/usr/bin"})
    assert done.returncode == 2 and "Traceback" not in done.stderr and "parametro --company" in done.stderr
