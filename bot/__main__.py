"""Entry point: ``python -m bot`` serves the web chat, the back office and every channel set up
(Telegram with a token, WhatsApp with its settings) in one process."""
from __future__ import annotations

import argparse
import gc
import logging
import sys

from bot import cli, logs
from services.database import DEFAULT_URL

from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Insieme per il lavoro chatbot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default): web chat, back office, and Telegram/WhatsApp when set up")
    sub.add_parser("console", help="chat with the bot in this terminal")
    sub.add_parser("migrate", help="bring the database schema up to date")
    cli.add_commands(sub)  # operator commands: slots, workshops, bookings, registrations, demo
    args = parser.parse_args(argv)

    settings = Settings()
    chatting = args.command == "console"
    # In the terminal chat, log lines would mix with the conversation: only problems, unless asked.
    level = "WARNING" if chatting and "log_level" not in settings.model_fields_set else settings.log_level
    logs.configure(level, secrets=settings.secrets())

    try:
        if args.command in cli.COMMANDS:
            return cli.run(args, settings)
        return _run(args.command, settings)
    except Exception:  # through the log, whose lines never show a secret (not sys.excepthook)
        logging.getLogger("bot").exception("the bot stopped on an unexpected error")
        return 1


def _run(command: str | None, settings: Settings) -> int:
    from bot.wiring import build_service
    service = build_service(settings)
    # Everything loaded so far lives as long as the process: keep the collector from rescanning
    # it (bench/bench_bookings.py saw full collections of ~100 ms set the p99 latency).
    gc.freeze()
    if command == "migrate":
        return 0
    if not settings.telegram.bot_token and settings.database_url == DEFAULT_URL:
        from bot.wiring import demo_for_newcomers
        if demo_for_newcomers(service.db_engine):
            print("Nessun appuntamento in agenda: ho caricato i dati di prova (python -m bot demo)\n"
                  "per provare colloqui e laboratori. / No agenda yet: demo data loaded.\n")
    if command == "console":
        from services.outbox import OutboxService
        from handlers import console

        from bot.wiring import planners
        # Reminders and broadcasts reach the terminal chat too: planned, then shown, before each prompt.
        outbox = OutboxService(service.db_engine, planners=planners(settings.reminders))
        console.run(service.handle, sys.stdin, sys.stdout, outbox=outbox)
        return 0
    from bot.wiring import serve
    return serve(settings, service)


if __name__ == "__main__":
    sys.exit(main())
