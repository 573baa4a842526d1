"""Operator commands on workshops (add a session, list, participants) and the demo data."""
from __future__ import annotations

import argparse
import datetime as dt

from sqlmodel import Session

from services import agenda, demo, public_holidays, rosters

from bot import cli_text as text
from bot.cli_input import CliError

SEAT_STATUS = {"registered": "iscritto", "waitlisted": "in attesa", "attended": "presente", "no_show": "assente"}


def workshops_add(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start_day, start_time = args.start
    end_day, end_time = args.end
    starts_at, ends_at = agenda.local(start_day, start_time), agenda.local(end_day or start_day, end_time)
    workshop_session = agenda.add_workshop(sql_session, title=args.title, starts_at=starts_at, ends_at=ends_at,
                                           place=args.place, capacity=args.capacity, now=now,
                                           language=args.language, description=args.description)
    return (f"Creata la sessione {workshop_session.id}: «{workshop_session.title}», "
            f"{text.span(workshop_session)}, {workshop_session.place}, {workshop_session.capacity} posti, "
            f"lingua {workshop_session.language}")


def workshops_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    rows = rosters.workshops(sql_session, now=None if args.all else now)
    if not rows:
        return "Nessuna sessione di workshop." if args.all else "Nessuna sessione di workshop in programma."
    return text.table(("ID", "quando", "titolo", "posti", "in attesa", "lingua", "stato", "luogo"), [
        _workshop_row(row.workshop, row.waitlisted) for row in rows])


def _workshop_row(workshop_session, waitlisted: int) -> tuple:
    full = workshop_session.registered >= workshop_session.capacity
    return (workshop_session.id, text.span(workshop_session), workshop_session.title,
            f"{workshop_session.registered}/{workshop_session.capacity}", waitlisted, workshop_session.language,
            "annullata" if workshop_session.cancelled_at else ("completa" if full else ""), workshop_session.place)


def workshops_participants(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    found = rosters.participants(sql_session, workshop_session_id=args.id)
    if found is None:
        raise CliError(f"non esiste una sessione di workshop con ID {args.id}")
    workshop_session = rosters.workshop(sql_session, args.id)
    seated = sum(1 for p in found if p.position is None)
    header = (f"«{workshop_session.title}», {text.span(workshop_session)}, {workshop_session.place}\n"
              f"Iscritti {seated}/{workshop_session.capacity}, in lista d'attesa {len(found) - seated}")
    if not found:
        return header + "\n\nNessun iscritto."
    return header + "\n\n" + text.table(("iscrizione", "stato", "persona", "telefono", "codice", "dal"), [
        (p.seat.id, f"in attesa n. {p.position}" if p.position else SEAT_STATUS.get(p.seat.status, p.seat.status),
         text.person_name(p.person), text.field(p.person, "phone"), text.field(p.person, "code"),
         text.when(p.seat.created_at)) for p in found])


# -- demo -------------------------------------------------------------------------------

def demo_load(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    report = demo.load(sql_session, now=now)
    lines = ["Dati di prova:", ""]
    for plan, result in report.slots:
        where = plan.address if plan.mode == "in_person" else text.mode(plan.mode)
        lines.append(f"- colloqui {text.days_text([plan.weekday])} {plan.opens:%H:%M}-{plan.closes:%H:%M} "
                     f"({plan.minutes} min), {plan.operator}, {where}: creati {len(result.created)}, "
                     f"già presenti {result.existing}")
        if result.holidays:
            lines.append(f"    saltati i festivi: {public_holidays.listed(result.holidays)}")
    if report.workshops:
        lines.append(f"- workshop «{demo.CYCLE}»: create {len(report.workshops)} sessioni")
        for workshop_session in report.workshops:
            lines.append(f"    {workshop_session.id}: {text.span(workshop_session)}, «{workshop_session.title}», "
                         f"{workshop_session.registered}/{workshop_session.capacity} posti occupati")
    else:
        lines.append(f"- workshop «{demo.CYCLE}»: già in programma ({report.cycle_already_there} sessioni), "
                     "nulla da aggiungere")
    made, vacancies = report.companies
    lines.append(f"- aziende di prova: create {made}, con {vacancies} offerte" if made
                 else "- aziende di prova: già presenti")
    lines.append(f"- informazioni sul programma: {report.info_topics} argomenti aggiunti" if report.info_topics
                 else "- informazioni sul programma: già presenti")
    created = sum(len(r.created) for _plan, r in report.slots) + len(report.workshops) + made + report.info_topics
    if not created:
        lines += ["", "Nulla di nuovo: i dati di prova c'erano già."]
    nearly_full = [ws for ws in report.workshops if ws.capacity - ws.registered == 1]
    lines += ["", "Per provare: python -m bot console (la chat nel terminale): registrati, prenota un colloquio, "
              "iscriviti a un workshop."]
    if nearly_full:
        lines.append(f"La sessione {nearly_full[0].id} ha un solo posto libero: una seconda persona "
                     "(per esempio LOGNAME=prova2 python -m bot console) finisce in lista d'attesa e "
                     "prende il posto se la prima lo lascia.")
    lines.append("Elenchi: python -m bot slots list, workshops list, bookings list, registrations list, "
                 "companies list, vacancies list.")
    return "\n".join(lines)
