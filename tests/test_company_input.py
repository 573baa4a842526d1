"""The words and checks of companies and vacancies: the partita IVA (as python-stdnum's
stdnum.it.iva checks it), the chat's Italian labels read back to codes, the 55 comuni's
coordinates and distances, and the demo companies (idempotent)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from conversations.coordinates import COORDINATES, distance_km
from conversations.municipalities import COMUNI
from services import company_input, demo_companies, placement_words as words, vat
from services.operator_input import Invalid
from store.models import Company, Vacancy
from tests.conftest import NOW


@pytest.mark.parametrize("text, expected", [
    ("03123450375", "03123450375"), ("IT 031 2345 0375", "03123450375"), ("it03123450375", "03123450375"),
    ("00743110157", "00743110157"),  # another valid one
    ("03123450376", None),  # wrong check digit
    ("0312345037", None), ("031234503755", None), ("0312345037A", None),  # length, letters
    ("00000000000", None),  # no taxpayer number
    ("01234567897", None),  # tax office 789 does not exist
    ("", None),
])
def test_partita_iva(text, expected):
    assert vat.valid(text) == expected


@pytest.mark.parametrize("text, why", [
    ("03123450376", "cifra di controllo"), ("0312345037", "11 cifre"), ("0312345037A", "11 cifre"),
    ("01234567897", "ufficio delle entrate"), ("", "11 cifre"),
])
def test_what_is_wrong_is_said_in_italian(text, why):
    assert why in vat.problem(text)
    assert vat.problem("IT 031.2345/0375") is None


@pytest.mark.parametrize("kind, typed, code", [
    ("sector", "Ristoranti, bar", "restaurants"), ("sector", "PULIZIE", "cleaning"), ("sector", "cleaning", "cleaning"),
    ("sector", "Restaurants, bars", "restaurants"), ("sector", "lavoro d’ufficio", "office"),
    ("hours", "Tempo pieno", "full_time"), ("hours", "full_time", "full_time"), ("hours", "turni", "shifts"),
    ("contract", "Tempo indeterminato", "permanent"), ("contract", "somministrazione", "agency"),
    ("contract", "tirocinio", "internship"), ("italian", "base", "basic"), ("education", "Licenza media",
                                                                               "lower_secondary"),
    ("status", "chiusa, non coperta", "closed_unfilled"),
])
def test_the_chats_italian_labels_are_read(kind, typed, code):
    assert words.read(kind, typed) == code


def test_an_unknown_word_lists_the_words():
    with pytest.raises(Invalid, match="orario sconosciuto «notte» \\(ammessi: Tempo pieno / Part time / Turni\\)"):
        words.read("hours", "notte")


def test_a_company_is_checked_field_by_field():
    fields = company_input.company(name="  Bar   Centrale ", vat_number="IT04123460372", sector="Ristoranti, bar",
                                   municipality="san lazaro", phone="051 234567", email="Info@Bar.example")
    assert (fields["name"], fields["vat_number"], fields["sector"], fields["municipality"], fields["phone"]) == (
        "Bar Centrale", "04123460372", "restaurants", "San Lazzaro di Savena", "+39051234567")
    with pytest.raises(Invalid, match="comune sconosciuto «Xyzzy»") as refused:
        company_input.company(name="X", vat_number="04123460372", sector="Pulizie", municipality="Xyzzy")
    assert refused.value.reason == "municipality"


def test_every_comune_has_coordinates_and_distances_make_sense():
    assert set(COORDINATES) == set(COMUNI)
    for lat, lon in COORDINATES.values():  # the metropolitan city's box
        assert 44.05 < lat < 44.85 and 10.8 < lon < 11.9
    assert distance_km("Bologna", "Bologna") == 0
    assert 30 < distance_km("Bologna", "Imola") < 36  # 33 km as the crow flies
    assert 5 < distance_km("Bologna", "San Lazzaro di Savena") < 7
    assert distance_km("Imola", "Bologna") == distance_km("Bologna", "Imola")
    assert distance_km("Bologna", "Milano") is None


def test_demo_companies_once(db):
    with Session(db) as session:
        assert demo_companies.load(session, now=NOW) == (4, 5)  # with the history of proposals
        assert demo_companies.load(session, now=NOW) == (0, 0)
        session.commit()
        sources = set(session.scalars(select(Company.source)))
        assert "campagna CNA" in sources and session.scalar(select(func.count()).select_from(Vacancy)) == 5


@pytest.mark.parametrize("now", [NOW, dt.datetime(2027, 1, 2, 7, tzinfo=dt.timezone.utc)])
def test_the_demo_gives_the_dashboard_figures_this_semester_and_a_year_before(db, now):
    from services import job_figures
    from services.figures import Semester
    with Session(db) as session:
        demo_companies.load(session, now=now)
        session.commit()
        report = job_figures.report(session, Semester.of(now.date()))
    this, before = report.figures, report.year_before
    assert (this.companies_new, this.vacancies_opened, this.vacancies_covered) == (3, 4, 1)
    assert (this.proposed, this.interested, this.declined, this.put_forward, this.hired) == (9, 4, 4, 3, 2)
    assert (this.days_to_hire, this.hired_permanent_share) == (21.0, 0.5)
    assert (before.companies_involved, before.proposed, before.hired, before.contract_refused) == (1, 6, 1, 1)
    assert report.reasons["too_far"] == (2, 1, 3) and report.sources[0].source == "campagna CNA"
