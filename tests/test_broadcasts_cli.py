"""python -m bot broadcasts count/new/list/cancel/report, on the per-test database: what is
printed, what is stored, confirmation, and inputs refused with a clear message."""
from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from bot import cli
from store.models import Broadcast, OutboxMessage, aware
from tests.audience_helpers import add_person, outbox_rows
from tests.booking_flow_helpers import add_workshop, days_ahead
from tests.conftest import NOW

UTC = dt.timezone.utc


@pytest.fixture
def run(db_url, monkeypatch, capsys):
    """Run an operator command at NOW, answering ``stdin`` to a question; (status, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str, stdin: str | None = None, now: dt.datetime = NOW):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        status = cli.main(list(argv), now=now)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def people(db):
    """Three Italians in Bologna (one opted out of notices), one English speaker in Imola."""
    return {"anna": add_person(db, "anna"), "bruno": add_person(db, "bruno", channel="console"),
            "carla": add_person(db, "carla", notices_off=True),
            "dev": add_person(db, "dev", language="en", municipality="Imola")}


def stored(db) -> list[Broadcast]:
    with Session(db) as session:
        return list(session.execute(select(Broadcast).order_by(Broadcast.id)).scalars())


def test_count_with_filters(run, people):
    status, out, _err = run("broadcasts", "count")
    assert status == 0
    assert "tutti i registrati" in out and "Destinatari: 3 (esclusi 1: 1 non vogliono avvisi" in out
    status, out, _err = run("broadcasts", "count", "--language", "en", "--municipality", "imola")
    assert status == 0 and "Destinatari: 1 " in out and "lingua en, comune Imola" in out
    status, out, _err = run("broadcasts", "count", "--channel", "console")
    assert "Destinatari: 1 " in out


@pytest.mark.both_databases
def test_new_sends_now_after_showing_the_count(run, db, people):
    status, out, _err = run("broadcasts", "new", "--text-it", "Ufficio chiuso lunedì.\\nA presto.",
                            "--text-en", "Office closed on Monday.", "--by", "Giulia", "--yes")
    assert status == 0
    assert "Destinatari: 3" in out and "Creato l'avviso 1: 3 messaggi in coda" in out
    [broadcast] = stored(db)
    assert (broadcast.status, broadcast.created_by, aware(broadcast.send_at)) == ("queued", "Giulia", NOW)
    assert broadcast.texts == {"it": "Ufficio chiuso lunedì.\nA presto.", "en": "Office closed on Monday."}
    rows = {row.contact_id: row for row in outbox_rows(db, broadcast.id)}
    assert set(rows) == {people["anna"], people["bruno"], people["dev"]}
    assert rows[people["dev"]].content["text"].startswith("Office closed on Monday.")
    assert rows[people["bruno"]].channel == "console"


def test_new_asks_for_confirmation(run, db, people):
    status, out, _err = run("broadcasts", "new", "--text-it", "Avviso", stdin="n\n")
    assert status == 1 and "Confermi l'invio?" in out and "Nessun avviso creato" in out
    assert stored(db) == []
    status, out, _err = run("broadcasts", "new", "--text-it", "Avviso", stdin="")  # no answer at all
    assert status == 1 and stored(db) == []
    status, out, _err = run("broadcasts", "new", "--text-it", "Avviso", stdin="s\n")
    assert status == 0 and len(stored(db)) == 1 and len(outbox_rows(db)) == 3


def test_new_at_a_set_time_waits_in_rome_time(run, db, people):
    status, out, _err = run("broadcasts", "new", "--text-it", "Open day", "--at", "2026-12-01 09:00",
                            "--workshop", str(add_workshop(db, days_ahead(3))), "--with-waitlist", "--yes")
    assert status == 0 and "programmato per mar 1 dic 2026 09:00" in out
    [broadcast] = stored(db)
    assert aware(broadcast.send_at) == dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # CET is UTC+1
    assert broadcast.status == "scheduled" and outbox_rows(db) == []
    assert broadcast.audience["with_waitlist"] is True


@pytest.mark.both_databases
def test_list_cancel_and_report(run, db, people):
    run("broadcasts", "new", "--text-it", "Subito per tutti", "--yes", "--by", "Giulia")
    run("broadcasts", "new", "--text-it", "Più tardi", "--at", "2026-12-01 09:00", "--language", "en", "--yes")
    status, out, _err = run("broadcasts", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[2].split()[:3] == ["2", "programmato", "mar"] and "lingua en" in lines[2]
    assert "in invio" in lines[3] and "Giulia" in lines[3] and "Subito per tutti" in lines[3]

    status, out, _err = run("broadcasts", "cancel", "2")
    assert status == 0 and "non verrà inviato" in out
    with Session(db) as session, session.begin():  # the sender got through two of three
        first, second, _third = session.execute(select(OutboxMessage.id).order_by(OutboxMessage.id)).scalars()
        session.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(status="sent"))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == second)
                        .values(status="failed", last_error="blocked: Forbidden: bot was blocked by the user"))
    status, out, _err = run("broadcasts", "cancel", "1")
    assert status == 0 and "1 messaggi non ancora partiti sono stati ritirati" in out
    status, out, _err = run("broadcasts", "report", "1")
    assert status == 0
    for line in ("Pubblico all'invio: 4", "Esclusi (non vogliono avvisi o non raggiungibili): 1", "In coda: 3",
                 "Inviati: 1", "Da inviare: 0", "Bloccati (hanno bloccato il bot o la chat non esiste più): 1",
                 "Non riusciti: 0", "Ritirati (avviso annullato, o la persona ha chiesto stop): 1"):
        assert line in out.splitlines(), line
    status, out, _err = run("broadcasts", "report", "2")
    assert status == 0 and "Non ancora messo in coda" in out


def test_report_lists_failure_reasons(run, db, people):
    run("broadcasts", "new", "--text-it", "Avviso", "--yes")
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).values(status="failed", last_error="HTTP 500: Internal Server Error"))
    status, out, _err = run("broadcasts", "report", "1")
    assert "Non riusciti: 3" in out and "    3 x HTTP 500: Internal Server Error" in out


@pytest.mark.parametrize("argv, message", [
    (("new", "--text-it", "   ", "--yes"), "il testo non può essere vuoto"),
    (("new", "--text-en", "Hello", "--yes"), "parametri obbligatori mancanti: --text-it"),
    (("new", "--text-it", "x" * 3501, "--yes"), "testo troppo lungo"),
    (("new", "--text-it", "Ciao", "--at", "2026-11-20 09:00", "--yes"), "è già passato"),
    (("new", "--text-it", "Ciao", "--at", "domani", "--yes"), "data e ora non valide"),
    (("new", "--text-it", "Ciao", "--workshop", "42", "--yes"), "non esiste una sessione di workshop con ID 42"),
    (("count", "--workshop", "42"), "non esiste una sessione di workshop con ID 42"),
    (("count", "--with-waitlist"), "--with-waitlist va insieme a --workshop"),
    (("count", "--municipality", "Xyzzy"), "comune non riconosciuto «Xyzzy»"),
    (("count", "--municipality", "Milano"), "Milano non è un comune della Città metropolitana di Bologna"),
    (("count", "--language", "de"), "valore non ammesso"),
    (("count", "--channel", "fax"), "valore non ammesso"),
    (("cancel", "7"), "non esiste un avviso con questo ID"),
    (("report", "7"), "non esiste un avviso con questo ID"),
    (("cancel", "zero"), "numero non valido"),
    (("new", "--text-it", "Ciao", "--language", "en", "--municipality", "Imola", "--channel", "whatsapp", "--yes"),
     "nessuno riceverebbe questo avviso"),
])
def test_bad_input_gets_a_clear_message_and_exit_2(run, db, people, argv, message):
    status, _out, err = run("broadcasts", *argv)
    assert status == 2
    assert message in err and "Traceback" not in err
    assert stored(db) == []


def test_municipality_typos_are_accepted(run, db, people):
    add_person(db, "elena", municipality="San Lazzaro di Savena")
    status, out, _err = run("broadcasts", "count", "--municipality", "san lazaro")
    assert status == 0 and "comune San Lazzaro di Savena" in out and "Destinatari: 1 " in out


def test_cancelling_twice_is_refused(run, db, people):
    run("broadcasts", "new", "--text-it", "Avviso", "--at", "2026-12-01 09:00", "--yes")
    assert run("broadcasts", "cancel", "1")[0] == 0
    status, _out, err = run("broadcasts", "cancel", "1")
    assert status == 2 and "già annullato" in err
