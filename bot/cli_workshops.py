"""Operator commands on workshops (add a session, list, participants) and the demo data."""
from __future__ import annotations

import argparse
import datetime as dt

from sqlmodel import Session

from services import agenda, demo, rosters
from store.models import WorkshopSession

from bot import cli_text as text
from bot.cli_input import CliError

SEAT_STATUS = {"registered": "iscritto", "waitlisted": "in attesa", "attended": "presente", "no_show": "assente"}


def workshops_add(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start_day, start_time = args.start
    end_day, end_time = args.end
    starts_at, ends_at = agenda.local(start_day, start_time), agenda.local(end_day or start_day, end_time)
    workshop = agenda.add_workshop(session, title=args.title, starts_at=starts_at, ends_at=ends_at,
                                   place=args.place, capacity=args.capacity, now=now, language=args.language,
                                   description=args.description)
    return (f"Creata la sessione {workshop.id}: «{workshop.title}», {text.span(workshop)}, "
            f"{workshop.place}, {workshop.capacity} posti, lingua {workshop.language}")


def workshops_list(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    rows = rosters.workshops(session, now=None if args.all else now)
    if not rows:
        return "Nessuna sessione di workshop." if args.all else "Nessuna sessione di workshop in programma."
    return text.table(("ID", "quando", "titolo", "posti", "in attesa", "lingua", "stato", "luogo"), [
        (w.id, text.span(w), w.title, f"{w.registered}/{w.capacity}", row.waitlisted, w.language,
         "annullata" if w.cancelled_at else ("completa" if w.registered >= w.capacity else ""), w.place)
        for row in rows for w in [row.workshop]])


def workshops_participants(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    found = rosters.participants(session, session_id=args.id)
    if found is None:
        raise CliError(f"non esiste una sessione di workshop con ID {args.id}")
    workshop = session.get(WorkshopSession, args.id)
    seated = sum(1 for p in found if p.position is None)
    header = (f"«{workshop.title}», {text.span(workshop)}, {workshop.place}\n"
              f"Iscritti {seated}/{workshop.capacity}, in lista d'attesa {len(found) - seated}")
    if not found:
        return header + "\n\nNessun iscritto."
    return header + "\n\n" + text.table(("iscrizione", "stato", "persona", "telefono", "codice", "dal"), [
        (p.seat.id, f"in attesa n. {p.position}" if p.position else SEAT_STATUS.get(p.seat.status, p.seat.status),
         text.person_name(p.person), text.field(p.person, "phone"), text.field(p.person, "code"),
         text.when(p.seat.created_at)) for p in found])


# -- demo -------------------------------------------------------------------------------

def demo_load(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    report = demo.load(session, now=now)
    lines = ["Dati di prova:", ""]
    for plan, result in report.slots:
        where = plan.address if plan.mode == "in_person" else text.mode(plan.mode)
        lines.append(f"- colloqui {text.days_text([plan.weekday])} {plan.opens:%H:%M}-{plan.closes:%H:%M} "
                     f"({plan.minutes} min), {plan.operator}, {where}: creati {len(result.created)}, "
                     f"già presenti {result.existing}")
    if report.workshops:
        lines.append(f"- workshop «{demo.CYCLE}»: create {len(report.workshops)} sessioni")
        for workshop in report.workshops:
            lines.append(f"    {workshop.id}: {text.span(workshop)}, «{workshop.title}», "
                         f"{workshop.registered}/{workshop.capacity} posti occupati")
    else:
        lines.append(f"- workshop «{demo.CYCLE}»: già in programma ({report.cycle_already_there} sessioni), "
                     "nulla da aggiungere")
    created = sum(len(r.created) for _plan, r in report.slots) + len(report.workshops)
    if not created:
        lines += ["", "Nulla di nuovo: i dati di prova c'erano già."]
    nearly_full = [w for w in report.workshops if w.capacity - w.registered == 1]
    lines += ["", "Per provare: python -m bot console (la chat nel terminale): registrati, prenota un colloquio, "
              "iscriviti a un workshop."]
    if nearly_full:
        lines.append(f"La sessione {nearly_full[0].id} ha un solo posto libero: una seconda persona "
                     "(per esempio LOGNAME=prova2 python -m bot console) finisce in lista d'attesa e "
                     "prende il posto se la prima lo lascia.")
    lines.append("Elenchi: python -m bot slots list, workshops list, bookings list, registrations list.")
    return "\n".join(lines)
