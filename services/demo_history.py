"""The demo's history of job proposals (part of services.demo_companies), so that the dashboard's
figures of companies, vacancies and proposals show something plausible from the first start: the
CNA campaign's cleaning firm came a year ago, when a vacancy of theirs was proposed to six people
and covered; this semester a bakery came with the same campaign and its vacancy, proposed to
nine, is covered too. The people are anonymous demo contacts (no registration: the vacancies'
pages show them as erased), with their path's steps (interview, selection, placement) as the
office would have recorded them. Dates fall in the current semester and in the same semester a
year before, whatever the day. Run once, with the demo companies."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from conversations.i18n import TIMEZONE

from services import companies
from services.candidacy import PUT_FORWARD
from services.figures import Semester
from store.models import Candidate, ChannelIdentity, Company, Contact, ProgrammeEvent

CNA_CLEANING = "05123470378"  # services.demo_companies' first company
BAKERY = {"name": "Forno Santa Viola (demo)", "vat_number": "08123500376", "sector": "restaurants",
          "municipality": "Bologna", "contact_person": "Rita Monti", "source": "campagna CNA",
          "notes": "Piccolo forno di quartiere, arrivato con la campagna CNA."}
# (state, reason of "No, thanks", days from proposal to the contract's start, contract)
LAST_YEAR = (("hired", None, 21, "permanent"), ("declined", "too_far", None, None),
             ("declined", "hours", None, None), ("not_selected", None, None, None),
             ("refused_contract", None, None, None), ("withdrew", None, None, None))
THIS_SEMESTER = (("hired", None, 14, "apprenticeship"), ("hired", None, 28, "permanent"),
                 ("declined", "too_far", None, None), ("declined", "too_far", None, None),
                 ("declined", "pay", None, None), ("declined", "found_work", None, None),
                 ("put_forward", None, None, None), ("interested", None, None, None), ("proposed", None, None, None))


def load(sql_session: Session, *, now: dt.datetime) -> tuple[int, int]:
    """(companies created, vacancies created): none when the bakery is there already."""
    if sql_session.scalar(select(Company.id).where(Company.vat_number == BAKERY["vat_number"])) is not None:
        return 0, 0
    this = _in_this_semester(now, 40)
    before = _a_year_before(this)
    cleaning = sql_session.scalar(select(Company).where(Company.vat_number == CNA_CLEANING))
    made = 0
    if cleaning is not None:
        cleaning.created_at = _a_year_before(_in_this_semester(now, 60))
        old = companies.create_vacancy(
            sql_session, company_id=cleaning.id, now=before, created_by="demo", role="Addetta/o alle pulizie di scuole",
            sector="cleaning", municipality="Imola", contract_type="permanent", hours="part_time", italian="basic")
        old.status = "closed_filled"
        _candidates(sql_session, old.id, before, LAST_YEAR, first=1, now=now)
        made += 1
    bakery = companies.create_company(sql_session, now=_in_this_semester(now, 50), created_by="demo", **BAKERY)
    vacancy = companies.create_vacancy(
        sql_session, company_id=bakery.id, now=this, created_by="demo", role="Aiuto fornaio/a", sector="restaurants",
        municipality="Bologna", contract_type="apprenticeship", hours="shifts",
        description="Impasti e infornate dalle 4 alle 10, dal martedì alla domenica.")
    vacancy.status = "closed_filled"
    _candidates(sql_session, vacancy.id, this, THIS_SEMESTER, first=len(LAST_YEAR) + 1, now=now)
    sql_session.flush()
    return 1, made + 1


def _in_this_semester(now: dt.datetime, days: int) -> dt.datetime:
    """``days`` before ``now``, but not before 9:00 of the semester's first day."""
    floor = Semester.of(now.astimezone(TIMEZONE).date()).span()[0] + dt.timedelta(hours=9)
    return min(now, max(now - dt.timedelta(days=days), floor))


def _a_year_before(moment: dt.datetime) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


def _candidates(sql_session: Session, vacancy_id: int, proposed: dt.datetime, plan, *, first: int,
                now: dt.datetime) -> None:
    """One candidacy per line of ``plan``, proposed at ``proposed``, with the path's steps."""
    company = companies.get_company(sql_session, companies.get_vacancy(sql_session, vacancy_id).company_id).name
    day = proposed.astimezone(TIMEZONE).date()
    today = now.astimezone(TIMEZONE).date()
    for number, (state, reason, days, contract) in enumerate(plan, start=first):
        contact_id = _contact(sql_session, number)
        row = Candidate(vacancy_id=vacancy_id, contact_id=contact_id, state=state, reason=reason, created_by="demo",
                        created_at=proposed, updated_at=proposed)
        sql_session.add(row)
        sql_session.flush()
        steps = [("interviewed", day - dt.timedelta(days=7), None, None)]
        if state in PUT_FORWARD:
            steps.append(("selection", min(day + dt.timedelta(days=2), today), company,
                          f"candidate:{row.id}:selection"))
        if days is not None:
            steps.append(("placement", day + dt.timedelta(days=days), company, f"candidate:{row.id}:placed"))
        for kind, on, name, key in steps:
            sql_session.add(ProgrammeEvent(contact_id=contact_id, kind=kind, day=on, company=name,
                                           contract_type=contract if kind == "placement" else None,
                                           source="proposal" if key else "office", source_key=key, created_by="demo"))


def _contact(sql_session: Session, number: int) -> int:
    """The anonymous contact "demo-job-NN", created the first time."""
    external_id = f"demo-job-{number:02d}"
    found = sql_session.scalar(select(ChannelIdentity.contact_id).where(
        ChannelIdentity.scheme == "demo", ChannelIdentity.external_id == external_id))
    if found:
        return found
    contact = Contact()
    sql_session.add(contact)
    sql_session.flush()
    sql_session.add(ChannelIdentity(contact_id=contact.id, scheme="demo", external_id=external_id))
    return contact.id
