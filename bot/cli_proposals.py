"""Proposing a vacancy to people from the command line (``python -m bot vacancies propose ID
--to CODE,...``): who would get it and who not (with why) is shown first, read without any
lock; nothing is written until the operator confirms (or ``--yes``). And the company's outcome
per candidate (``vacancies outcome``). The Italian words of services.proposals."""
from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import candidacy, companies, proposals
from services.clock import utcnow
from services.database import open_database
from services.operator_input import Invalid

from bot import cli_text as text
from bot.cli_broadcasts import _confirmed
from bot.cli_input import CliError

RESULTS = {"hired": "hired", "assunta": "hired", "assunto": "hired", "not_selected": "not_selected",
           "non_selezionata": "not_selected", "withdrew": "withdrew", "ritirata": "withdrew",
           "refused": "refused_contract", "refused_contract": "refused_contract", "rifiutato": "refused_contract",
           "put_forward": "put_forward", "in_selezione": "put_forward"}


def execute(args: argparse.Namespace, settings, *, now: dt.datetime | None = None) -> int:
    """0 once done; 1 when the operator did not confirm; 2, with "errore: ...", on a bad input."""
    db_engine = open_database(settings.database_url)
    now = now or utcnow()
    per_week = settings.proposals.per_week
    codes = [c for c in args.to.split(",") if c.strip()]
    try:
        with Session(db_engine) as sql_session:
            vacancy = companies.get_vacancy(sql_session, args.id)
            people = proposals.people(sql_session, codes)
            print(f"Offerta {vacancy.id}: {vacancy.role} a {vacancy.municipality}.")
            print("Azienda nel messaggio: " + ("sì" if args.show_company else "no (la vede chi accetta)"))
            ok = [r for r in people if proposals.why_not(sql_session, vacancy.id, r, now=now, per_week=per_week) is None]
            for registration in people:
                why = proposals.why_not(sql_session, vacancy.id, registration, now=now, per_week=per_week)
                line = f"  {registration.code}  {text.person_name(registration)}"
                print(line + (f"  -- esclusa: {_why(why, per_week)}" if why else ""))
        if not ok:
            raise CliError("nessuna di queste persone può ricevere la proposta: non ho inviato nulla")
        print(f"Riceveranno la proposta: {len(ok)} di {len(people)}.")
        if not args.yes and not _confirmed():
            print("Nessuna proposta inviata.")
            return 1
        with Session(db_engine) as sql_session, sql_session.begin():
            result = proposals.propose(sql_session, vacancy_id=args.id, codes=codes, now=now,
                                       created_by=args.by or "riga di comando", show_company=args.show_company,
                                       per_week=per_week)
        print(f"Proposte in coda: {len(result.sent)} ({', '.join(result.sent) or '-'}); il bot le invia nei limiti "
              f"della piattaforma (python -m bot vacancies candidates {args.id} per vedere le risposte).")
        for code, why in result.skipped.items():
            print(f"  {code}: non inviata, {_why(why, per_week)}")
        return 0
    except (CliError, Invalid) as error:
        print(f"errore: {error}", file=sys.stderr)
        return 2
    finally:
        db_engine.dispose()


def _why(key: str, per_week: int) -> str:
    return proposals.WHY_NOT.get(key, key).format(n=per_week)


def vacancies_outcome(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    result = RESULTS.get(args.result.strip().lower().replace(" ", "_"))
    if result is None:
        raise Invalid(f"esito sconosciuto «{args.result}» (ammessi: hired, not_selected, withdrew, refused, "
                      "put_forward)", reason="result")
    contract = None
    if args.contract:
        from services import placement_words
        contract = placement_words.read("contract", args.contract)
    candidate = candidacy.outcome(sql_session, vacancy_id=args.id, code=args.code, result=result, now=now,
                                  today=now.astimezone(TIMEZONE).date(), contract=contract, start=args.start,
                                  reason=args.reason, created_by=args.by or "riga di comando")
    from services.placement_words import CANDIDATE_STATES
    said = f"Offerta {args.id}, persona {args.code.strip().upper()}: {CANDIDATE_STATES.get(candidate.state)}."
    if result == "hired":
        said += " Il percorso segna «inserita al lavoro»."
    return said
