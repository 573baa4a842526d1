"""Walk a Chat through the registration, and read back what the database holds."""
from __future__ import annotations

from codicefiscale import codicefiscale
from sqlmodel import Session, select

from conversations import languages
from conversations.messages import Inbound, Kind
from store.models import ChannelIdentity, ConversationState

# The language question's buttons, as the registry lists them: a new language needs no test change.
NATIVE = [language.native for language in languages.ALL]

# Maria Rossi, born in Bologna on 5 March 1990: the answers of the happy path.
TAX_CODE = codicefiscale.encode(lastname="Rossi", firstname="Maria", gender="F",
                                birthdate="05/03/1990", birthplace="Bologna")

# (step, how the happy path answers it), in the flow's order; answered in English.
HAPPY_PATH = (
    ("language", lambda chat: chat.press("English")),
    ("consent", lambda chat: chat.press("Yes, I agree")),
    ("first_name", lambda chat: chat.say("maria")),
    ("last_name", lambda chat: chat.say("ROSSI")),
    ("birth_date", lambda chat: chat.say("05/03/1990")),
    ("tax_code", lambda chat: chat.say(TAX_CODE)),
    ("municipality", lambda chat: chat.say("Bologna")),
    ("phone", lambda chat: chat.say("347 123 4567")),
    ("email", lambda chat: chat.say("maria.rossi@example.com")),
    ("situation", lambda chat: chat.press("Looking for work")),
    ("education", lambda chat: chat.press("High school diploma")),
    ("italian", lambda chat: chat.press("Good")),
    ("sectors", lambda chat: (chat.press("Cleaning"), chat.press("Office work"), chat.press("Done"))),
    ("driving", lambda chat: chat.press("Licence, no car")),
    ("availability", lambda chat: (chat.press("Part time"), chat.press("Done"))),
    ("summary", lambda chat: chat.press("Yes, register me")),
)
STEPS = tuple(name for name, _answer in HAPPY_PATH)

# What the happy path leaves in the conversation's answers, step by step.
ANSWERS = {
    "first_name": "Maria", "last_name": "Rossi", "birth_date": "1990-03-05", "tax_code": TAX_CODE,
    "municipality": "Bologna", "phone": "+393471234567", "email": "maria.rossi@example.com",
    "situation": "unemployed", "education": "upper_secondary", "italian": "good",
    "sectors": ["cleaning", "office"], "driving": "licence", "availability": ["part_time"],
}


def reach(chat, step: str | None = None) -> None:
    """Answer the happy path up to ``step`` (its question is then the last reply); None: register."""
    chat.say("hello")
    for name, answer in HAPPY_PATH:
        if name == step:
            return
        answer(chat)
    assert step is None, f"no step {step!r}"


def press_payload(chat, data: str | None) -> None:
    """Press a button by its payload: a stale one, or a forged one."""
    chat.replies = chat.service.handle(Inbound(channel=chat.channel, external_id=chat.external_id,
                                               kind=Kind.BUTTON, payload=data))


def state_of(db, external_id: str = "p1", channel: str = "console") -> dict | None:
    """The stored conversation state of one person, as JSON."""
    with Session(db) as session:
        return session.exec(select(ConversationState.data).join(
            ChannelIdentity, ChannelIdentity.contact_id == ConversationState.contact_id).where(
            ChannelIdentity.scheme == channel, ChannelIdentity.external_id == external_id)).first()


def rows(db, model) -> list:
    with Session(db) as session:
        return list(session.exec(select(model)).all())


def step_of(db, external_id: str = "p1") -> str | None:
    return (state_of(db, external_id) or {}).get("step")


def answers_of(db, external_id: str = "p1") -> dict:
    return (state_of(db, external_id) or {}).get("answers", {})
