"""The operator inbox from the command line: ``python -m bot inbox list [--status new]``,
``inbox show ID``, ``inbox reply ID --text "..." [--by NAME]``, ``inbox close ID``
(services.inbox and services.inbox_views; Italian words, Rome's times)."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass

from sqlmodel import Session

from services import inbox, inbox_views

from bot import cli_text as text
from bot.cli_input import positive_arg, text_of

COMMANDS = ("inbox",)
KINDS = {"person": "persona", "operator": "ufficio", "note": "nota interna"}


def add_commands(sub: argparse._SubParsersAction, actions_of) -> None:
    actions = actions_of(sub.add_parser("inbox", help="messaggi all'ufficio: elenca, leggi, rispondi, chiudi"))
    listing = actions.add_parser("list", help="le conversazioni, dalla più recente")
    listing.add_argument("--status", metavar="STATO", help="solo uno stato: nuova (new), in carico, in attesa, chiusa")
    actions.add_parser("show", help="una conversazione con tutti i messaggi").add_argument(
        "id", type=positive_arg, metavar="ID")
    reply = actions.add_parser("reply", help="rispondi alla persona (il bot invia la risposta sul suo canale)")
    reply.add_argument("id", type=positive_arg, metavar="ID")
    reply.add_argument("--text", required=True, type=text_of(inbox.MAX_REPLY), metavar="TESTO",
                       help="la risposta (\\n per andare a capo)")
    reply.add_argument("--by", type=text_of(80), metavar="NOME", help="chi risponde (default: l'utente del sistema)")
    actions.add_parser("close", help="chiudi una conversazione").add_argument("id", type=positive_arg, metavar="ID")


def _who(summary: inbox_views.Summary) -> str:
    return f"{summary.name} ({summary.code})" if summary.code else f"persona non iscritta (contatto {summary.contact_id})"


def inbox_list(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    found = inbox_views.listing(sql_session, inbox_views.read_status(args.status))
    if not found:
        return "Nessuna conversazione."
    rows = [(s.id, inbox.STATUS_WORDS[s.status] + (" *" if s.unread else ""), _who(s), s.channel, s.language,
             s.assigned_to or "-", text.when(s.last_at), s.last_text.replace("\n", " ")[:60]) for s in found]
    counts = inbox_views.counts(sql_session)
    return (text.table(("ID", "stato", "persona", "canale", "lingua", "operatore", "ultimo messaggio", "testo"), rows)
            + f"\n* da leggere: {counts['unread']}")


def inbox_show(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    found = inbox_views.detail(sql_session, args.id)
    s = found.conversation
    lines = [f"Conversazione {s.id}: {_who(s)}, canale {s.channel}, lingua {s.language}, "
             f"stato {inbox.STATUS_WORDS[s.status]}, operatore {s.assigned_to or '-'}",
             f"Aperta {text.when(s.opened_at)}" + (f", chiusa {text.when(found.closed_at)}" if found.closed_at else "")]
    for line in found.lines:
        who = KINDS[line.kind] + (f" {line.author}" if line.author else "")
        said = f"📎 {line.text} (documento {line.document_id}: si scarica dal back office)" if line.document_id \
            else line.text
        lines += ["", f"[{text.when(line.at)}] {who}:", said]
    return "\n".join(lines)


def inbox_reply(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    by = args.by or getpass.getuser()
    inbox.reply(sql_session, args.id, text=args.text.replace("\\n", "\n"), by=by, now=now)
    return f"Risposta in coda per la conversazione {args.id}: il bot la invia sul canale della persona."


def inbox_close(sql_session: Session, args: argparse.Namespace, now: dt.datetime) -> str:
    inbox.close(sql_session, args.id, now=now)
    return f"Conversazione {args.id} chiusa."


HANDLERS = {("inbox", "list"): inbox_list, ("inbox", "show"): inbox_show, ("inbox", "reply"): inbox_reply,
            ("inbox", "close"): inbox_close}
