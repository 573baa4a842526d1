"""Rendering neutral replies for WhatsApp: every limit, and every flow's every step in every language."""
from __future__ import annotations

import datetime as dt

import pytest

from conversations.commands import build_engine
from conversations.flow import Ctx, State
from conversations import languages
from conversations.languages import CODES as LANGUAGES
from conversations.messages import Attachment, Button, Inbound, Outbound
from services import repository
from handlers.whatsapp_render import (BODY_LIMIT, TEXT_LIMIT, WaMessage, list_rows, more_page, page_showing, pages,
                                      render, shorten, split_text)
from tests.booking_flow_helpers import add_slot, add_workshop, contact_of, days_ahead
from tests.conftest import NOW, Chat
from tests.fake_graph_api import FakeGraphApi, check_interactive
from tests.registration_helpers import ANSWERS, reach

CHECKER = FakeGraphApi(token="t", phone_id="1")


def buttons(*labels: str) -> tuple[Button, ...]:
    return tuple(Button(label, f"1|x.y|{index}") for index, label in enumerate(labels))


def check(messages: list[WaMessage]) -> None:
    """Every message as the fake Graph API (Meta's rules) would judge it."""
    for message in messages:
        body = {"messaging_product": "whatsapp", "to": "39347", "type": message.type, message.type: message.body}
        if message.type == "document":
            assert message.attachment is not None and message.body["filename"]
            continue
        assert CHECKER.check(body) is None, (CHECKER.check(body), message)


def all_pages(reply: Outbound) -> list[list[WaMessage]]:
    return [render(reply, page) for page in range(pages(reply.buttons))]


def check_reply(reply: Outbound) -> None:
    """Within every limit, and every button reachable, whatever the page."""
    rendered = all_pages(reply)
    for messages in rendered:
        check(messages)
    ids = set()
    for messages in rendered:
        interactive = [m.body for m in messages if m.type == "interactive"]
        for body in interactive:
            if body["type"] == "button":
                ids |= {b["reply"]["id"] for b in body["action"]["buttons"]}
            else:
                ids |= {r["id"] for s in body["action"]["sections"] for r in s["rows"]}
    assert {b.payload for b in reply.buttons} <= ids


# -- limits --------------------------------------------------------------------
def test_three_short_buttons_are_reply_buttons():
    [message] = render(Outbound("Consent?", buttons("Yes, I agree", "No")))
    assert message.type == "interactive" and message.body["type"] == "button"
    assert [b["reply"] for b in message.body["action"]["buttons"]] == [
        {"id": "1|x.y|0", "title": "Yes, I agree"}, {"id": "1|x.y|1", "title": "No"}]


def test_a_label_too_long_for_a_button_makes_a_list_with_the_whole_label_in_the_description():
    label = "Looking for work since last year"
    [message] = render(Outbound("Situation?", buttons("Working", label)))
    rows = message.body["action"]["sections"][0]["rows"]
    assert message.body["type"] == "list"
    assert rows[1] == {"id": "1|x.y|1", "title": "2. Looking for work…", "description": label}
    check([message])


def test_repeated_button_titles_make_a_list():
    [message] = render(Outbound("Which?", buttons("Same", "Same")))
    assert message.body["type"] == "list"
    check([message])


