"""The inbox in the back office (HTTP, #15): the list by status with the unread count, a
conversation's page (name, code, language, channel, link to the registration), "prendo io", a
reply (queued in the outbox on the person's channel, the person's answers then going to the same
conversation), internal notes, close and reopen, canned replies of the person's language; viewers
read and get 403 on every POST; everything in the audit log."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import InboxCannedReply, OfficeAudit
from tests.conftest import NOW, Chat
from tests.inbox_helpers import conversations, messages, office_rows
from tests.office_support import client, csrf, fast_hashes, logged_in, office, office_accounts  # noqa: F401
from tests.registration_helpers import reach


@pytest.fixture
def maria(service, db) -> Chat:
    """Maria, registered on Telegram in English, wrote to the office."""
    chat = Chat(service, "5101", "telegram")
    reach(chat)
    chat.say("vorrei parlare con un operatore")
    chat.say("Can I bring my CV to the interview?")
    with Session(db) as session, session.begin():
        session.add_all([InboxCannedReply(language="en", title="CV", text="Yes, bring a printed CV.", updated_at=NOW),
                         InboxCannedReply(language="it", title="CV it", text="Sì, porta il CV.", updated_at=NOW)])
    return chat


def act(client, action: str, text: str = "", conversation: int = 1):
    token = csrf(client, f"/office/inbox/conversation?id={conversation}")
    return client.post("/office/inbox/act", data={"id": str(conversation), "action": action, "text": text,
                                                  "csrf_token": token})


def test_an_operator_takes_replies_notes_closes_and_reopens(client, db, maria):
    logged_in(client, "otto")
    assert client.get("/office/inbox/counts.json").json()["unread"] == 1
    listing = client.get("/office/inbox?status=new").text
    assert "Rossi Maria (" in listing and "Can I bring my CV to the interview?" in listing and "da leggere" in listing
    page = client.get("/office/inbox/conversation?id=1").text
    code = conversations(db)[0].registration_id
    assert "Rossi Maria" in page and "Inglese" in page and "Telegram" in page and "Nuova" in page
    assert f"/office/registration/details/{code}" in page
    assert 'data-canned="Yes, bring a printed CV."' in page and "Sì, porta il CV." not in page  # her language's
    assert client.get("/office/inbox/counts.json").json()["unread"] == 0  # opened: read
    assert act(client, "take").status_code == 303
    assert (conversations(db)[0].status, conversations(db)[0].assigned_to) == ("assigned", "otto")
    response = act(client, "reply", "Yes, bring a printed CV.")
    assert response.status_code == 303
    [row] = office_rows(db)
    assert row.channel == "telegram" and "Yes, bring a printed CV." in row.content["text"]
    assert "Message from the Insieme per il lavoro office" in row.content["text"]
    assert conversations(db)[0].status == "waiting" and conversations(db)[0].first_response_at is not None
    act(client, "note", "She will come on Friday")
    assert messages(db)[-1] == ("note", "She will come on Friday")
    maria.say("Thank you, see you Friday")
    assert maria.replies[0].text == "Thank you, I passed your message to the office."
    update = client.get("/office/inbox/messages.json?id=1&after=3").json()
    assert [line["text"] for line in update["lines"]] == ["Thank you, see you Friday"]
    assert update["lines"][0]["label"] == "La persona" and update["status_label"] == "In carico"
    act(client, "close")
    assert conversations(db)[0].status == "closed"
    assert "Invia la risposta" not in client.get("/office/inbox/conversation?id=1").text
    act(client, "reopen")
    assert conversations(db)[0].status == "assigned"
    with Session(db) as session:
        actions = set(session.scalars(select(OfficeAudit.action).where(OfficeAudit.table_name.like("inbox%"))))
    assert {"inbox_take", "inbox_close", "inbox_reopen", "create"} <= actions


def test_an_empty_reply_is_refused_politely(client, db, maria):
    logged_in(client, "otto")
    response = act(client, "reply", "   ")
    assert response.status_code == 303
    assert "Scrivi prima il testo." in client.get(response.headers["location"]).text
    assert office_rows(db) == []


def test_a_viewer_reads_and_may_not_act(client, db, maria):
    logged_in(client, "vera")
    page = client.get("/office/inbox/conversation?id=1")
    assert page.status_code == 200 and "Can I bring my CV" in page.text and "Invia la risposta" not in page.text
    token = csrf(client, "/office/inbox/conversation?id=1")
    for action in ("take", "reply", "note", "close", "reopen"):
        response = client.post("/office/inbox/act", data={"id": "1", "action": action, "text": "x",
                                                          "csrf_token": token})
        assert response.status_code == 403, action
    assert office_rows(db) == [] and conversations(db)[0].status == "new"
    assert client.get("/office/inbox-canned-reply/list").status_code == 403


def test_unknown_conversations_and_bad_addresses(client, db, maria):
    logged_in(client, "otto")
    assert client.get("/office/inbox/conversation?id=99").status_code == 404
    assert client.get("/office/inbox/conversation?id=x").status_code == 404
    assert client.get("/office/inbox/messages.json?id=99").status_code == 404
    token = csrf(client, "/office/inbox")
    assert client.post("/office/inbox/act", data={"id": "1", "action": "boh", "csrf_token": token}).status_code == 400


def test_a_file_in_the_conversation_is_a_download_link_for_operators_and_a_name_for_viewers(client, db, maria,
                                                                                          service, tmp_path):
    from services.documents import Documents
    from tests import document_samples as samples
    from tests.test_documents import send_file
    service.documents = Documents(tmp_path / "documents")
    logged_in(client, "otto")
    act(client, "reply", "Yes: send it here.")
    assert client.get("/office/inbox/counts.json").json()["unread"] == 0
    service.clock = lambda: NOW + dt.timedelta(minutes=5)  # she answers after the operator read it
    send_file(maria, samples.PDF, "CV Maria.pdf")
    assert maria.replies[0].text == "Thank you: I received CV Maria.pdf and passed it to the office."
    assert client.get("/office/inbox/counts.json").json()["unread"] == 1  # a new message, unread
    assert "📎 CV Maria.pdf" in client.get("/office/inbox").text
    [line] = client.get("/office/inbox/messages.json?id=1&after=2").json()["lines"]
    assert (line["kind"], line["text"], line["document"]) == ("person", "CV Maria.pdf", True)
    assert line["download"].endswith("/office/documents/download?id=1")
    page = client.get("/office/inbox/conversation?id=1").text
    assert 'href="http://testserver/office/documents/download?id=1" download>CV Maria.pdf</a>' in page
    logged_in(client, "vera")
    page = client.get("/office/inbox/conversation?id=1").text
    assert "CV Maria.pdf" in page and "documents/download" not in page
    assert "I documenti li scaricano gli operatori." in page
    [line] = client.get("/office/inbox/messages.json?id=1&after=2").json()["lines"]
    assert line["document"] and "download" not in line
