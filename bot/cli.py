"""The operators' commands of ``python -m bot``: interview slots, workshop sessions, bookings,
registrations, demo data, broadcasts, companies and vacancies (bot.cli_placement).

Only argparse here, so that ``python -m bot`` starts as fast as before; the commands
themselves live in bot.cli_commands. Operator text is Italian and not in the gettext
catalogs: job seekers never see it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys

from conversations import languages
from services.operator_input import OperatorParser

from bot import cli_inbox, cli_placement
from bot.cli_input import MODES, at_most, date_arg, datetime_arg, days_arg, end_arg, positive_arg, text_of, time_arg

COMMANDS = ("slots", "workshops", "bookings", "registrations", "demo", "broadcasts", *cli_placement.COMMANDS,
            *cli_inbox.COMMANDS)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the operator commands to the subcommands of ``python -m bot``."""
    _slots(sub.add_parser("slots", help="colloqui: aggiungi, genera da uno schema settimanale, elenca, annulla"))
    _workshops(sub.add_parser("workshops", help="workshop: aggiungi una sessione, elenca, partecipanti"))
    bookings = _actions(sub.add_parser("bookings", help="colloqui prenotati, con nome, telefono e codice"))
    listing = bookings.add_parser("list", help="colloqui prenotati in un periodo")
    _period(listing)
    listing.add_argument("--all", action="store_true", help="anche annullati e conclusi")
    registrations = _actions(sub.add_parser("registrations", help="registrazioni da esaminare"))
    registrations.add_parser("list", help="registrazioni, dalla più vecchia").add_argument(
        "--status", help="solo uno stato, per esempio new (le nuove)")
    sub.add_parser("demo", help="carica dati di prova (colloqui e workshop) per provare ogni flusso")
    _broadcasts(sub.add_parser("broadcasts", help="avvisi a più persone: conta, invia o programma, elenca, "
                                                  "annulla, resoconto"))
    cli_placement.add_commands(sub)  # companies, vacancies
    cli_inbox.add_commands(sub, _actions)  # the office inbox (#15)


def _actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    parser.set_defaults(command_parser=parser)
    return parser.add_subparsers(dest="action", metavar="AZIONE", parser_class=OperatorParser)


def _slots(parser: argparse.ArgumentParser) -> None:
    actions = _actions(parser)
    add = actions.add_parser("add", help="un colloquio", description="Aggiunge un colloquio (ora di Roma).")
    add.add_argument("--start", required=True, type=datetime_arg, metavar="INIZIO",
                     help='data e ora, es. "2026-12-01 09:00"')
    _slot_details(add)
    pattern = actions.add_parser(
        "pattern", help="colloqui da uno schema settimanale",
        description="Genera colloqui uno dopo l'altro nella fascia oraria dei giorni scelti, per N settimane; "
                    "salta quelli passati, quelli che l'operatore ha già (rilanciarlo non duplica) e i giorni "
                    "festivi (nazionali e San Petronio), salvo --festivi.")
    pattern.add_argument("--days", required=True, type=days_arg, metavar="GIORNI",
                         help="es. mar,gio oppure tue,thu o lun-ven")
    pattern.add_argument("--from", dest="opens", required=True, type=time_arg, metavar="HH:MM",
                         help="inizio della fascia")
    pattern.add_argument("--to", dest="closes", required=True, type=time_arg, metavar="HH:MM",
                         help="fine della fascia: l'ultimo colloquio finisce entro quest'ora")
    pattern.add_argument("--weeks", type=at_most(52), default=1, metavar="N",
                         help="quante settimane, fino a 52 (default 1)")
    pattern.add_argument("--start", type=date_arg, metavar="AAAA-MM-GG", help="primo giorno (default oggi)")
    pattern.add_argument("--festivi", dest="include_holidays", action="store_true",
                         help="crea colloqui anche nei giorni festivi (di norma saltati)")
    _slot_details(pattern)
    listing = actions.add_parser("list", help="colloqui di un periodo, con prenotati/posti")
    _period(listing)
    cancel = actions.add_parser("cancel", help="annulla un colloquio (e le sue prenotazioni)")
    cancel.add_argument("id", type=positive_arg, metavar="ID")


def _slot_details(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=at_most(480), default=45, metavar="MINUTI", help="default 45")
    parser.add_argument("--mode", choices=MODES, default="in_person",
                        help="in_person (in presenza, default), phone, video")
    parser.add_argument("--address", type=text_of(200), metavar="INDIRIZZO", help="obbligatorio in presenza")
    parser.add_argument("--operator", required=True, type=text_of(80), metavar="NOME", help="l'operatore")
    parser.add_argument("--capacity", type=positive_arg, default=1, metavar="N",
                        help="persone per colloquio (default 1)")