def test_four_to_ten_choices_are_one_numbered_list():
    [message] = render(Outbound("Pick", buttons(*(f"Choice {n}" for n in range(1, 11)))))
    rows = message.body["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows] == [f"{n}. Choice {n}" for n in range(1, 11)]
    assert len(message.body["action"]["button"]) <= 20
    check([message])


@pytest.mark.parametrize("count,expected", [(11, [(1, 9), (10, 11)]), (19, [(1, 9), (10, 18), (19, 19)]),
                                            (20, [(1, 9), (10, 18), (19, 20)]),
                                            (28, [(1, 9), (10, 18), (19, 27), (28, 28)])])
def test_more_than_ten_choices_page_nine_at_a_time_with_overall_numbers(count, expected):
    """Each page's last row turns to the next page; the last page's, back to the first."""
    reply = Outbound("Pick", buttons(*(f"Choice {n}" for n in range(1, count + 1))))
    assert pages(reply.buttons) == len(expected)
    for page, (first, last) in enumerate(expected):
        rows = list_rows(reply.buttons, page)
        numbered = [r for r in rows if not r["id"].startswith("wa|more|")]
        assert [r["title"] for r in numbered] == [f"{n}. Choice {n}" for n in range(first, last + 1)]
        turn = (page + 1) % len(expected)
        next_first, next_last = expected[turn]
        span = f"{next_first}–{next_last}" if next_first != next_last else str(next_first)
        assert rows[-1] == {"id": f"wa|more|{turn}", "title": f"{'➡️' if turn else '⬅️'} {span}"}
        assert more_page(rows[-1]["id"]) == turn and len(rows) <= 10
    check_reply(reply)


def several_choices(count: int) -> tuple[Button, ...]:
    """A question of several choices as the engine asks it: ``count`` options, then "Done"."""
    return tuple(Button(f"Choice {n}", f"1|reg.sectors|c{n}") for n in range(1, count + 1)) + (
        Button("Done", "1|reg.sectors|__done"),)


@pytest.mark.parametrize("count", [10, 12, 25])
def test_done_is_on_every_page_of_several_choices_with_its_own_number(count):
    choices = several_choices(count)
    seen = []
    for page in range(pages(choices)):
        rows = list_rows(choices, page)
        assert rows[-2] == {"id": "1|reg.sectors|__done", "title": f"{count + 1}. Done"} and len(rows) <= 10
        seen += [r["title"] for r in rows[:-2]]
    assert seen == [f"{n}. Choice {n}" for n in range(1, count + 1)]  # each once, in order
    check_reply(Outbound("Pick all that fit", choices))


def test_a_ticked_choice_is_shown_on_its_own_page():
    choices = several_choices(10)  # the sectors: 8 a page besides "Done" and the page row
    assert [page_showing(choices, f"1|reg.sectors|c{n}") for n in (1, 8, 9, 10)] == [0, 0, 1, 1]
    assert page_showing(choices, "1|reg.sectors|__done") == 0 and page_showing(choices, None) == 0
    assert page_showing(buttons("a", "b", "c", "d"), "1|x.y|3") == 0


@pytest.mark.parametrize("language, expected", [("it", "Scegli"), ("en", "Choose"), (None, "Scegli")])
def test_a_list_opens_through_a_button_that_says_choose_in_the_persons_language(language, expected):
    [message] = render(Outbound("Pick", buttons("One", "Two", "Three", "Four")), language=language)
    assert message.body["action"]["button"] == expected


def test_the_list_button_fits_in_every_language():
    from handlers.whatsapp_render import list_button
    from conversations.i18n import translator

    for language in LANGUAGES:
        word = translator(language).gettext("Choose")
        assert 0 < len(word) <= 20 and list_button(language) == word, language


def test_later_pages_repeat_the_question_only():
    reply = Outbound("Intro\n" * 3 + "Pick", buttons(*(f"Choice {n}" for n in range(1, 15))))
    assert [m.type for m in render(reply, 1)] == ["interactive"]


def test_more_page_ignores_flow_payloads():
    assert more_page("1|reg.sectors|office") is None and more_page(None) is None
    assert more_page("wa|more|x") is None and more_page("wa|more|2") == 2


@pytest.mark.parametrize("text,limit,expected", [
    ("Short", 20, "Short"),
    ("Warehouse and logistics work", 20, "Warehouse and…"),
    ("Care of elderly people", 20, "Care of elderly…"),
    ("Supercalifragilisticexpialidocious", 20, "Supercalifragilisti…"),
    ("Word, another", 12, "Word…"),
    ("exactly twenty chars", 20, "exactly twenty chars"),
])
def test_shorten_cuts_at_a_word_boundary(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_long_text_is_split_at_line_ends_within_4096():
    text = "\n".join(f"Line {n} " + "x" * 80 for n in range(200))
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c) <= TEXT_LIMIT for c in chunks)
    assert "\n".join(chunks) == text
    messages = render(Outbound(text))
    assert [m.type for m in messages] == ["text"] * len(chunks)
    check(messages)


def test_a_long_question_with_buttons_keeps_the_body_within_1024():
    text = "\n".join(f"Slot {n}: " + "y" * 60 for n in range(40))
    messages = render(Outbound(text, buttons("Yes", "No")))
    assert [m.type for m in messages] == ["text", "interactive"]
    assert len(messages[-1].body["body"]["text"]) <= BODY_LIMIT
    assert messages[0].body["body"] + "\n" + messages[-1].body["body"]["text"] == text
    check(messages)


