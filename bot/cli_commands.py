"""The operator commands: each runs in one transaction on the migrated database and returns
the text to print, printed only once the transaction is committed."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Callable

from sqlmodel import Session

from conversations.i18n import TIMEZONE
from db import agenda, demo, migrate, rosters
from db.engine import make_engine
from db.models import InterviewSlot, WorkshopSession, utcnow

from . import cli_text as text
from . import office_notices

SLOT_REFUSALS = {
    "past": "l'orario è già passato",
    "exists": "l'operatore ha già un colloquio a quell'ora",
    "not_found": "non esiste un colloquio con questo ID",
    "cancelled": "il colloquio è già annullato",
    "order": "la fine viene prima dell'inizio",
}
BOOKING_STATUS = {"booked": "prenotato", "cancelled": "annullato", "attended": "svolto", "no_show": "assente"}
SEAT_STATUS = {"registered": "iscritto", "waitlisted": "in attesa", "attended": "presente", "no_show": "assente"}


class CliError(Exception):
    """An input the database refuses: printed as "errore: ...", exit status 2."""


def execute(args: argparse.Namespace, settings, *, now: dt.datetime | None = None) -> int:
    command = COMMANDS[(args.command, getattr(args, "action", None))]
    db = make_engine(settings.database_url)
    try:
        migrate.upgrade(db)
        with Session(db) as session, session.begin():
            output = command(session, args, now or utcnow())
    except CliError as error:
        print(f"errore: {error}", file=sys.stderr)
        return 2
    except agenda.AgendaError as error:
        print(f"errore: {SLOT_REFUSALS.get(error.reason, error.reason)}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(output)
    return 0


def _instant(args: argparse.Namespace, name: str) -> dt.datetime:
    day, time = getattr(args, name)
    return agenda.local(day, time)


def _period(args: argparse.Namespace, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    first = args.since or now.astimezone(TIMEZONE).date()
    last = first + dt.timedelta(days=args.days - 1)
    label = f"dal {text.day(first)} al {text.day(last)}" if last > first else f"di {text.day(first)}"
    return agenda.local(first, dt.time(0)), agenda.local(last + dt.timedelta(days=1), dt.time(0)), label


def _check_address(args: argparse.Namespace) -> None:
    if args.mode == "in_person" and not args.address:
        raise CliError("--address è obbligatorio per i colloqui in presenza")


# -- slots ------------------------------------------------------------------------------

def slots_add(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    _check_address(args)
    slot = agenda.add_slot(session, starts_at=_instant(args, "start"), now=now, duration_minutes=args.duration,
                           mode=args.mode, address=args.address, operator=args.operator, capacity=args.capacity)
    return f"Creato il colloquio {slot.id}: {_slot_line(slot)}"


def slots_pattern(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    _check_address(args)
    if args.closes <= args.opens:
        raise CliError("--to deve venire dopo --from")
    if dt.datetime.combine(dt.date.min, args.opens) + dt.timedelta(minutes=args.duration) > \
            dt.datetime.combine(dt.date.min, args.closes):
        raise CliError(f"un colloquio di {args.duration} minuti non entra nella fascia "
                       f"{args.opens:%H:%M}-{args.closes:%H:%M}")
    first = args.start or now.astimezone(TIMEZONE).date()
    starts = agenda.pattern_starts(first_day=first, weeks=args.weeks, weekdays=args.days, opens=args.opens,
                                   closes=args.closes, minutes=args.duration)
    result = agenda.add_slots(session, starts=starts, now=now, duration_minutes=args.duration, mode=args.mode,
                              address=args.address, operator=args.operator, capacity=args.capacity)
    lines = [f"Schema: {text.days_text(args.days)} {args.opens:%H:%M}-{args.closes:%H:%M}, "
             f"colloqui da {args.duration} minuti, {args.weeks} settimane dal {text.day(first)}, "
             f"operatore {args.operator}.",
             f"Creati {len(result.created)} colloqui; già presenti {result.existing}; già passati {result.past}."]
    if result.created:
        lines += ["", _slots_table(result.created)]
    return "\n".join(lines)


def slots_list(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start, end, label = _period(args, now)
    slots = agenda.slots_between(session, start=start, end=end)
    if not slots:
        return f"Nessun colloquio {label}."
    free = sum(s.capacity - s.booked for s in slots if s.cancelled_at is None)
    return f"Colloqui {label}: {len(slots)} ({free} posti liberi)\n\n{_slots_table(slots)}"


def slots_cancel(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    notify = office_notices.slot_cancelled_notifier(session, now=now)
    cancelled = agenda.cancel_slot(session, slot_id=args.id, now=now, notify=notify)
    slot = session.get(InterviewSlot, args.id)
    lines = [f"Annullato il colloquio {slot.id}: {_slot_line(slot)}"]
    if not cancelled:
        lines.append("Non c'erano prenotazioni.")
        return "\n".join(lines)
    named = rosters.people(session, (b.contact_id for b in cancelled))
    lines.append(f"Prenotazioni annullate: {len(cancelled)} (motivo: «{agenda.OFFICE_CANCELLED}»); "
                 "ogni persona riceve un avviso dal bot:")
    lines.append(text.table(("prenotazione", "persona", "telefono", "codice"), [
        (b.id, text.person_name(named.get(b.contact_id)), _field(named.get(b.contact_id), "phone"),
         _field(named.get(b.contact_id), "code")) for b in cancelled]))
    return "\n".join(lines)


def _slot_line(slot) -> str:
    where = slot.address if slot.mode == "in_person" else text.MODES.get(slot.mode, slot.mode)
    return f"{text.when(slot.starts_at)}, {slot.duration_minutes} min, {slot.operator}, {where}"


def _slots_table(slots) -> str:
    return text.table(("ID", "quando", "min", "operatore", "modalità", "prenotati", "stato", "indirizzo"), [
        (s.id, text.when(s.starts_at), s.duration_minutes, s.operator, text.MODES.get(s.mode, s.mode),
         f"{s.booked}/{s.capacity}", "annullato" if s.cancelled_at else "", s.address or "") for s in slots])


def _field(registration, name: str) -> str:
    return getattr(registration, name, None) or "-"


# -- workshops --------------------------------------------------------------------------

def workshops_add(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start_day, start_time = args.start
    end_day, end_time = args.end
    starts_at, ends_at = agenda.local(start_day, start_time), agenda.local(end_day or start_day, end_time)
    workshop = agenda.add_workshop(session, title=args.title, starts_at=starts_at, ends_at=ends_at,
                                   place=args.place, capacity=args.capacity, now=now, language=args.language,
                                   description=args.description.strip())
    return (f"Creata la sessione {workshop.id}: «{workshop.title}», {_span(workshop)}, "
            f"{workshop.place}, {workshop.capacity} posti, lingua {workshop.language}")


def workshops_list(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    rows = rosters.workshops(session, now=None if args.all else now)
    if not rows:
        return "Nessuna sessione di workshop." if args.all else "Nessuna sessione di workshop in programma."
    return text.table(("ID", "quando", "titolo", "posti", "in attesa", "lingua", "stato", "luogo"), [
        (w.id, _span(w), w.title, f"{w.registered}/{w.capacity}", row.waitlisted, w.language,
         "annullata" if w.cancelled_at else ("completa" if w.registered >= w.capacity else ""), w.place)
        for row in rows for w in [row.workshop]])


def workshops_participants(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    found = rosters.participants(session, session_id=args.id)
    if found is None:
        raise CliError(f"non esiste una sessione di workshop con ID {args.id}")
    workshop = session.get(WorkshopSession, args.id)
    seated = sum(1 for p in found if p.position is None)
    header = (f"«{workshop.title}», {_span(workshop)}, {workshop.place}\n"
              f"Iscritti {seated}/{workshop.capacity}, in lista d'attesa {len(found) - seated}")
    if not found:
        return header + "\n\nNessun iscritto."
    return header + "\n\n" + text.table(("iscrizione", "stato", "persona", "telefono", "codice", "dal"), [
        (p.seat.id, f"in attesa n. {p.position}" if p.position else SEAT_STATUS.get(p.seat.status, p.seat.status),
         text.person_name(p.person), _field(p.person, "phone"), _field(p.person, "code"),
         text.when(p.seat.created_at)) for p in found])


def _span(workshop) -> str:
    end = text.hour(workshop.ends_at)
    if text.day(workshop.ends_at) != text.day(workshop.starts_at):
        end = text.when(workshop.ends_at)
    return f"{text.when(workshop.starts_at)}-{end}"


# -- people -----------------------------------------------------------------------------

def bookings_list(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start, end, label = _period(args, now)
    rows = rosters.bookings_between(session, start=start, end=end, statuses=None if args.all else ("booked",))
    if not rows:
        return f"Nessun colloquio prenotato {label}."
    return f"Colloqui prenotati {label}: {len(rows)}\n\n" + text.table(
        ("quando", "persona", "telefono", "codice", "operatore", "modalità", "stato", "colloquio"), [
            (text.when(r.slot.starts_at), text.person_name(r.person), _field(r.person, "phone"),
             _field(r.person, "code"), r.slot.operator, text.MODES.get(r.slot.mode, r.slot.mode),
             BOOKING_STATUS.get(r.booking.status, r.booking.status), r.slot.id) for r in rows])


def registrations_list(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    rows = rosters.registrations(session, status=args.status)
    if not rows:
        return f"Nessuna registrazione con stato «{args.status}»." if args.status else "Nessuna registrazione."
    return f"Registrazioni: {len(rows)}\n\n" + text.table(
        ("codice", "data", "persona", "telefono", "email", "comune", "stato"), [
            (r.code, text.when(r.created_at), text.person_name(r), r.phone or "-", r.email or "-",
             r.municipality or "-", r.status) for r in rows])


# -- demo -------------------------------------------------------------------------------

def demo_load(session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    report = demo.load(session, now=now)
    lines = ["Dati di prova:", ""]
    for plan, result in report.slots:
        where = plan.address if plan.mode == "in_person" else text.MODES[plan.mode]
        lines.append(f"- colloqui {text.days_text([plan.weekday])} {plan.opens:%H:%M}-{plan.closes:%H:%M} "
                     f"({plan.minutes} min), {plan.operator}, {where}: creati {len(result.created)}, "
                     f"già presenti {result.existing}")
    if report.workshops:
        lines.append(f"- workshop «{demo.CYCLE}»: create {len(report.workshops)} sessioni")
        for workshop in report.workshops:
            lines.append(f"    {workshop.id}: {_span(workshop)}, {workshop.registered}/{workshop.capacity} "
                         f"posti occupati - {workshop.description}")
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


COMMANDS: dict[tuple[str, str | None], Callable[[Session, argparse.Namespace, dt.datetime], str]] = {
    ("slots", "add"): slots_add,
    ("slots", "pattern"): slots_pattern,
    ("slots", "list"): slots_list,
    ("slots", "cancel"): slots_cancel,
    ("workshops", "add"): workshops_add,
    ("workshops", "list"): workshops_list,
    ("workshops", "participants"): workshops_participants,
    ("bookings", "list"): bookings_list,
    ("registrations", "list"): registrations_list,
    ("demo", None): demo_load,
}
