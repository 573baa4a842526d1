"""Operator commands on notices (broadcasts): count an audience, compose (now or at a set
time, after a confirmation), list, cancel, report.

Unlike the other commands each step has a transaction of its own: the count is shown and
confirmed before anything is written, and no write lock is held while the operator reads.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from sqlalchemy import Engine
from sqlmodel import Session

from conversations import languages, municipalities
from services import agenda, broadcasts, rosters
from services.audience import Audience, Plan
from services.clock import utcnow
from services.database import open_database

from bot import cli_text as text
from bot.cli_input import CliError

STATUS = {"scheduled": "programmato", "queued": "in invio", "cancelled": "annullato"}
REFUSALS = {
    "no_italian": "manca il testo in italiano (--text-it)",
    "too_long": f"testo troppo lungo: al massimo {broadcasts.MAX_TEXT} caratteri",
    "past": "l'orario di invio è già passato",
    "not_found": "non esiste un avviso con questo ID",
    "cancelled": "l'avviso è già annullato",
    "finished": "l'avviso è già stato inviato a tutti: non c'è più nulla da annullare",
}


def execute(args: argparse.Namespace, settings, *, now: dt.datetime | None = None) -> int:
    """0 once done; 1 when the operator did not confirm; 2, with "errore: ...", on a bad input."""
    db_engine = open_database(settings.database_url)
    try:
        return ACTIONS[args.action](db_engine, args, now or utcnow())
    except CliError as error:
        print(f"errore: {error}", file=sys.stderr)
        return 2
    except broadcasts.BroadcastError as error:
        print(f"errore: {REFUSALS.get(error.reason, error.reason)}", file=sys.stderr)
        return 2
    finally:
        db_engine.dispose()


def count(db_engine: Engine, args: argparse.Namespace, now: dt.datetime) -> int:
    with Session(db_engine) as sql_session:
        audience = _audience(sql_session, args)
        print(f"Pubblico: {describe(audience)}\n{_count_line(broadcasts.count(sql_session, audience, now))}")
    return 0


def new(db_engine: Engine, args: argparse.Namespace, now: dt.datetime) -> int:
    texts = {code: getattr(args, f"text_{code}") for code in languages.CODES}
    send_at = agenda.local(*args.at) if args.at else now
    if send_at < now:
        raise CliError(f"l'orario di invio {text.when(send_at)} è già passato")
    with Session(db_engine) as sql_session:
        audience = _audience(sql_session, args)
        found = broadcasts.count(sql_session, audience, now)
    later = send_at > now
    print(f"Pubblico: {describe(audience)}\n{_count_line(found)}")
    if not found.recipients and not later:
        raise CliError("nessuno riceverebbe questo avviso: non l'ho creato")
    print(f"Invio: {text.when(send_at) if later else 'subito'}" +
          (" (il numero di destinatari è quello di adesso: conta chi ne fa parte all'ora dell'invio)" if later else ""))
    if not args.yes and not _confirmed():
        print("Nessun avviso creato.")
        return 1
    with Session(db_engine) as sql_session, sql_session.begin():
        broadcast = broadcasts.create(sql_session, texts=texts, audience=audience, send_at=send_at,
                                      created_by=args.by or _operator(), now=now)
        queued = 0 if later else broadcasts.queue(sql_session, broadcast.id, now=now)
        number = broadcast.id
    if later:
        print(f"Creato l'avviso {number}, programmato per {text.when(send_at)} "
              f"(python -m bot broadcasts cancel {number} per annullarlo).")
    else:
        print(f"Creato l'avviso {number}: {queued} messaggi in coda; il bot li invia nei limiti della "
              f"piattaforma (python -m bot broadcasts report {number} per vedere come va).")
    return 0


def listing(db_engine: Engine, args: argparse.Namespace, now: dt.datetime) -> int:
    with Session(db_engine) as sql_session:
        rows = broadcasts.recent(sql_session)
        if not rows:
            print("Nessun avviso.")
            return 0
        print(text.table(("ID", "stato", "invio", "da", "pubblico", "in coda", "inviati", "testo"), [
            (row.broadcast.id, STATUS.get(row.broadcast.status, row.broadcast.status),
             text.when(row.broadcast.send_at), row.broadcast.created_by, describe(row.broadcast.audience),
             row.queued if row.broadcast.queued_at else "-", row.sent if row.broadcast.queued_at else "-",
             _preview(row.broadcast.texts[languages.DEFAULT])) for row in rows]))
    return 0


def cancel(db_engine: Engine, args: argparse.Namespace, now: dt.datetime) -> int:
    with Session(db_engine) as sql_session, sql_session.begin():
        done = broadcasts.cancel(sql_session, args.id, now)
    if done.was == "scheduled":
        print(f"Annullato l'avviso {args.id}: non verrà inviato.")
    else:
        print(f"Annullato l'avviso {args.id}: {done.withdrawn} messaggi non ancora partiti sono stati ritirati; "
              "quelli già inviati restano tali.")
    return 0


def report(db_engine: Engine, args: argparse.Namespace, now: dt.datetime) -> int:
    with Session(db_engine) as sql_session:
        found = broadcasts.report(sql_session, args.id)
        print(render_report(found))
    return 0


def render_report(found: broadcasts.Report) -> str:
    b = found.broadcast
    lines = [f"Avviso {b.id} ({STATUS.get(b.status, b.status)}), creato da {b.created_by or '-'} il "
             f"{text.when(b.created_at)}, invio {text.when(b.send_at)}",
             f"Pubblico: {describe(b.audience)}",
             f"Testo: {_preview(b.texts[languages.DEFAULT], 200)}", ""]
    if b.queued_at is None:
        return "\n".join(lines + ["Non ancora messo in coda: nessun messaggio inviato."])
    lines += [f"Pubblico all'invio: {found.audience_size}",
              f"Esclusi (non vogliono avvisi o non raggiungibili): {found.skipped}",
              f"In coda: {found.queued}",
              f"Inviati: {found.sent}",
              f"Da inviare: {found.pending}",
              f"Bloccati (hanno bloccato il bot o la chat non esiste più): {found.blocked}",
              f"Non riusciti: {found.failed}"]
    lines += [f"    {number} x {reason}" for reason, number in found.reasons.items()]
    lines.append(f"Ritirati (avviso annullato, o la persona ha chiesto stop): {found.cancelled}")
    return "\n".join(lines)


def describe(audience: Audience | dict) -> str:
    """The filters in Italian: "non ancora a colloquio, lingua en"."""
    a = Audience.of(audience)
    parts = []
    if a.not_interviewed:
        parts.append("non ancora a colloquio")
    if a.workshop is not None:
        parts.append(f"iscritti al workshop {a.workshop}" + (" e lista d'attesa" if a.with_waitlist else ""))
    if a.language:
        parts.append(f"lingua {a.language}")
    if a.channel:
        parts.append(f"canale {a.channel}")
    if a.municipality:
        parts.append(f"comune {a.municipality}")
    return ", ".join(parts) or "tutti i registrati"


def _audience(sql_session: Session, args: argparse.Namespace) -> Audience:
    """The filters typed, checked against the database and the list of comuni."""
    if args.with_waitlist and args.workshop is None:
        raise CliError("--with-waitlist va insieme a --workshop")
    if args.workshop is not None and rosters.workshop(sql_session, args.workshop) is None:
        raise CliError(f"non esiste una sessione di workshop con ID {args.workshop}")
    return Audience(not_interviewed=args.not_interviewed, workshop=args.workshop, with_waitlist=args.with_waitlist,
                    language=args.language, channel=args.channel, municipality=_municipality(args.municipality))


def _municipality(typed: str | None) -> str | None:
    if typed is None:
        return None
    found = municipalities.find(typed)
    if found.name:
        return found.name
    if found.outside:
        raise CliError(f"{found.outside} non è un comune della Città metropolitana di Bologna")
    hint = f" (forse: {', '.join(found.suggestions)}?)" if found.suggestions else ""
    raise CliError(f"comune non riconosciuto «{typed}»{hint}")


def _count_line(found: Plan) -> str:
    return (f"Destinatari: {len(found.recipients)} (esclusi {found.excluded}: {found.opted_out} non vogliono "
            f"avvisi, {found.unreachable} non raggiungibili)")


def _confirmed() -> bool:
    print("Confermi l'invio? [s/N] ", end="", flush=True)
    try:
        answer = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt, OSError):  # no terminal to answer from: no
        answer = ""
    return answer.strip().lower() in ("s", "si", "sì", "y", "yes")


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container)
        return ""


def _preview(value: str, limit: int = 40) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


ACTIONS = {"count": count, "new": new, "list": listing, "cancel": cancel, "report": report}
