"""``python -m backoffice``: serve the back office (the default), or manage operator accounts.

    python -m backoffice [serve]                 # http://127.0.0.1:8000/office/ (OFFICE_HOST, OFFICE_PORT)
    python -m backoffice create-admin NAME       # prints a random password, once
    python -m backoffice create-user NAME --role operator|viewer|admin
    python -m backoffice reset-password NAME     # prints a new password, once; ends NAME's sessions

Output for operators is Italian, like ``python -m bot``'s commands; a refused input gets an
``errore: ...`` line and exit status 2."""
from __future__ import annotations

import sys

from services.operator_input import OperatorParser


def main(argv: list[str] | None = None) -> int:
    parser = OperatorParser(prog="python -m backoffice", description="Back office di Insieme per il lavoro")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO")
    sub.add_parser("serve", help="avvia il back office (predefinito)")
    admin = sub.add_parser("create-admin", help="crea un amministratore e ne stampa la password")
    admin.add_argument("name", help="nome utente")
    admin.add_argument("--full-name", default="", help="nome e cognome")
    user = sub.add_parser("create-user", help="crea un account e ne stampa la password")
    user.add_argument("name", help="nome utente")
    user.add_argument("--role", choices=("admin", "operator", "viewer"), required=True, help="ruolo")
    user.add_argument("--full-name", default="", help="nome e cognome")
    reset = sub.add_parser("reset-password", help="assegna una nuova password e la stampa")
    reset.add_argument("name", help="nome utente")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)

    from backoffice.settings import OfficeSettings

    office = OfficeSettings()
    if args.command in (None, "serve"):
        return serve(office)  # 2: the port is taken
    return accounts_command(args, office)


def serve(office) -> int:
    """The back office alone (no channels: ``python -m bot run`` serves it with them)."""
    import logging

    from services.database import open_database

    from backoffice.app import create_app
    from backoffice.server import serve as serve_app

    logging.basicConfig(level=office.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # set-up chatter
    return serve_app(lambda: create_app(open_database(office.database_url), settings=office), office)


def accounts_command(args, office) -> int:
    import logging

    from sqlalchemy.orm import Session

    from services.clock import utcnow
    from services.database import open_database
    from services.office import accounts, audit

    logging.getLogger("alembic").setLevel(logging.WARNING)  # the migrations' chatter would hide the password
    db_engine = open_database(office.database_url)
    actor, now = audit.Actor(None, "(command line)"), utcnow()
    with Session(db_engine) as sql_session:
        try:
            if args.command == "reset-password":
                name, password = accounts.reset_password(sql_session, args.name, now=now, actor=actor)
            else:
                role = "admin" if args.command == "create-admin" else args.role
                operator, password = accounts.create_operator(sql_session, username=args.name, role=role, now=now,
                                                              full_name=args.full_name, actor=actor)
                name = operator.username
            sql_session.commit()
        except accounts.AccountError as problem:
            if str(problem) == "No account with this username.":
                return _error(f"nessun account '{args.name}'")
            return _error(ITALIAN.get(str(problem), str(problem)))
    print(accounts.first_admin_message(name, password) if args.command == "create-admin"
          else f"utente / user: {name}\npassword: {password}\n(mostrata solo ora / shown only now)")
    return 0


ITALIAN = {  # the account errors, for this Italian command line
    "A username has up to 60 characters: lowercase letters, digits and . _ @ -":
        "il nome utente ha al massimo 60 caratteri: lettere minuscole, cifre e . _ @ -",
    "This username is taken.": "questo nome utente è già in uso",
    "Unknown role.": "ruolo sconosciuto",
    "The password needs at least 10 characters.": "la password deve avere almeno 10 caratteri",
}


def _error(message: str) -> int:
    print(f"errore: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
