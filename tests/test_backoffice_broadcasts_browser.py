"""A broadcast in a real browser: an operator composes a notice, watches the count follow the
audience, previews it in each language, confirms and sends it; the outbox then delivers it
(the web chat's rows as the chat page takes them, Telegram's through the real sender to the
fake Bot API, where one person blocked the bot) and the report shows what happened."""
from __future__ import annotations

import asyncio
import re
import threading

from playwright.sync_api import expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from store.models import ChannelIdentity
from services.outbox import OutboxService
from tests.audience_helpers import add_person, outbox_rows
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.fake_bot_api import FakeBotApi
from tests.office_support import fast_hashes, office, office_accounts  # noqa: F401
from tests.outbox_helpers import TOKEN, Clock, PaceTime, drain_until_done, make_bot, make_sender
from tests.test_backoffice_browser import log_in

IT = "Lunedì 30 novembre lo sportello è chiuso.\nCi vediamo martedì!"
EN = "The desk is closed on Monday 30 November.\nSee you on Tuesday!"


def on_telegram(db, name: str, chat_id: int) -> int:
    contact_id = add_person(db, name, channel="telegram")
    with Session(db) as session, session.begin():
        session.execute(update(ChannelIdentity).where(ChannelIdentity.contact_id == contact_id)
                        .values(external_id=str(chat_id)))
    return contact_id


def deliver_on_telegram(db, api, clock: Clock) -> None:
    """The bot's Telegram sender, in a thread of its own: Playwright's loop holds this one."""
    async def drain() -> None:
        async with make_bot(api) as bot:
            await drain_until_done(make_sender(bot, db, clock=clock, pace=PaceTime()), db, clock)

    failures: list[BaseException] = []
    thread = threading.Thread(target=lambda: _record(failures, lambda: asyncio.run(drain())))
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and not failures, failures


def _record(failures: list, work) -> None:
    try:
        work()
    except BaseException as problem:  # handed back to the test's thread
        failures.append(problem)


def test_an_operator_sends_a_broadcast_and_reads_its_report(page, served, office, db):
    add_person(db, "anna", channel="web")
    add_person(db, "ben", channel="web", language="en")
    add_person(db, "stopped", channel="web", notices_off=True)
    on_telegram(db, "carla", 7001)
    on_telegram(db, "dario", 7002)

    log_in(page, served, "otto")
    page.locator("#navbar-menu").get_by_role("link", name="Comunicazioni").click()
    page.get_by_role("link", name="Nuova comunicazione").click()
    page.get_by_label("Testo in italiano (obbligatorio)").fill(IT)
    page.get_by_label("Testo in inglese (facoltativo)").fill(EN)

    count = page.locator("#audience-count")
    page.get_by_label("Lingua").select_option("en")  # the count follows the audience, no button pressed
    expect(count).to_have_text("Destinatari: 1 (esclusi: 0 non vogliono avvisi, 0 non raggiungibili)")
    page.get_by_label("Canale").select_option("telegram")
    expect(count).to_have_text(re.compile(r"^Destinatari: 0 "))
    page.get_by_label("Lingua").select_option("")
    expect(count).to_have_text(re.compile(r"^Destinatari: 2 "))
    page.get_by_label("Canale").select_option("")
    expect(count).to_have_text("Destinatari: 4 (esclusi: 1 non vogliono avvisi, 0 non raggiungibili)")

    page.get_by_role("button", name="Anteprima").click()
    expect(page.locator('.preview-message[data-language="it"]')).to_have_text(
        IT + "\n\nScrivi STOP per non ricevere più avvisi.")
    expect(page.locator('.preview-message[data-language="en"]')).to_have_text(
        EN + "\n\nWrite STOP to stop receiving notices.")

    page.get_by_role("button", name="Continua").click()
    expect(page.locator("#confirm-count")).to_have_text(
        "Destinatari: 4 (esclusi: 1 non vogliono avvisi, 0 non raggiungibili)")
    assert outbox_rows(db) == []  # nothing written before the confirmation
    page.get_by_role("button", name="Invia a 4 persone").click()

    expect(page.locator(".toast-body")).to_contain_text(["in coda: 4 messaggi"])
    figures = page.locator("#report-figures")
    expect(figures.locator('[data-figure="queued"] td')).to_have_text("4")
    expect(figures.locator('[data-figure="sent"] td')).to_have_text("0")

    # The outbox: the web chat's page takes its rows; Telegram's sender calls the fake Bot API.
    outbox = OutboxService(db, clock=office.clock)
    for person, text in (("anna-web", IT + "\n\nScrivi STOP per non ricevere più avvisi."),
                         ("ben-web", EN + "\n\nWrite STOP to stop receiving notices.")):
        claimed = outbox.claim("web", person)
        assert [p.message.text for p in claimed] == [text]
        outbox.sent(claimed)
    with FakeBotApi(token=TOKEN) as api:
        api.block(7002)
        deliver_on_telegram(db, api, Clock(office.clock()))
        assert [call.params["text"] for call in api.calls_to("sendMessage") if int(call.params["chat_id"]) == 7001] \
            == [IT + "\n\nScrivi STOP per non ricevere più avvisi."]

    page.get_by_role("link", name="Aggiorna").click()
    expect(figures.locator('[data-figure="sent"] td')).to_have_text("3")
    expect(figures.locator('[data-figure="blocked"] td')).to_have_text("1")
    expect(figures.locator('[data-figure="pending"] td')).to_have_text("0")
    expect(figures.locator('[data-figure="skipped"] td')).to_have_text("1")
    expect(page.locator("#report-status")).to_have_text("Completata")

    page.get_by_role("link", name="Tutte le comunicazioni").click()
    row = page.locator("#broadcast-table .broadcast-row").first
    expect(row).to_contain_text("Completata")
    expect(row).to_contain_text("Lunedì 30 novembre lo sportello è chiuso.")
