"""Entry point: ``python -m bot`` runs Telegram when a token is set, else a terminal chat."""
from __future__ import annotations

import argparse
import logging
import sys

from .settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Insieme per il lavoro chatbot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (default): Telegram with a token, else the terminal chat")
    sub.add_parser("console", help="chat with the bot in this terminal")
    sub.add_parser("migrate", help="bring the database schema up to date")
    args = parser.parse_args(argv)

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token in URLs

    from .wiring import build_service
    service = build_service(settings)
    if args.command == "migrate":
        return 0
    if args.command == "console" or not settings.telegram.bot_token:
        from handlers import console
        console.run(service.handle, sys.stdin, sys.stdout)
        return 0
    from .wiring import run_telegram
    return run_telegram(settings.telegram, service)


if __name__ == "__main__":
    sys.exit(main())
