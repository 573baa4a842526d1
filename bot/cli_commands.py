"""Runs an operator command: on the migrated database, in one transaction; the text it
returns is printed once the transaction is committed."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Callable

from sqlmodel import Session

from services import agenda
from services.clock import utcnow
from services.database import open_database
from services.operator_input import Invalid

from bot import cli_inbox, cli_people, cli_proposals, cli_slots, cli_vacancies, cli_workshops
from bot.cli_input import CliError

REFUSALS = {
    "past": "l'orario è già passato",
    "exists": "l'operatore ha già un colloquio a quell'ora",
    "not_found": "non esiste un colloquio con questo ID",
    "cancelled": "il colloquio è già annullato",
    "order": "la fine viene prima dell'inizio",
    "address": "--address è obbligatorio per i colloqui in presenza",
    "hours": "--to deve venire dopo --from",
}
Command = Callable[[Session, argparse.Namespace, dt.datetime], str]
COMMANDS: dict[tuple[str, str | None], Command] = {
    ("slots", "add"): cli_slots.slots_add,
    ("slots", "pattern"): cli_slots.slots_pattern,
    ("slots", "list"): cli_slots.slots_list,
    ("slots", "cancel"): cli_slots.slots_cancel,
    ("workshops", "add"): cli_workshops.workshops_add,
    ("workshops", "list"): cli_workshops.workshops_list,
    ("workshops", "participants"): cli_workshops.workshops_participants,
    ("bookings", "list"): cli_people.bookings_list,
    ("registrations", "list"): cli_people.registrations_list,
    ("demo", None): cli_workshops.demo_load,
    ("companies", "add"): cli_vacancies.companies_add,
    ("companies", "list"): cli_vacancies.companies_list,
    ("vacancies", "add"): cli_vacancies.vacancies_add,
    ("vacancies", "list"): cli_vacancies.vacancies_list,
    ("vacancies", "match"): cli_vacancies.vacancies_match,
    ("vacancies", "candidates"): cli_vacancies.vacancies_candidates,
    ("vacancies", "outcome"): cli_proposals.vacancies_outcome,
    **cli_inbox.HANDLERS,  # the office inbox (#15)
}


def execute(args: argparse.Namespace, settings, *, now: dt.datetime | None = None) -> int:
    """0 once done; 2, with "errore: ..." on stderr, when the database refuses the input."""
    command = COMMANDS[(args.command, getattr(args, "action", None))]
    db_engine = open_database(settings.database_url)
    try:
        with Session(db_engine) as sql_session, sql_session.begin():
            output = command(sql_session, args, now or utcnow())
    except (CliError, Invalid) as error:
        print(f"errore: {error}", file=sys.stderr)
        return 2
    except agenda.AgendaError as error:
        print(f"errore: {REFUSALS.get(error.reason, error.reason)}", file=sys.stderr)
        return 2
    finally:
        db_engine.dispose()
    print(output)
    return 0
