"""Operator commands listing people: interview bookings, registrations."""
from __future__ import annotations

import argparse
import datetime as dt

from sqlmodel import Session

from services import rosters

from bot import cli_text as text

BOOKING_STATUS = {"booked": "prenotato", "cancelled": "annullato", "attended": "svolto", "no_show": "assente"}


def bookings_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    start, end, label = text.period(args.since, args.days, now)
    rows = rosters.bookings_between(sql_session, start=start, end=end, statuses=None if args.all else ("booked",))
    if not rows:
        return f"Nessun colloquio prenotato {label}."
    return f"Colloqui prenotati {label}: {len(rows)}\n\n" + text.table(
        ("quando", "persona", "telefono", "codice", "operatore", "modalità", "stato", "colloquio"), [
            (text.when(r.slot.starts_at), text.person_name(r.person), text.field(r.person, "phone"),
             text.field(r.person, "code"), r.slot.operator, text.mode(r.slot.mode),
             BOOKING_STATUS.get(r.booking.status, r.booking.status), r.slot.id) for r in rows])


def registrations_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    rows = rosters.registrations(sql_session, status=args.status)
    if not rows:
        return f"Nessuna registrazione con stato «{args.status}»." if args.status else "Nessuna registrazione."
    return f"Registrazioni: {len(rows)}\n\n" + text.table(
        ("codice", "data", "persona", "telefono", "email", "comune", "stato"), [
            (r.code, text.when(r.created_at), text.person_name(r), r.phone or "-", r.email or "-",
             r.municipality or "-", r.status) for r in rows])
