"""The action registry of conversations.payload: every action's longest button fits Telegram's
64 bytes and decodes back to itself; the buttons already sent to people still decode; forged
ones decode to nothing. Pure: no database."""
from __future__ import annotations

import dataclasses

import pytest

from conversations import payload
from conversations.commands import build_engine
from conversations.languages import CODES
from conversations.payload import (Appointments, BookInterview, CancelInterview, DropSeat, Erase, GiveBackSeat,
                                   Help, Languages, LinkApp, Menu, MoveInterview, MyData, Privacy, Register,
                                   ReminderAnswer, SetLanguage, Settings, Toggle, Workshops)

BIGGEST_ID = 2**63 - 1  # PostgreSQL's bigint: no id of ours is longer


def longest(kind: type[payload.Action]) -> list[payload.Action]:
    """Instances of an action with each field at its longest (every choice, for str fields)."""
    values = []
    for field in dataclasses.fields(kind):
        if field.type in (int, "int"):
            values.append([BIGGEST_ID])
        elif field.type in (bool, "bool"):
            values.append([False, True])
        elif "choices" in field.metadata:
            values.append(list(field.metadata["choices"]))
        else:
            values.append(["x" * field.metadata["max_length"]])
    instances = [[]]
    for options in values:
        instances = [done + [value] for done in instances for value in options]
    return [kind(*args) for args in instances]


@pytest.mark.parametrize("kind", payload.registered(), ids=lambda kind: kind.__name__)
def test_every_action_at_its_longest_fits_64_bytes_and_decodes_back(kind):
    for action in longest(kind):
        data = payload.encode_action(action)
        assert len(data.encode()) <= payload.MAX_BYTES, data
        decoded = payload.decode(data)
        assert decoded.is_global and payload.decode_action(decoded.value) == action


def test_every_action_is_registered_under_its_own_word():
    words = [kind.WORD for kind in payload.registered()]
    assert len(words) == len(set(words)) and all(words)
    with pytest.raises(ValueError):
        @dataclasses.dataclass(frozen=True)
        class Twice(payload.Action, word="menu"):
            pass


@pytest.mark.parametrize("sent, action", [
    ("menu", Menu()), ("register", Register()), ("help", Help()), ("language", Languages()),
    ("lang:en", SetLanguage("en")), ("privacy", Privacy()), ("mydata", MyData()), ("erase", Erase()),
    ("settings", Settings()), ("link", LinkApp()), ("set:reminders_off", Toggle("reminders", False)),
    ("set:notices_on", Toggle("notices", True)), ("appts", Appointments()), ("int:book", BookInterview()),
    ("int:move", MoveInterview()), ("int:cancel", CancelInterview()), ("ws:list", Workshops()),
    ("ws:cancel:12", GiveBackSeat(12)), ("ws:drop:12", DropSeat(12)), ("rem:ok:i7", ReminderAnswer("ok", "i", 7)),
    ("rem:move:w8", ReminderAnswer("move", "w", 8)), ("rem:cancel:i9", ReminderAnswer("cancel", "i", 9)),
])
def test_the_buttons_already_in_peoples_chats_decode_to_the_same_action(sent, action):
    assert payload.decode_action(sent) == action
    assert payload.encode_action(action) == f"1|g|{sent}"


@pytest.mark.parametrize("forged", [
    "", "nonsense", "menu:1", "int", "int:later", "ws", "ws:cancel", "ws:cancel:", "ws:cancel:x",
    "ws:drop:-1", "ws:drop:+1", "ws:drop:١٢", "ws:drop:1:2", "set:volume_up", "set:reminders", "set:",
    "rem:ok:x12", "rem:later:i12", "rem:ok:i", "rem:ok", "lang:", "lang:" + "x" * 17,
])
def test_values_that_are_no_action_of_ours_decode_to_nothing(forged):
    assert payload.decode_action(forged) is None


def test_the_old_erase_buttons_answer_the_erase_question():
    assert payload.decode("1|g|erase_yes") == payload.Payload("erase.sure", "yes")
    assert payload.decode("1|g|erase_no") == payload.Payload("erase.sure", "no")
    flow = build_engine().flows["erase"]
    assert {o.value for o in flow.step("sure").options} == {"yes", "no"}


def test_a_button_can_only_be_made_of_a_registered_action():
    assert payload.action_button("Menu", Menu()).payload == "1|g|menu"
    assert payload.action_button("Menu", "ws:drop:3").payload == "1|g|ws:drop:3"  # checked, then encoded
    with pytest.raises(ValueError):
        payload.action_button("Menu", "ws:frobnicate")


def test_every_language_offered_fits():
    for language in CODES:
        assert len(payload.encode_action(SetLanguage(language)).encode()) <= payload.MAX_BYTES


def test_step_buttons_carrying_an_id_fit_too():
    engine = build_engine()
    for flow in engine.flows.values():
        for step in flow.steps:
            scope = f"{flow.name}.{step.name}"
            assert len(payload.encode(scope, f"yes:{BIGGEST_ID}").encode()) <= payload.MAX_BYTES, scope
