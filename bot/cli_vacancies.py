"""Operator commands of companies and vacancies (parsers in bot.cli_placement); the output is
Italian, a wrong input raises services.operator_input.Invalid (bot.cli_commands prints it)."""
from __future__ import annotations

import argparse
import datetime as dt

from sqlmodel import Session

from services import companies, matching, matching_words, placement_words as words

from bot import cli_text as text


def companies_add(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    company = companies.create_company(
        sql_session, now=now, created_by="riga di comando", name=args.name, vat_number=args.vat, sector=args.sector,
        municipality=args.municipality, source=args.source, address=args.address,
        contact_person=args.contact_person, phone=args.phone, email=args.email)
    return (f"Azienda aggiunta: ID {company.id}, {company.name} (P.IVA {company.vat_number}), "
            f"{words.label('sector', company.sector)}, {company.municipality}.")


def companies_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    rows = companies.companies(sql_session)
    if not rows:
        return "Nessuna azienda."
    return f"Aziende: {len(rows)}\n\n" + text.table(
        ("ID", "nome", "partita IVA", "settore", "comune", "provenienza", "offerte aperte/tutte"),
        [(r.company.id, r.company.name, r.company.vat_number, words.label("sector", r.company.sector),
          r.company.municipality, r.company.source or "-", f"{r.open_vacancies}/{r.vacancies}") for r in rows])


def vacancies_add(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    vacancy = companies.create_vacancy(
        sql_session, company_id=args.company, now=now, created_by="riga di comando", role=args.role,
        sector=args.sector, municipality=args.municipality, contract_type=args.contract, hours=args.hours,
        places=args.places, start_date=args.start, needs_licence=args.licence or args.car, needs_car=args.car,
        italian=args.italian, education=args.education, description=args.description)
    return f"Offerta aggiunta: ID {vacancy.id}, {describe(vacancy)}."


def vacancies_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    status = words.read("status", args.status) if args.status else None
    rows = companies.vacancies(sql_session, status=status)
    if not rows:
        return "Nessuna offerta."
    return f"Offerte: {len(rows)}\n\n" + text.table(
        ("ID", "azienda", "mansione", "comune", "contratto", "orario", "posti", "stato"),
        [(v.id, c.name, v.role, v.municipality, words.label("contract", v.contract_type), words.label("hours", v.hours),
          v.places, words.label("status", v.status)) for v, c in rows])


def vacancies_match(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    filters = matching.Filters(max_km=args.max_km, interviewed_only=args.interviewed, free_only=args.free,
                               sector_only=args.sector_only, hours_only=args.hours_only, strict=not args.loose)
    result = matching.match(sql_session, args.id, filters, limit=args.limit)
    head = f"Offerta {result.vacancy.id}: {describe(result.vacancy)}, {result.company_name}."
    excluded = matching_words.excluded_line(result.excluded)
    if not result.people:
        return "\n".join(line for line in (head, "Nessuna persona adatta.", excluded) if line)
    lines = [head, f"Persone adatte: {result.total} (le prime {len(result.people)})", ""]
    for rank, person in enumerate(result.people, 1):
        lines.append(f"{rank:>3}. {person.code}  {person.name}  {person.explanation}")
    if excluded:
        lines += ["", excluded]
    return "\n".join(lines)


def vacancies_candidates(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    vacancy = companies.get_vacancy(sql_session, args.id)
    rows = companies.candidates(sql_session, args.id)
    head = f"Offerta {vacancy.id}: {describe(vacancy)}."
    if not rows:
        return head + "\nNessun candidato per ora."
    return head + f"\nCandidati: {len(rows)}\n\n" + text.table(
        ("codice", "persona", "stato", "motivo", "dal"),
        [(r.code if r else "-", text.person_name(r), words.CANDIDATE_STATES.get(c.state, c.state),
          c.reason_text or words.DECLINE_REASONS.get(c.reason or "", c.reason or "-"), text.day(c.updated_at))
         for c, r in rows])


def describe(vacancy) -> str:
    return (f"{vacancy.role} a {vacancy.municipality}, {words.label('contract', vacancy.contract_type)}, "
            f"{words.label('hours', vacancy.hours).lower()}, {words.label('status', vacancy.status)}")
