"""The inbox in a real browser (#15), the person in the web chat and an operator in the back
office at once: "vorrei parlare con un operatore" -> a message -> it appears in the inbox (the
unread badge too) -> the operator replies with a canned reply -> the person's page shows it ->
the person answers -> the operator's page shows the answer without a reload. The whole story as
a person lives it: the office's hours asked in words, a message, the reply, an answer and a PDF
through the paperclip; the operator's page shows the answer and the PDF's download link without a
reload, and a viewer sees its name only. axe finds no critical and no serious violation on the
inbox's pages, on a desktop screen and on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from backoffice.settings import OfficeSettings
from bot.app import create_app as chat_app
from conversations.commands import build_engine
from services import demo_info
from services.conversation import ConversationService
from services.documents import Documents
from services.outbox import OutboxService
from store.models import InboxCannedReply
from tests import document_samples as samples
from tests.axe import SIZES, assert_accessible
from tests.browser import Served, browser  # noqa: F401  (fixture)
from tests.conftest import NOW
from tests.inbox_helpers import conversations, messages
from tests.office_support import fast_hashes, office_accounts  # noqa: F401  (fixtures)
from tests.test_backoffice_browser import log_in
from tests.test_webchat import make_app
from tests.test_webchat_browser import bot_says, send

CHAT_POLL = 20_000  # ms: the chat page asks for the bot's own messages every 15 s


@pytest.fixture
def served(db, office_accounts):  # noqa: F811
    with Session(db) as session, session.begin():
        session.add(InboxCannedReply(language="it", title="Orari", updated_at=NOW,
                                     text="L'ufficio è aperto dal lunedì al venerdì, 9-13 e 14-17."))
    with Served(make_app(db)) as running:
        yield running.url


def open_page(browser, size: str):  # noqa: F811
    context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome", viewport=SIZES[size])
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.parametrize("size", SIZES)
def test_a_question_answered_in_the_inbox_reaches_the_web_chat_and_back(browser, served, db, size):  # noqa: F811
    person_context, person = open_page(browser, size)
    office_context, office = open_page(browser, size)
    try:
        person.goto(served + "/chat")
        bot_says(person, "In che lingua preferisci parlare?")
        send(person, "vorrei parlare con un operatore")
        bot_says(person, "Scrivi qui il tuo messaggio per l'ufficio")
        send(person, "Quando è aperto l'ufficio?")
        expect(person.locator("#messages li.bot", has_text="il tuo messaggio è arrivato all'ufficio")).to_have_count(1)

        log_in(office, served, "otto")
        office.wait_for_url("**/office/")
        expect(office.locator("#inbox-unread")).to_have_text("1")
        if size == "desktop":
            office.get_by_role("link", name="Messaggi all'ufficio").first.click()
        else:  # the phone's menu is folded behind its button
            office.goto(served + "/office/inbox")
        expect(office.locator("#inbox-table")).to_contain_text("Quando è aperto l'ufficio?")
        assert_accessible(office, f"the inbox's list ({size})")
        office.locator("#inbox-table a", has_text="Non iscritta").click()
        expect(office.locator("#inbox-thread")).to_contain_text("Quando è aperto l'ufficio?")
        expect(office.locator("#inbox-language")).to_have_text("Italiano")
        expect(office.locator("#inbox-channel")).to_have_text("Chat web")
        assert_accessible(office, f"a conversation ({size})")
        office.get_by_role("button", name="Prendo io").click()
        expect(office.locator("#inbox-assigned")).to_have_text("otto")
        office.get_by_role("button", name="Orari").click()
        expect(office.get_by_label("La tua risposta")).to_have_value("L'ufficio è aperto dal lunedì al venerdì, 9-13 e 14-17.")
        office.get_by_role("button", name="Invia la risposta").click()
        expect(office.locator(".toast-body")).to_contain_text(["Risposta inviata"])
        expect(office.locator("#inbox-status")).to_have_text("In attesa della persona")

        expect(person.locator("#messages li.bot", has_text="Messaggio dall'ufficio di Insieme per il lavoro")
               ).to_contain_text("9-13 e 14-17", timeout=CHAT_POLL)
        send(person, "Grazie, passo domani!")
        bot_says(person, "Grazie, ho passato il tuo messaggio all'ufficio.")

        # the page asked for it: no reload
        expect(office.locator("#inbox-thread li[data-kind=person]").last).to_contain_text("Grazie, passo domani!")
        expect(office.locator("#inbox-status")).to_have_text("In carico")
        assert_accessible(office, f"a conversation after the answer ({size})")
    finally:
        person_context.close()
        office_context.close()
    [conversation] = conversations(db)
    assert conversation.channel == "web" and conversation.assigned_to == "otto"
    assert [kind for kind, _text in messages(db)] == ["person", "operator", "person"]


def test_a_viewer_reads_the_conversation_without_the_reply_box(browser, served, db):  # noqa: F811
    context, page = open_page(browser, "desktop")
    try:
        person_context, person = open_page(browser, "phone")
        person.goto(served + "/chat")
        bot_says(person, "In che lingua preferisci parlare?")
        send(person, "operatore")
        send(person, "Una domanda")
        person_context.close()
        log_in(page, served, "vera")
        page.wait_for_url("**/office/")
        page.goto(served + "/office/inbox/conversation?id=1")
        expect(page.locator("#inbox-thread")).to_contain_text("Una domanda")
        expect(page.get_by_role("button", name="Invia la risposta")).to_have_count(0)
        expect(page.get_by_role("button", name="Prendo io")).to_have_count(0)
        assert_accessible(page, "a conversation, read by a viewer")
    finally:
        context.close()


def test_the_list_says_when_new_messages_came_and_the_badge_counts_them(browser, served, db):  # noqa: F811
    office_context, office = open_page(browser, "desktop")
    person_context, person = open_page(browser, "phone")
    try:
        log_in(office, served, "otto")
        office.wait_for_url("**/office/")
        office.goto(served + "/office/inbox")
        expect(office.locator("#inbox-table")).to_contain_text("Nessuna conversazione.")
        person.goto(served + "/chat")
        bot_says(person, "In che lingua preferisci parlare?")
        send(person, "operatore")
        send(person, "Avete offerte per magazzinieri?")
        refresh = office.locator("#inbox-refresh")
        expect(refresh).to_have_text("Nuovi messaggi: mostrali", timeout=CHAT_POLL + 5_000)  # asked every 20 s
        expect(office.locator("#inbox-unread")).to_have_text("1")
        refresh.click()
        expect(office.locator("#inbox-table")).to_contain_text("Avete offerte per magazzinieri?")
    finally:
        person_context.close()
        office_context.close()


@pytest.fixture
def served_with_documents(db, office_accounts, tmp_path):  # noqa: F811
    """The one application as ``python -m bot run`` builds it, its documents in a folder of the
    test's, the demo's programme information loaded."""
    with Session(db) as session, session.begin():
        demo_info.load(session, now=NOW)
    documents = Documents(tmp_path / "documents")
    service = ConversationService(db, build_engine(), clock=lambda: NOW, documents=documents)
    app = chat_app(db, clock=lambda: NOW, announce=lambda _m: None, service=service,
                   settings=OfficeSettings(secret_key="k" * 40, documents_dir=documents.root),
                   outbox=OutboxService(db, clock=lambda: NOW))
    with Served(app) as running:
        yield running.url


def test_hours_a_message_the_reply_an_answer_and_a_pdf_seen_by_the_operator_without_reloading(
        browser, served_with_documents, db, tmp_path):  # noqa: F811
    served = served_with_documents
    person_context, person = open_page(browser, "phone")
    office_context, office = open_page(browser, "desktop")
    viewer_context, viewer = open_page(browser, "desktop")
    try:
        person.goto(served + "/chat")
        bot_says(person, "In che lingua preferisci parlare?")
        person.get_by_role("button", name="Italiano").click()
        person.get_by_role("button", name="Sì, sono d'accordo").click()
        bot_says(person, "Come ti chiami?")
        send(person, "/annulla")  # the notice accepted, the form for later
        send(person, "quando apre l'ufficio?")
        expect(person.locator("#messages li.bot", has_text="Orari e telefono")).to_contain_text("dalle 9:00 alle 13:00")
        send(person, "vorrei parlare con un operatore")
        bot_says(person, "Scrivi qui il tuo messaggio per l'ufficio")
        send(person, "Posso mandarvi il mio CV?")
        expect(person.locator("#messages li.bot", has_text="il tuo messaggio è arrivato all'ufficio")).to_have_count(1)

        log_in(office, served, "otto")
        office.wait_for_url("**/office/")
        office.goto(served + "/office/inbox/conversation?id=1")
        expect(office.locator("#inbox-thread")).to_contain_text("Posso mandarvi il mio CV?")
        office.get_by_label("La tua risposta").fill("Sì, mandalo pure qui in chat.")
        office.get_by_role("button", name="Invia la risposta").click()
        expect(office.locator("#inbox-status")).to_have_text("In attesa della persona")

        expect(person.locator("#messages li.bot", has_text="Messaggio dall'ufficio di Insieme per il lavoro")
               ).to_contain_text("mandalo pure qui", timeout=CHAT_POLL)
        send(person, "Eccolo")
        bot_says(person, "Grazie, ho passato il tuo messaggio all'ufficio.")
        person.locator("#file").set_input_files(files=[{"name": "Il mio CV.pdf", "mimeType": "application/pdf",
                                                        "buffer": samples.PDF}])
        bot_says(person, "Grazie: ho ricevuto Il mio CV.pdf e l'ho passato all'ufficio.")

        # the operator's page asked for them: no reload
        expect(office.locator("#inbox-thread li[data-kind=person]").nth(1)).to_contain_text("Eccolo")
        link = office.locator("#inbox-thread li[data-kind=person]").last.get_by_role("link", name="Il mio CV.pdf")
        expect(link).to_be_visible()
        assert_accessible(office, "a conversation with a document")
        with office.expect_download() as download:
            link.click()
        saved = tmp_path / "downloaded.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes() == samples.PDF
        office.goto(served + "/office/inbox")
        expect(office.locator("#inbox-table")).to_contain_text("📎 Il mio CV.pdf")

        log_in(viewer, served, "vera")
        viewer.wait_for_url("**/office/")
        viewer.goto(served + "/office/inbox/conversation?id=1")
        shown = viewer.locator("#inbox-thread li[data-kind=person]").last
        expect(shown).to_contain_text("Il mio CV.pdf")
        expect(shown.get_by_role("link")).to_have_count(0)
    finally:
        person_context.close()
        office_context.close()
        viewer_context.close()
