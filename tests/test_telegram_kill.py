"""Killed between saving a step and sending its replies: every confirmation still arrives, once.

The real bot process (``python -m bot``, long polling) against the fake Bot API. A person
registers, books an orientation interview and takes a workshop seat; at each confirming press the
fake holds the bot's sendMessage and will not deliver it (the step is committed, its reply on its way)
and the process is SIGKILLed, then started again. The reply is an outbox row held by the dead
process's sender (services.reply_rows): the new process sees that process is gone and sends it at
once (services.outbox_claim.take_over_the_dead), without waiting for its lease (30 s). The person then has each confirmation (the registration code, the
booking's details and its calendar file) exactly once, and no message twice.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter

import pytest

from tests.booking_flow_helpers import add_slot, add_workshop
from tests.fake_bot_api import FakeBotApi
from tests.fake_network import Hold
from tests.test_e2e_telegram import TOKEN, WAIT, BotProcess, Person, USER, replies_recorded
from store import migrate
from store.engine import make_engine

@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def bot(api, tmp_path):
    path = tmp_path / "kill.db"
    db = make_engine(f"sqlite:///{path}")
    migrate.upgrade(db)
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0,
                                                                             microsecond=0)
    add_slot(db, soon)
    add_workshop(db, soon + dt.timedelta(days=1, hours=5), capacity=5)
    db.dispose()
    process = BotProcess(api, path, tmp_path)
    yield process
    process.kill_all()


def first_button(api: FakeBotApi, person: Person) -> str:
    [message] = [m for m in api.messages(person.user_id) if m.get("reply_markup")][-1:]
    return message["reply_markup"]["inline_keyboard"][0][0]["text"]


def killed_while_replying(api: FakeBotApi, bot: BotProcess, person: Person, label: str, sends: int) -> list[dict]:
    """Press ``label``; kill the bot once its step is saved and its reply is on the wire (held,
    never delivered); start it again: what the person then receives."""
    replies_recorded(bot.db_path)  # what went before is written down as sent: it never comes again
    delivered = api.delivered[person.user_id]
    api.refuse(Hold(60, deliver=False), method="sendMessage", chat_id=person.user_id)
    mark = api.mark()
    api.push(person.press_update(label))
    api.wait_for("sendMessage", since=mark, timeout=WAIT)  # committed: the reply is being sent
    bot.kill()
    assert api.delivered[person.user_id] == delivered  # nothing reached the person before the kill
    mark = api.mark()
    bot.start()
    person.last = api.wait_sent(sends, since=mark, timeout=WAIT)  # well within the lease
    return person.last


def test_each_confirmation_arrives_once_though_the_bot_is_killed_before_sending_it(api, bot, tmp_path):
    bot.start()
    person = Person(api, bot)
    person.say("ciao")
    person.press("English")
    person.press("Yes, I agree")
    for answer in ("Amina", "Haddad", "12/07/1994"):
        person.say(answer)
    person.press("I don't have one")
    person.say("Bologna")
    person.say("3471234567", sends=2)  # "Thank you" and the email question
    for label in ("Skip", "Looking for work", "High school diploma", "Good"):
        person.press(label)
    person.press("Cleaning", sends=0, edits=1)
    person.press("Done")
    person.press("No licence")
    person.press("Shifts", sends=0, edits=1)
    person.press("Done")
    assert "Is everything right?" in person.text

    killed_while_replying(api, bot, person, "Yes, register me", sends=1)
    assert "You are registered. Your code is" in person.text

    person.press("Book my interview")
    person.press(first_button(api, person))  # the day
    person.press(first_button(api, person))  # the time
    mark = api.mark()
    killed_while_replying(api, bot, person, "Yes, book it", sends=1)
    assert "Done: your orientation interview is booked." in person.text
    api.wait_for("sendDocument", since=mark, timeout=WAIT)  # its calendar file

    person.say("/menu")
    person.press("Workshops")
    person.press(first_button(api, person))  # the session
    mark = api.mark()
    killed_while_replying(api, bot, person, "Yes, sign me up", sends=1)
    assert "Done: you are signed up." in person.text
    api.wait_for("sendDocument", since=mark, timeout=WAIT)
    api.wait_quiet(1.0, timeout=WAIT)

    # what reached the person: the calls answered 200 (the held ones were never delivered)
    texts = Counter(call.params["text"] for call in api.chat_calls(USER, {"sendMessage"}) if call.status == 200)
    assert [t for t, n in texts.items() if n > 1] == [], "a message went out twice"
    confirmations = [t for t in texts for said in ("You are registered. Your code is",
                                                    "Done: your orientation interview is booked.",
                                                    "Done: you are signed up.") if said in t]
    assert len(confirmations) == 3
    assert api.delivered[USER] == sum(texts.values()) + 2  # and one calendar file each for the interview and the seat
    assert bot.stop() == 0
    with sqlite3.connect(tmp_path / "kill.db") as db:
        assert db.execute("SELECT count(*) FROM registration WHERE code IS NOT NULL").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM interview_booking WHERE status = 'booked'").fetchone() == (1,)
        statuses = dict(db.execute("SELECT status, count(*) FROM outbox WHERE kind = 'reply' GROUP BY status"))
    assert set(statuses) == {"sent"}, statuses
    assert "Traceback" not in bot.log()