def test_a_calendar_file_is_a_document_after_the_text():
    ics = Attachment("colloquio.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    messages = render(Outbound("Booked!", file=ics))
    assert [m.type for m in messages] == ["text", "document"]
    assert messages[1].attachment == ics and messages[1].body == {"filename": "colloquio.ics"}


# -- every flow's every step in every language -------------------------------------
@pytest.fixture
def registered(db, service):
    """A registered person, interview slots on many days and more workshops than a list holds."""
    for day in range(1, 15):
        for hour in (9, 10, 11, 14, 15, 16, 17):
            add_slot(db, days_ahead(day, hour))
    for n in range(12):
        add_workshop(db, days_ahead(n + 1, 15), title=f"Incontro {n + 1} - Il lavoro di cura e l'assistenza "
                                                      "domestica alle persone anziane")
    chat = Chat(service)
    reach(chat)
    return contact_of(db, "p1")


def test_every_step_of_every_flow_in_every_language_fits_whatsapp(db, registered):
    engine = build_engine()
    seen = 0
    for language in LANGUAGES:
        for flow in engine.flows.values():
            answers = dict(ANSWERS) if flow.name == "reg" else {}
            for step in flow.steps:
                with db.begin() as connection:
                    store = repository.SqlStore(connection, registered, NOW, dt.timedelta(hours=2))
                    state = State(language=language, flow=flow.name, step=step.name, answers=dict(answers))
                    ctx = Ctx(state=state, store=store, inbound=Inbound(channel="console", external_id="p1"), now=NOW)
                    reply = engine.prompt(ctx)
                    check_reply(reply)
                    seen += 1
                    choices = engine.choices(ctx, step)
                    if choices and step.name not in answers:  # later steps read this answer
                        answers[step.name] = [choices[0][0]] if step.multi else choices[0][0]
    assert seen == len(LANGUAGES) * sum(len(flow.steps) for flow in engine.flows.values())


class CheckingChat(Chat):
    """The Chat driver, checking that every reply it gets fits WhatsApp."""

    def _send(self, **fields) -> list[Outbound]:
        replies = super()._send(**fields)
        for reply in replies:
            check_reply(reply)
        return replies


@pytest.mark.parametrize("language", LANGUAGES)
def test_conversations_fit_whatsapp_in_every_language(service, db, registered, language):
    chat = CheckingChat(service, external_id=f"wa-{language}")
    chat.say("hello")
    chat.press(languages.get(language).native)
    chat.say("/menu")
    menu = list(chat.replies)
    for reply in menu:
        for button in reply.buttons:
            chat.replies = menu
            chat.press(button.label)
            chat.say("/menu")
    for command in ("/start", "/help", "/menu", "hello", "???"):
        chat.say(command)
    other = CheckingChat(service, external_id="p1")  # registered: books an interview and a workshop
    other.say("/menu")
    for label in ("Book an interview", "Workshops", "My appointments"):
        other.say("/menu")
        other.press(label)
        if other.labels:
            other.press(other.labels[0])


def test_interactive_checker_catches_what_meta_refuses():
    """The checker the tests lean on: it refuses each limit."""
    def list_of(rows, button="Choose"):
        return {"type": "list", "body": {"text": "b"}, "action": {"button": button, "sections": [{"rows": rows}]}}
    assert check_interactive(list_of([{"id": str(n), "title": "t"} for n in range(11)]))
    assert check_interactive(list_of([{"id": "1", "title": "x" * 25}]))
    assert check_interactive(list_of([{"id": "1", "title": "t", "description": "d" * 73}]))
    assert check_interactive(list_of([{"id": "1", "title": "t"}], button="b" * 21))
    assert check_interactive({"type": "button", "body": {"text": "b"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": str(n), "title": "t"}} for n in range(2)]}})
    assert check_interactive({"type": "button", "body": {"text": "b" * 1025}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": "1", "title": "t"}}]}})
    assert check_interactive(list_of([{"id": "1", "title": "t"}])) is None


def test_the_share_my_number_button_is_a_reply_button_the_adapter_answers():
    [message] = render(Outbound("Your phone number?", phone_button="📱 Condividi il mio numero"))
    assert message.body["action"]["buttons"] == [{"type": "reply", "reply": {"id": "wa|phone",
                                                                             "title": "📱 Condividi il mio…"}}]
    check([message])
