"""Demo companies and vacancies (part of ``python -m bot demo``): a few plausible firms of the
area, one of them from the CNA campaign, each with a vacancy to try the matching on. Their
partite IVA are made up (valid check digit, Bologna's tax office). Idempotent: a company whose
partita IVA is there already is left as it is, with its vacancies. A history of proposals
(services.demo_history) comes with them, once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from services import companies, demo_history
from store.models import Company

# (company fields, [vacancy fields, ...])
COMPANIES = (
    ({"name": "Pulizie Santerno soc. coop. (demo)", "vat_number": "05123470378", "sector": "cleaning",
      "municipality": "Imola", "address": "Via Emilia 200 (indirizzo di prova)", "contact_person": "Laura Neri",
      "phone": "0542 000001", "source": "campagna CNA", "notes": "Piccola impresa incontrata con la campagna CNA."},
     [{"role": "Addetta/o alle pulizie di uffici", "sector": "cleaning", "municipality": "Imola",
       "contract_type": "fixed_term", "hours": "shifts", "places": 2, "needs_licence": True, "italian": "basic",
       "description": "Pulizie di uffici e scale, turni di mattina presto (6-9) o di sera. Contratto di 6 mesi, "
                      "poi possibile rinnovo."}]),
    ({"name": "Trattoria del Pratello (demo)", "vat_number": "06123480375", "sector": "restaurants",
      "municipality": "Bologna", "address": "Via del Pratello 1 (indirizzo di prova)", "contact_person": "Gino Bassi",
      "source": "Confcommercio"},
     [{"role": "Aiuto cuoco/a", "sector": "restaurants", "municipality": "Bologna", "contract_type": "apprenticeship",
       "hours": "part_time", "italian": "basic",
       "description": "Preparazione delle verdure, aiuto in cucina, pulizia. Sera, dal martedì alla domenica."}]),
    ({"name": "Logistica Interporto srl (demo)", "vat_number": "07123490372", "sector": "logistics",
      "municipality": "Bentivoglio", "contact_person": "Marta Galli", "source": "diretto"},
     [{"role": "Magazziniere/a con patentino del muletto", "sector": "logistics", "municipality": "Bentivoglio",
       "contract_type": "agency", "hours": "shifts", "places": 4, "needs_licence": True, "needs_car": True,
       "education": "lower_secondary",
       "description": "Carico e scarico merci, turni a rotazione. L'Interporto si raggiunge male con i mezzi: "
                      "serve l'auto."}]),
)


def load(sql_session: Session, *, now: dt.datetime) -> tuple[int, int]:
    """(companies created, vacancies created)."""
    known = set(sql_session.scalars(select(Company.vat_number)))
    made = vacancies = 0
    for fields, wanted in COMPANIES:
        if fields["vat_number"] in known:
            continue
        company = companies.create_company(sql_session, now=now, created_by="demo", **fields)
        made += 1
        for vacancy in wanted:
            companies.create_vacancy(sql_session, company_id=company.id, now=now, created_by="demo", **vacancy)
            vacancies += 1
    more = demo_history.load(sql_session, now=now)  # proposals answered, hirings: the dashboard's figures
    return made + more[0], vacancies + more[1]
