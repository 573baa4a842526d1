"""WhatsApp's own number confirmed instead of typed, and one person on two apps: a one-time code
asked for on one channel and sent from the other links that chat to the same registration."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session, select

from conversations.commands import build_engine
from conversations.messages import Inbound
from services.conversation import ConversationService
from store.models import LinkAttempt, LinkCode
from store.models import ChannelIdentity, Consent, Contact, ConversationState, Registration
from tests.conftest import NOW, Chat
from tests.registration_helpers import reach, rows, state_of

WA_ID = "393471234567"
TG_ID = "5001"
MENU_REGISTERED = ["My appointments", "Book an interview", "Workshops", "My registration",
                   "My applications", "Write to the office", "About the programme", "Privacy and my data",
                   "Language", "Help"]


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


class WaPerson(Chat):
    """Somebody on WhatsApp: every message carries the number Meta says it comes from."""

    def __init__(self, service, wa_id: str = WA_ID):
        super().__init__(service, wa_id, "whatsapp")

    def _send(self, **fields):
        self.replies = self.service.handle(Inbound(channel=self.channel, external_id=self.external_id,
                                                   channel_phone=self.external_id, **fields))
        return self.replies


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(db, clock):
    return ConversationService(db, build_engine(), clock=clock)


@pytest.fixture
def wa(service) -> WaPerson:
    return WaPerson(service)


@pytest.fixture
def tg(service) -> Chat:
    return Chat(service, TG_ID, "telegram")


def code_in(chat) -> str:
    return re.search(r"\b\d{6}\b", chat.text).group()


def identities(db) -> dict[tuple[str, str], int]:
    return {(i.scheme, i.external_id): i.contact_id for i in rows(db, ChannelIdentity)}


# -- WhatsApp: the number is confirmed, not typed ----------------------------------------------
def test_whatsapp_shows_its_number_and_yes_keeps_it(wa, db):
    reach(wa, "phone")
    assert state_of(db, WA_ID, "whatsapp")["step"] == "phone_confirm"
    assert "+39 347 123 4567" in wa.replies[-1].text
    assert wa.labels == ["Yes, this number", "Another number"] and wa.replies[-1].phone_button is None
    wa.press("Yes, this number")
    state = state_of(db, WA_ID, "whatsapp")
    assert state["step"] == "email" and state["answers"]["phone"] == "+393471234567"
    assert "phone_confirm" not in state["answers"]
    assert "Thank you: +39 347 123 4567." in wa.text


def test_another_number_falls_back_to_typing_it(wa, db):
    reach(wa, "phone")
    wa.press("Another number")
    assert state_of(db, WA_ID, "whatsapp")["step"] == "phone"
    wa.say("not a number")
    assert "does not look right" in wa.text
    wa.say("051 123456")
    state = state_of(db, WA_ID, "whatsapp")
    assert state["step"] == "email" and state["answers"]["phone"] == "+39051123456"


def test_a_number_typed_at_the_confirmation_is_taken(wa, db):
    reach(wa, "phone")
    wa.say("+39 333 765 4321")
    assert state_of(db, WA_ID, "whatsapp")["answers"]["phone"] == "+393337654321"
    wa.say("2")  # the number of a button that is gone: the email question is open, not the phone
    assert state_of(db, WA_ID, "whatsapp")["step"] == "email"


def test_the_whole_registration_on_whatsapp_saves_the_confirmed_number(wa, db):
    reach(wa, "phone")
    wa.press("Yes, this number")
    wa.press("Skip")
    for label in ("Looking for work", "High school diploma", "Good", "Cleaning", "Done", "Licence, no car",
                  "Part time", "Done"):
        wa.press(label)
    assert "+39 347 123 4567" in wa.text  # the summary
    wa.press("Yes, register me")
    [registration] = rows(db, Registration)
    assert registration.phone == "+393471234567"


def test_editing_the_phone_from_the_summary_asks_to_type_it(wa, db):
    reach(wa, "summary")
    wa.press("Change an answer")
    wa.press("Phone")
    assert state_of(db, WA_ID, "whatsapp")["step"] == "phone"
    wa.say("333 765 4321")
    assert state_of(db, WA_ID, "whatsapp")["step"] == "summary"


def test_a_bad_number_from_the_channel_is_not_offered(service, db):
    odd = WaPerson(service, "12")
    reach(odd, "phone")
    assert state_of(db, "12", "whatsapp")["step"] == "phone"


def test_telegram_keeps_its_share_button(tg, db):
    reach(tg, "phone")
    assert state_of(db, TG_ID, "telegram")["step"] == "phone"
    assert tg.replies[-1].phone_button == "📱 Share my number"


# -- linking ----------------------------------------------------------------------------------
def test_telegram_to_whatsapp_with_link_and_the_code(tg, wa, db):
    reach(tg)
    tg.say("/link")
    code = code_in(tg)
    assert f"/link {code}" in tg.text and "15 minutes" in tg.text
    wa.say(f"/link {code}")
    assert "Done! This chat is now linked to your registration" in wa.text
    assert wa.labels == MENU_REGISTERED
    [registration] = rows(db, Registration)
    assert registration.code in wa.text
    ids = identities(db)
    assert ids[("whatsapp", WA_ID)] == ids[("telegram", TG_ID)] == registration.contact_id
    wa.say("/privacy")
    wa.press("See my data")
    assert "Account: Telegram 5001" in wa.text and f"Account: WhatsApp {WA_ID}" in wa.text
    wa.say("/menu")
    assert wa.labels == MENU_REGISTERED and state_of(db, TG_ID, "telegram") is not None


def test_whatsapp_to_telegram_from_the_menu_of_a_newcomer(tg, wa, db):
    reach(wa)
    wa.say("/link")
    code = code_in(wa)
    tg.say("hello")
    tg.say("/menu")
    tg.press("Sono già iscritto")
    assert "6 cifre" in tg.text and state_of(db, TG_ID, "telegram")["flow"] == "link"
    tg.say("12 34")
    assert "Il codice ha 6 cifre" in tg.text
    tg.say(code[:3] + " " + code[3:])
    assert "Done!" in tg.text and tg.labels == MENU_REGISTERED
    ids = identities(db)
    assert ids[("whatsapp", WA_ID)] == ids[("telegram", TG_ID)]
    assert len(rows(db, Registration)) == 1


def test_the_language_of_the_registration_is_used_after_linking(tg, wa, db):
    reach(tg)  # in English
    tg.say("/link")
    code = code_in(tg)
    wa.say("ciao")
    wa.press("Italiano")
    wa.say(f"/link {code}")
    assert "Menu: choose what you need." in wa.text  # English, as registered; not Italian


def test_a_half_finished_registration_on_the_second_app_is_dropped(tg, wa, db):
    reach(tg)
    tg.say("/link")
    code = code_in(tg)
    reach(wa, "birth_date")
    [half] = [c for c in rows(db, Contact) if identities(db)[("whatsapp", WA_ID)] == c.id]
    wa.say(f"/link {code}")
    assert "Done!" in wa.text
    with Session(db) as session:
        assert session.exec(select(ConversationState).where(ConversationState.contact_id == half.id)).all() == []
        assert session.exec(select(Consent).where(Consent.contact_id == half.id)).all() == []
    wa.say("hello")  # no registration starts: the person is registered
    assert "Here is what I can do for you." in wa.text


def test_a_second_app_with_its_own_registration_is_refused(tg, wa, db):
    reach(tg)
    reach(wa)
    before = identities(db)
    tg.say("/link")
    wa.say(f"/link {code_in(tg)}")
    assert "already has its own registration" in wa.text and "office" in wa.text
    assert identities(db) == before and len(rows(db, Registration)) == 2


def test_the_registration_already_has_an_account_on_that_app(tg, wa, service, db):
    reach(tg)
    tg.say("/link")
    wa.say(f"/link {code_in(tg)}")
    tg.say("/link")
    other = WaPerson(service, "393330000000")
    other.say(f"/link {code_in(tg)}")
    assert "già collegata a un altro account WhatsApp" in other.text
    assert identities(db)[("whatsapp", "393330000000")] != identities(db)[("telegram", TG_ID)]


def test_a_wrong_code_then_the_right_one(tg, wa, db):
    reach(tg)
    tg.say("/link")
    code = code_in(tg)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    wa.say("/menu")
    wa.press("Sono già iscritto")
    wa.say(wrong)
    assert "Questo codice non è giusto" in wa.text and state_of(db, WA_ID, "whatsapp")["step"] == "code"
    wa.say(code)
    assert "Done!" in wa.text


def test_too_many_wrong_codes_lock_the_chat_for_a_while(tg, wa, db, clock):
    reach(tg)
    tg.say("/link")
    code = code_in(tg)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(4):
        wa.say(f"/link {wrong}")
        assert "non è giusto" in wa.text
    wa.say(f"/link {wrong}")
    assert "Troppi codici sbagliati" in wa.text
    wa.say(f"/link {code}")  # even the right one, while locked
    assert "Troppi codici sbagliati" in wa.text
    assert identities(db)[("whatsapp", WA_ID)] != identities(db)[("telegram", TG_ID)]
    clock.now += dt.timedelta(minutes=16)
    tg.say("/link")
    wa.say(f"/link {code_in(tg)}")
    assert "Done!" in wa.text and rows(db, LinkAttempt) == []


def test_a_code_expires_after_15_minutes_and_works_once(tg, wa, service, db, clock):
    reach(tg)
    tg.say("/link")
    code = code_in(tg)
    clock.now += dt.timedelta(minutes=15, seconds=1)
    wa.say(f"/link {code}")
    assert "scaduto o è già stato usato" in wa.text
    tg.say("/link")
    code = code_in(tg)
    wa.say(f"/link {code}")
    assert "Done!" in wa.text
    web = Chat(service, "w1", "web")
    web.say(f"/link {code}")
    assert "scaduto o è già stato usato" in web.text


def test_a_new_code_replaces_the_old_one(tg, wa):
    reach(tg)
    tg.say("/link")
    old = code_in(tg)
    tg.say("/link")
    new = code_in(tg)
    wa.say(f"/link {old}")
    assert "scaduto" in wa.text or "non è giusto" in wa.text
    wa.say(f"/link {new}")
    assert "Done!" in wa.text


def test_own_code_on_the_same_chat(tg):
    reach(tg)
    tg.say("/link")
    tg.say(f"/link {code_in(tg)}")
    assert "This code is for this same chat" in tg.text


def test_codes_are_stored_hashed(tg, db):
    reach(tg)
    tg.say("/link")
    code = code_in(tg)
    [row] = rows(db, LinkCode)
    assert code not in (row.code_hash, row.salt) and len(row.code_hash) == 64
    assert row.expires_at.replace(tzinfo=dt.timezone.utc) == NOW + dt.timedelta(minutes=15)


def test_link_mid_flow_gives_the_code_and_asks_the_question_again(tg, db):
    reach(tg)
    tg.say("/menu")
    tg.press("Book an interview")
    question = tg.replies[-1]
    tg.say("/link")
    assert re.search(r"\b\d{6}\b", tg.replies[0].text) and tg.replies[-1] == question


def test_a_bad_code_after_link_keeps_the_question_open(wa, db):
    reach(wa, "last_name")
    wa.say("/link 12ab")
    assert "A code has 6 digits" in wa.text and state_of(db, WA_ID, "whatsapp")["step"] == "last_name"
    wa.say("/link 123456")
    assert "not right" in wa.text and state_of(db, WA_ID, "whatsapp")["step"] == "last_name"


def test_no_code_explains_how_to_get_one(wa, db):
    wa.say("/link")
    assert state_of(db, WA_ID, "whatsapp")["flow"] == "link"
    wa.press("Non ho il codice")
    assert "scrivi /link" in wa.text and "Sono già iscritto" in wa.labels  # the newcomer's menu
    assert state_of(db, WA_ID, "whatsapp")["flow"] is None


def test_help_mentions_link(tg):
    tg.say("/help")
    assert "/link" in tg.replies[0].text


def test_the_whatsapp_adapter_passes_the_number_it_got():
    from handlers.whatsapp import to_inbound

    message = {"id": "wamid.1", "type": "text", "text": {"body": "hi"}}
    assert to_inbound(message, WA_ID).channel_phone == WA_ID
    assert to_inbound(message, "IT.1234567890").channel_phone is None  # a business-scoped user id
