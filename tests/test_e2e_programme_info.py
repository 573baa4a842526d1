"""End to end on Telegram (#15): the real bot process (``python -m bot``, long polling) against the
fake Bot API, on a database holding the demo's programme information. A newcomer asks when the
office opens and gets the hours, then the menu with "Iscriviti" first; the menu's "Informazioni"
lists the topics and one of them answers with the address and the map link."""
from __future__ import annotations

from sqlmodel import Session

from services import demo_info
from store import migrate
from store.engine import make_engine
from tests.conftest import NOW
from tests.test_e2e_telegram import BotProcess, Person, api, bot  # noqa: F401  (fixtures)


def test_a_question_about_office_hours_gets_the_hours(api, bot, tmp_path):  # noqa: F811
    engine = make_engine(f"sqlite:///{bot.db_path}")
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            demo_info.load(session, now=NOW)
    finally:
        engine.dispose()
    bot.start()
    person = Person(api, bot)

    answer, menu = person.say("quando apre l'ufficio?", sends=2)
    assert answer["text"].startswith("Orari e telefono\n\n") and "dalle 9:00 alle 13:00" in answer["text"]
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:4] == ["Iscriviti", "Sono già iscritto", "Scrivi all'ufficio", "Informazioni"]

    person.press("Informazioni")
    [listing] = person.last
    assert "Cosa vuoi sapere su Insieme per il lavoro?" in listing["text"]
    person.press("Dove siamo", sends=2)
    assert "Via del Lavoro 1" in person.last[0]["text"] and "openstreetmap.org" in person.last[0]["text"]
    assert bot.stop() == 0
