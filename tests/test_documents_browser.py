"""Documents in a real browser (#15): a CV sent as a PDF on Telegram and as a photo on WhatsApp (through
the real adapters and the fake servers) appears on each registration's page in the back office, where
an operator downloads it; the web chat's paperclip sends a file and says when one is too big; both
pages pass axe (no critical or serious violation), on a desktop and a phone."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from backoffice.app import create_app as office_app
from backoffice.settings import OfficeSettings
from bot.app import create_app as chat_app
from conversations.commands import build_engine
from services.conversation import ConversationService
from services.documents import Documents
from services.outbox import OutboxService
from store.models import ChannelIdentity, Registration
from tests import document_samples as samples
from tests import scenarios
from tests.axe import SIZES, assert_accessible
from tests.browser import Served, browser, page  # noqa: F401  (fixtures)
from tests.conftest import NOW
from tests.fake_graph_api import image
from tests.office_support import fast_hashes, office_accounts  # noqa: F401  (fixtures)
from tests.telegram_fakes import message_update
from tests.test_backoffice_browser import log_in
from tests.test_scenario_channels import USER, WA_ID, telegram_person, whatsapp_person

MB = 1024 * 1024


@pytest.fixture
def documents(tmp_path) -> Documents:
    return Documents(tmp_path / "documents", max_bytes=1 * MB)


def registration_of(db, channel: str, external_id: str) -> int:
    with Session(db) as session:
        return session.exec(select(Registration.id).join(
            ChannelIdentity, ChannelIdentity.contact_id == Registration.contact_id).where(
            ChannelIdentity.scheme == channel, ChannelIdentity.external_id == external_id)).one()


def send_from_the_apps(db, service) -> None:
    """In a thread of its own: Playwright's sync API marks the main thread's event loop running."""
    def work() -> None:
        with asyncio.Runner() as runner:
            with telegram_person(db, service, runner) as telegram:
                scenarios.play(telegram, scenarios.register(), db)
                sent = telegram.api.add_file(samples.PDF)
                telegram._feed(message_update(user_id=USER, document={**sent, "file_name": "CV Maria Rossi.pdf"}))
                assert "I received CV Maria Rossi.pdf." in telegram.text
            with whatsapp_person(db, service, runner) as whatsapp:
                scenarios.play(whatsapp, scenarios.register(), db)
                whatsapp.sent = whatsapp.chat.send(image(whatsapp.graph.add_media(samples.JPEG, "image/jpeg")))
                assert "I received" in whatsapp.text
    with ThreadPoolExecutor(1) as thread:
        thread.submit(work).result()


@pytest.mark.parametrize("size", SIZES)
def test_cvs_from_telegram_and_whatsapp_appear_on_the_registration_page(page, db, office_accounts, documents,
                                                                          tmp_path, size):
    service = ConversationService(db, build_engine(), clock=lambda: NOW, documents=documents)
    send_from_the_apps(db, service)
    settings = OfficeSettings(secret_key="k" * 40, documents_dir=documents.root)
    page.set_viewport_size(SIZES[size])
    with Served(office_app(db, settings=settings)) as served:
        log_in(page, served.url, "otto")
        page.goto(f"{served.url}/office/registration/details/{registration_of(db, 'telegram', str(USER))}")
        card = page.locator("#documents")
        expect(card).to_contain_text("Documenti inviati")
        row = card.locator("tr.document")
        expect(row).to_have_count(1)
        for shown in ("CV Maria Rossi.pdf", "PDF", "Telegram"):
            expect(row).to_contain_text(shown)
        assert_accessible(page, f"registration page with a document ({size})")
        with page.expect_download() as download:
            row.get_by_role("link", name="CV Maria Rossi.pdf").click()
        assert download.value.suggested_filename == "CV Maria Rossi.pdf"
        saved = tmp_path / "downloaded.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes() == samples.PDF

        page.goto(f"{served.url}/office/registration/details/{registration_of(db, 'whatsapp', WA_ID)}")
        row = page.locator("#documents tr.document")
        for shown in ("documento.jpg", "Foto (JPEG)", "WhatsApp"):
            expect(row).to_contain_text(shown)


def test_the_web_chats_paperclip_sends_a_file_and_says_when_one_is_too_big(page, db, fast_hashes, documents):  # noqa: F811
    service = ConversationService(db, build_engine(), clock=lambda: NOW, documents=documents)
    app = chat_app(db, clock=lambda: NOW, settings=OfficeSettings(secret_key="k" * 40), announce=lambda _m: None,
                   service=service, outbox=OutboxService(db, clock=lambda: NOW))
    with Served(app) as served:
        page.goto(served.url + "/chat")
        page.get_by_role("button", name="Italiano").click()
        page.get_by_role("button", name="Sì, sono d'accordo").click()
        expect(page.locator("#messages li.bot").last).to_contain_text("Come ti chiami?")
        attach = page.get_by_role("button", name="Allega un file")
        expect(attach).to_be_visible()
        assert_accessible(page, "the web chat with its paperclip")
        page.locator("#file").set_input_files(files=[{"name": "Il mio CV.pdf", "mimeType": "application/pdf",
                                                      "buffer": samples.PDF}])
        expect(page.locator("#messages li.me").last).to_contain_text("Il mio CV.pdf")
        expect(page.locator("#messages li.bot", has_text="Grazie: ho ricevuto Il mio CV.pdf")).to_have_count(1)
        page.locator("#file").set_input_files(files=[{"name": "grande.pdf", "mimeType": "application/pdf",
                                                      "buffer": samples.big(2)}])
        expect(page.locator("#messages li.bot", has_text="troppo grande per me: al massimo 1 MB")).to_have_count(1)
    assert len([p for p in documents.root.rglob("*") if p.is_file()]) == 1
