"""The inbox from the command line (python -m bot inbox list/show/reply/close): Italian words,
Rome's times, the reply queued in the outbox on the person's channel; a wrong input is an
"errore: ..." line with exit status 2 and nothing written."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli_helpers import run  # noqa: F401  (fixture)
from tests.conftest import ROOT, Chat
from tests.inbox_helpers import conversations, messages, office_rows
from tests.registration_helpers import reach


@pytest.fixture
def question(service, db) -> int:
    chat = Chat(service, "p1", "telegram")
    reach(chat)
    chat.say("/office")
    chat.say("Posso venire venerdì?")
    [conversation] = conversations(db)
    return conversation.id


def test_list_show_reply_close(run, db, question):
    status, out, err = run("inbox", "list", "--status", "nuova")
    assert (status, err) == (0, "")
    assert "Rossi Maria (" in out and "nuova *" in out and "telegram" in out and "Posso venire venerdì?" in out
    assert "da leggere: 1" in out
    status, out, err = run("inbox", "show", str(question))
    assert status == 0 and "Conversazione 1: Rossi Maria" in out and "lingua en" in out
    assert "[mer 25 nov 2026 11:00] persona:" in out  # Rome's time
    status, out, err = run("inbox", "reply", str(question), "--text", "Sì, alle 10.", "--by", "anna")
    assert (status, err) == (0, "") and "Risposta in coda" in out
    [row] = office_rows(db)
    assert row.channel == "telegram" and "Sì, alle 10." in row.content["text"]
    assert messages(db)[-1] == ("operator", "Sì, alle 10.")
    status, out, _err = run("inbox", "list", "--status", "in attesa")
    assert "in attesa della persona" in out and "anna" in out
    status, out, _err = run("inbox", "close", str(question))
    assert status == 0 and "chiusa" in out
    assert conversations(db)[0].status == "closed"
    assert run("inbox", "list", "--status", "new")[1].strip().startswith("Nessuna conversazione")


def test_wrong_inputs(run, db, question):
    status, _out, err = run("inbox", "list", "--status", "boh")
    assert status == 2 and "errore: stato sconosciuto" in err
    status, _out, err = run("inbox", "show", "99")
    assert status == 2 and "errore: nessuna conversazione con il numero 99" in err
    run("inbox", "close", str(question))
    status, _out, err = run("inbox", "reply", str(question), "--text", "tardi")
    assert status == 2 and "chiusa" in err
    assert office_rows(db) == [] and len(messages(db)) == 1


def test_the_command_line_lists_it():
    out = subprocess.run([sys.executable, "-m", "bot", "inbox", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "reply" in out.stdout and "close" in out.stdout


def test_show_names_a_file_sent_in_the_conversation(run, db, service, tmp_path):
    from services.documents import Documents
    from tests import document_samples as samples
    from tests.test_documents import send_file
    service.documents = Documents(tmp_path / "documents")
    chat = Chat(service, "p1", "telegram")
    reach(chat)
    chat.say("/office")
    send_file(chat, samples.PDF, "cv.pdf")  # the file is the message
    assert "📎 cv.pdf" in run("inbox", "list")[1]
    status, out, _err = run("inbox", "show", "1")
    assert status == 0 and "📎 cv.pdf (documento 1: si scarica dal back office)" in out
