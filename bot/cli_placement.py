"""The command line of companies and vacancies (``python -m bot companies ...``, ``vacancies ...``):
argparse only, light as bot.cli; the commands are bot.cli_vacancies. Sector, contract, hours and
Italian level take the Italian labels the chat shows (or the codes); they are checked by the
command, with the list of the words allowed."""
from __future__ import annotations

import argparse

from services.operator_input import OperatorParser

from bot.cli_input import date_arg, positive_arg, text_of

COMMANDS = ("companies", "vacancies")


def add_commands(sub: argparse._SubParsersAction) -> None:
    companies = _actions(sub.add_parser("companies", help="aziende: aggiungi, elenca"))
    add = companies.add_parser("add", help="un'azienda", description="Aggiunge un'azienda.")
    add.add_argument("--name", required=True, type=text_of(200), metavar="NOME")
    add.add_argument("--vat", required=True, metavar="PARTITA_IVA", help="11 cifre")
    add.add_argument("--sector", required=True, metavar="SETTORE", help='es. "Pulizie", "Ristoranti, bar"')
    add.add_argument("--municipality", required=True, metavar="COMUNE", help="uno dei 55 comuni")
    add.add_argument("--source", type=text_of(80), metavar="TESTO", help='es. "campagna CNA", "Confcommercio"')
    add.add_argument("--address", type=text_of(200), metavar="INDIRIZZO")
    add.add_argument("--contact-person", type=text_of(120), metavar="NOME", help="il referente")
    add.add_argument("--phone", metavar="TELEFONO")
    add.add_argument("--email", metavar="EMAIL")
    companies.add_parser("list", help="le aziende, con le offerte aperte")

    vacancies = _actions(sub.add_parser("vacancies", help="offerte di lavoro: aggiungi, elenca, abbina persone, "
                                                          "candidati"))
    add = vacancies.add_parser("add", help="un'offerta", description="Aggiunge un'offerta di lavoro.")
    add.add_argument("--company", required=True, type=positive_arg, metavar="ID", help="l'azienda (companies list)")
    add.add_argument("--role", required=True, type=text_of(120), metavar="MANSIONE")
    add.add_argument("--sector", required=True, metavar="SETTORE")
    add.add_argument("--municipality", required=True, metavar="COMUNE", help="dove si lavora")
    add.add_argument("--contract", required=True, metavar="TIPO",
                     help="indeterminato, determinato, apprendistato, tirocinio, somministrazione, altro")
    add.add_argument("--hours", required=True, metavar="ORARIO", help="full_time (Tempo pieno), part_time, shifts "
                                                                      "(Turni)")
    add.add_argument("--places", type=positive_arg, default=1, metavar="N", help="posti (default 1)")
    add.add_argument("--start", type=date_arg, metavar="AAAA-MM-GG", help="data di inizio")
    add.add_argument("--licence", action="store_true", help="serve la patente")
    add.add_argument("--car", action="store_true", help="serve l'auto")
    add.add_argument("--italian", metavar="LIVELLO", help="livello minimo: Poco o niente, Base, Buono, Madrelingua")
    add.add_argument("--education", metavar="TITOLO", help="titolo minimo, es. Licenza media")
    add.add_argument("--description", type=text_of(2000), metavar="TESTO")
    listing = vacancies.add_parser("list", help="le offerte, dalla più recente")
    listing.add_argument("--status", metavar="STATO", help="aperta, in selezione, chiusa coperta, chiusa non coperta")
    match = vacancies.add_parser("match", help="le persone adatte a un'offerta, in ordine, con il perché")
    match.add_argument("id", type=positive_arg, metavar="ID")
    match.add_argument("--max-km", type=positive_arg, metavar="KM", help="solo chi abita entro KM chilometri")
    match.add_argument("--interviewed", action="store_true", help="solo chi ha fatto il colloquio")
    match.add_argument("--free", action="store_true", help="nessuno già in un'altra selezione")
    match.add_argument("--sector-only", action="store_true", help="solo chi ha scelto il settore")
    match.add_argument("--hours-only", action="store_true", help="solo chi è disponibile per l'orario")
    match.add_argument("--loose", action="store_true", help="anche chi non ha un requisito (patente, auto, "
                                                            "italiano, titolo)")
    match.add_argument("--limit", type=positive_arg, default=30, metavar="N", help="quante persone mostrare "
                                                                                  "(default 30)")
    propose = vacancies.add_parser("propose", help="invia l'offerta ad alcune persone (chiede conferma)")
    propose.add_argument("id", type=positive_arg, metavar="ID")
    propose.add_argument("--to", required=True, metavar="CODICE[,CODICE...]", help="i codici delle persone")
    propose.add_argument("--show-company", action="store_true", help="il messaggio nomina l'azienda")
    propose.add_argument("--yes", action="store_true", help="senza chiedere conferma")
    propose.add_argument("--by", type=text_of(80), metavar="NOME", help="chi la invia")
    outcome = vacancies.add_parser("outcome", help="l'esito dell'azienda per un candidato")
    outcome.add_argument("id", type=positive_arg, metavar="ID")
    outcome.add_argument("--code", required=True, metavar="CODICE", help="il codice della persona")
    outcome.add_argument("--result", required=True, metavar="ESITO",
                         help="hired (assunta), not_selected, withdrew (ritirata), refused (contratto rifiutato), "
                              "put_forward (inviata all'azienda)")
    outcome.add_argument("--contract", metavar="TIPO", help="con hired: il contratto (default quello dell'offerta)")
    outcome.add_argument("--start", type=date_arg, metavar="AAAA-MM-GG", help="con hired: inizio (default oggi)")
    outcome.add_argument("--reason", type=text_of(500), metavar="TESTO", help="il motivo (es. del rifiuto)")
    outcome.add_argument("--by", type=text_of(80), metavar="NOME", help="chi lo registra")
    candidates = vacancies.add_parser("candidates", help="le persone proposte per un'offerta e il loro stato")
    candidates.add_argument("id", type=positive_arg, metavar="ID")


def _actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    parser.set_defaults(command_parser=parser)
    return parser.add_subparsers(dest="action", metavar="AZIONE", parser_class=OperatorParser)