def _workshops(parser: argparse.ArgumentParser) -> None:
    actions = _actions(parser)
    add = actions.add_parser("add", help="una sessione di workshop",
                             description="Aggiunge una sessione (ora di Roma).")
    add.add_argument("--title", required=True, type=text_of(200), metavar="TITOLO")
    add.add_argument("--start", required=True, type=datetime_arg, metavar="INIZIO",
                     help='data e ora, es. "2026-12-03 09:30"')
    add.add_argument("--end", required=True, type=end_arg, metavar="FINE",
                     help='data e ora, es. "2026-12-03 12:30", o solo l\'ora se è lo stesso giorno')
    add.add_argument("--place", required=True, type=text_of(200), metavar="LUOGO")
    add.add_argument("--capacity", type=positive_arg, default=30, metavar="N", help="posti (default 30)")
    add.add_argument("--language", choices=languages.CODES, default=languages.DEFAULT,
                     help=f"lingua (default {languages.DEFAULT})")
    add.add_argument("--description", default="", type=_description, metavar="TESTO",
                     help="descrizione per chi si iscrive")
    listing = actions.add_parser("list", help="sessioni non ancora concluse: posti occupati, lista d'attesa")
    listing.add_argument("--all", action="store_true", help="anche quelle passate")
    who = actions.add_parser("participants", help="iscritti e lista d'attesa di una sessione")
    who.add_argument("id", type=positive_arg, metavar="ID")


def _description(value: str) -> str:
    value = value.strip()
    if len(value) > 2000:
        raise argparse.ArgumentTypeError(f"troppo lunga: al massimo 2000 caratteri (ne ha {len(value)})")
    return value


def _broadcasts(parser: argparse.ArgumentParser) -> None:
    actions = _actions(parser)
    _audience(actions.add_parser("count", help="quante persone riceverebbero un avviso",
                                 description="Conta i destinatari; i filtri si combinano (tutti devono valere)."))
    new = actions.add_parser(
        "new", help="un avviso, subito o a un'ora stabilita",
        description="Crea un avviso: mostra quante persone lo riceveranno e chiede conferma. Chi ha scritto "
                    "STOP non lo riceve; ogni messaggio finisce con una riga su come smettere di riceverli.")
    default = _italian_name(languages.get(languages.DEFAULT))
    new.add_argument(f"--text-{languages.DEFAULT}", required=True, type=_notice_text, metavar="TESTO",
                     help=f"il testo in {default} (\\n per andare a capo)")
    for language in languages.others():
        new.add_argument(f"--text-{language.code}", type=_notice_text, metavar="TESTO",
                         help=f"il testo in {_italian_name(language)}; chi scrive in {_italian_name(language)}, "
                              f"senza questo, riceve quello in {default}")
    new.add_argument("--at", type=datetime_arg, metavar="QUANDO",
                     help='data e ora di invio, es. "2026-12-01 09:00" (default: subito)')
    new.add_argument("--by", type=text_of(80), metavar="NOME",
                     help="chi lo invia (default: l'utente del sistema)")
    new.add_argument("--yes", action="store_true", help="non chiedere conferma")
    _audience(new)
    actions.add_parser("list", help="gli avvisi, dal più recente")
    for name, helptext in (("cancel", "annulla un avviso programmato, o ferma uno in invio"),
                           ("report", "resoconto di un avviso: inviati, non riusciti e perché, bloccati")):
        actions.add_parser(name, help=helptext).add_argument("id", type=positive_arg, metavar="ID")


def _audience(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--not-interviewed", action="store_true", help="solo chi non ha ancora fatto il colloquio")
    parser.add_argument("--workshop", type=positive_arg, metavar="ID", help="solo gli iscritti a questa sessione")
    parser.add_argument("--with-waitlist", action="store_true", help="con --workshop: anche la lista d'attesa")
    parser.add_argument("--language", choices=languages.CODES, help="solo chi scrive al bot in questa lingua")
    parser.add_argument("--channel", choices=("telegram", "whatsapp", "console", "web"),
                        help="solo chi usa questo canale (e riceve l'avviso lì)")
    parser.add_argument("--municipality", type=text_of(60), metavar="COMUNE", help="solo chi abita in questo comune")


def _italian_name(language: languages.Language) -> str:
    return language.name_in("it")  # "inglese": the command line speaks Italian


def _notice_text(value: str) -> str:
    value = value.replace("\\n", "\n").strip()
    if not value:
        raise argparse.ArgumentTypeError("il testo non può essere vuoto")
    if len(value) > 3500:  # services.broadcasts.MAX_TEXT: Telegram takes 4,096, with room for the line on STOP
        raise argparse.ArgumentTypeError(f"testo troppo lungo: al massimo 3500 caratteri (ne ha {len(value)})")
    return value


def _period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="since", type=date_arg, metavar="AAAA-MM-GG", help="default oggi")
    parser.add_argument("--days", type=at_most(366), default=14, metavar="N", help="quanti giorni (default 14)")


def run(args: argparse.Namespace, settings, *, now: dt.datetime | None = None) -> int:
    """Run a parsed operator command; 0 on success, 2 on an input the database refuses."""
    if getattr(args, "action", "") is None:  # "python -m bot slots" alone
        args.command_parser.print_help(sys.stderr)
        return 2
    if args.command == "broadcasts":  # its own steps: count, confirm, then write (see there)
        from bot.cli_broadcasts import execute as broadcast
        return broadcast(args, settings, now=now)
    if (args.command, getattr(args, "action", None)) == ("vacancies", "propose"):  # shows who, confirms, then writes
        from bot.cli_proposals import execute as propose
        return propose(args, settings, now=now)
    from bot.cli_commands import execute
    return execute(args, settings, now=now)


def main(argv: list[str] | None = None, *, now: dt.datetime | None = None) -> int:
    """The operator commands alone (tests call this; ``python -m bot`` adds them to its own)."""
    from bot.settings import Settings

    parser = OperatorParser(prog="python -m bot")
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMANDO"))
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    return run(args, Settings(), now=now)
