"""Operator commands on interview slots: add one, generate from a weekly pattern, list, cancel.
The work is services.agenda's, as for the back office's agenda page."""
from __future__ import annotations

import argparse
import datetime as dt

from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import agenda, public_holidays, rosters

from bot import cli_text as text
from bot.cli_input import CliError


def slots_add(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    day, time = args.start
    slot = agenda.add_slot(sql_session, starts_at=agenda.local(day, time), now=now, duration_minutes=args.duration,
                           mode=args.mode, address=args.address, operator=args.operator, capacity=args.capacity)
    return f"Creato il colloquio {slot.id}: {text.slot_line(slot)}"


def slots_pattern(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    first = args.start or now.astimezone(TIMEZONE).date()
    try:
        result = agenda.add_pattern(
            sql_session, first_day=first, last_day=first + dt.timedelta(days=7 * args.weeks - 1),
            weekdays=args.days, opens=args.opens, closes=args.closes, now=now, duration_minutes=args.duration,
            mode=args.mode, address=args.address, operator=args.operator, capacity=args.capacity,
            include_holidays=args.include_holidays)
    except agenda.AgendaError as problem:
        if problem.reason != "window":
            raise
        raise CliError(f"un colloquio di {args.duration} minuti non entra nella fascia "
                       f"{args.opens:%H:%M}-{args.closes:%H:%M}") from None
    lines = [f"Schema: {text.days_text(args.days)} {args.opens:%H:%M}-{args.closes:%H:%M}, "
             f"colloqui da {args.duration} minuti, {args.weeks} settimane dal {text.day(first)}, "
             f"operatore {args.operator}.",
             f"Creati {len(result.created)} colloqui; già presenti {result.existing}; già passati {result.past}."]
    if result.holidays:
        lines.append(f"Saltati i festivi: {public_holidays.listed(result.holidays)} (per crearli: --festivi).")
    if result.created:
        lines += ["", _slots_table(result.created)]
    return "\n".join(lines)


def slots_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start, end, label = text.period(args.since, args.days, now)
    slots = agenda.slots_between(sql_session, start=start, end=end)
    if not slots:
        return f"Nessun colloquio {label}."
    free = sum(s.capacity - s.booked for s in slots if s.cancelled_at is None)
    return f"Colloqui {label}: {len(slots)} ({free} posti liberi)\n\n{_slots_table(slots)}"


def slots_cancel(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    done = agenda.cancel_slot(sql_session, slot_id=args.id, now=now)  # it tells the people booked
    cancelled = done.rows
    slot = rosters.slot(sql_session, args.id)
    lines = [f"Annullato il colloquio {slot.id}: {text.slot_line(slot)}"]
    if not cancelled:
        lines.append("Non c'erano prenotazioni.")
        return "\n".join(lines)
    named = rosters.people(sql_session, (b.contact_id for b in cancelled))
    lines += [f"Prenotazioni annullate: {len(cancelled)} (motivo: «{agenda.OFFICE_CANCELLED}»). "
              "Il bot avvisa ogni persona raggiungibile; le altre vanno chiamate.", ""]
    lines.append(text.table(("prenotazione", "persona", "telefono", "codice", "avviso del bot"), [
        (b.id, text.person_name(named.get(b.contact_id)), text.field(named.get(b.contact_id), "phone"),
         text.field(named.get(b.contact_id), "code"), "in coda" if b.id in done.told else "non raggiungibile")
        for b in cancelled]))
    return "\n".join(lines)


def _slots_table(slots) -> str:
    return text.table(("ID", "quando", "min", "operatore", "modalità", "prenotati", "stato", "indirizzo"), [
        (s.id, text.when(s.starts_at), s.duration_minutes, s.operator, text.mode(s.mode),
         f"{s.booked}/{s.capacity}", "annullato" if s.cancelled_at else "", s.address or "") for s in slots])
