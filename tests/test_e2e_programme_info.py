"""End to end on Telegram (#15): the real bot process (``python -m bot``, long polling) against the
fake Bot API, on a database holding the demo's programme information. A newcomer asks when the
office opens and gets the hours, then the menu with "Iscriviti" first; the menu's "Informazioni"
lists the topics and one of them answers with the address and the map link. Then, on a network
50 ms away that answers 429 once: the person asks for an operator, writes, gets the operator's
reply (sent by the process's own outbox), answers and sends a PDF; both land in the conversation,
the PDF with its document."""
from __future__ import annotations

from sqlmodel import Session

from services import demo_info, inbox, inbox_views
from services.clock import utcnow  # the bot process's clock: the real one
from store import migrate
from store.engine import make_engine
from tests import document_samples as samples
from tests.conftest import NOW
from tests.fake_bot_api import flood
from tests.telegram_fakes import message_update
from tests.test_e2e_telegram import USER, WAIT, BotProcess, Person, api, bot  # noqa: F401  (fixtures)


def with_programme_info(bot: BotProcess) -> None:  # noqa: F811
    engine = make_engine(f"sqlite:///{bot.db_path}")
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            demo_info.load(session, now=NOW)
    finally:
        engine.dispose()


def labels(message: dict) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


def test_a_question_about_office_hours_gets_the_hours(api, bot, tmp_path):  # noqa: F811
    with_programme_info(bot)
    bot.start()
    person = Person(api, bot)

    answer, menu = person.say("quando apre l'ufficio?", sends=2)
    assert answer["text"].startswith("Orari e telefono\n\n") and "dalle 9:00 alle 13:00" in answer["text"]
    assert labels(menu)[:4] == ["Iscriviti", "Sono già iscritto", "Scrivi all'ufficio", "Informazioni"]

    person.press("Informazioni")
    [listing] = person.last
    assert "Cosa vuoi sapere su Insieme per il lavoro?" in listing["text"]
    person.press("Dove siamo", sends=2)
    assert "Via del Lavoro 1" in person.last[0]["text"] and "openstreetmap.org" in person.last[0]["text"]
    assert bot.stop() == 0


def test_hours_the_office_its_reply_an_answer_and_a_pdf_on_a_slow_network(api, bot, tmp_path):  # noqa: F811
    with_programme_info(bot)
    bot.env["DOCUMENTS_DIR"] = str(tmp_path / "documents")
    bot.start()
    api.latency = 0.05
    person = Person(api, bot)
    person.say("quando apre l'ufficio?", sends=2)
    assert "dalle 9:00 alle 13:00" in person.last[0]["text"]
    person.press("Iscriviti")  # she accepts the privacy notice, then stops for now
    person.press("Italiano")
    person.press("Sì, sono d'accordo")
    person.say("/annulla")
    [question] = person.say("vorrei parlare con un operatore")
    assert "Scrivi qui il tuo messaggio per l'ufficio" in question["text"]
    confirmation, _menu = person.say("Posso mandarvi il mio CV?", sends=2)
    assert "il tuo messaggio è arrivato all'ufficio" in confirmation["text"]

    engine = make_engine(f"sqlite:///{bot.db_path}")
    try:
        api.refuse(flood(1), method="sendMessage", chat_id=USER)  # the operator's reply meets a 429 first
        mark = api.mark()
        with Session(engine) as session, session.begin():
            [conversation] = inbox_views.listing(session)
            inbox.reply(session, conversation.id, text="Sì, mandalo qui in chat.", by="otto", now=utcnow())
        [delivered] = api.wait_for("sendMessage", since=mark, timeout=WAIT, where=lambda call: call.status == 200)
        assert "Sì, mandalo qui in chat." in delivered.params["text"]
        assert [call.status for call in api.calls_to("sendMessage", mark)] == [429, 200]  # retried, once

        [thanks] = person.say("Eccolo, grazie")
        assert thanks["text"] == "Grazie, ho passato il tuo messaggio all'ufficio."
        sent = api.add_file(samples.PDF)
        [kept] = person._act(message_update(user_id=USER, document={**sent, "file_name": "CV Maria.pdf"}), sends=1)
        assert kept["text"] == "Grazie: ho ricevuto CV Maria.pdf e l'ho passato all'ufficio."
        with Session(engine) as session:
            found = inbox_views.detail(session, conversation.id)
            assert [(line.kind, line.text, line.document_id is not None) for line in found.lines] == [
                ("person", "Posso mandarvi il mio CV?", False), ("operator", "Sì, mandalo qui in chat.", False),
                ("person", "Eccolo, grazie", False), ("person", "CV Maria.pdf", True)]
            assert found.conversation.unread and found.conversation.last_text == "📎 CV Maria.pdf"
    finally:
        engine.dispose()
    assert [p.read_bytes() for p in (tmp_path / "documents").rglob("*") if p.is_file()] == [samples.PDF]
    assert bot.stop() == 0
