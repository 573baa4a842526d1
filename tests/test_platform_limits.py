"""Every language within the platforms' limits (#14): WhatsApp reply buttons of at most 20
characters, list rows of at most 24 (their description 72), Telegram's callback data of at most
64 bytes. Which msgids are button labels is found by running the flows (tests/label_tour.py):
the longest translation of each decides, in every catalog."""
from __future__ import annotations

import pytest

from conversations import languages
from conversations.messages import Outbound
from handlers import whatsapp_render as wa
from tests.label_tour import tour
from tests.test_i18n import catalog

TELEGRAM_CALLBACK_BYTES = 64
LIST_LABEL = wa.ROW_TITLE - len("9. ")  # a label only ever in lists: its row "9. label" whole


def over_the_limits(reply: Outbound, language: str | None = None) -> list[str]:
    """What of one reply breaks a platform's limit, or is cut where nothing shows it whole."""
    found = [f"callback data over {TELEGRAM_CALLBACK_BYTES} bytes: {b.payload!r}" for b in reply.buttons
             if len(b.payload.encode()) > TELEGRAM_CALLBACK_BYTES]
    labels = {" ".join(b.label.split()) for b in reply.buttons}
    for message in wa.render(reply, language=language):
        body = message.body
        if message.type != "interactive":
            continue
        found += [f"body over {wa.BODY_LIMIT}: {body['body']['text'][:40]!r}"] if len(body["body"]["text"]) > wa.BODY_LIMIT else []
        action = body["action"]
        if "button" in action and (len(action["button"]) > wa.LIST_BUTTON or action["button"].endswith(wa.ELLIPSIS)):
            found.append(f"list button {action['button']!r}")
        for button in action.get("buttons", []):
            title = button["reply"]["title"]
            if len(title) > wa.BUTTON_TITLE or (title not in labels and button["reply"]["id"] != wa.PHONE_ID):
                found.append(f"reply button {title!r}")
        for row in (r for section in action.get("sections", []) for r in section["rows"]):
            title, description = row["title"], row.get("description")
            if len(title) > wa.ROW_TITLE or (description and len(description) > wa.ROW_DESCRIPTION):
                found.append(f"list row {title!r} / {description!r}")
            elif title.endswith(wa.ELLIPSIS) and description not in labels:  # cut, and nowhere whole
                found.append(f"list row cut: {title!r} / {description!r}")
    return found


@pytest.mark.parametrize("code", languages.CODES)
def test_every_screen_of_the_tour_fits_whatsapp_and_telegram(service, db, code):
    seen = tour(service, db, code)
    assert sum(len(reply.buttons) for reply in seen) > 150  # the tour went everywhere, not astray
    assert [problem for reply in seen for problem in over_the_limits(reply, code)] == []


def label_msgids(service, db) -> dict[str, int]:
    """The msgids shown as buttons, each with its limit: the labels of the tour in English, the
    msgids' own language (a chosen option's "✅ " aside; the languages' native names are not in the
    catalogs). A label of a message with up to 3 buttons is a reply button: 20 characters. Only in
    lists: 21, so that its row "9. label" keeps within 24 (rows from 10 on, and a chosen option's
    "✅ ", may be cut: the row's description then shows it whole, as the tour's test checks)."""
    seen = tour(service, db, "en")
    msgids = {m.id for m in catalog("en") if isinstance(m.id, str)}
    limits: dict[str, int] = {wa.LIST_BUTTON_TEXT: wa.LIST_BUTTON}  # the button that opens a list
    for reply in seen:
        limit = wa.BUTTON_TITLE if len(reply.buttons) <= wa.REPLY_BUTTONS else LIST_LABEL
        for label in (b.label.removeprefix("✅ ") for b in reply.buttons):
            if label in msgids:
                limits[label] = min(limit, limits.get(label, limit))
    return limits


def too_long(language: str, limits: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(m.id, m.string, len(m.string)) for m in catalog(language)
            if m.id in limits and len(m.string) > limits[m.id]]


def test_every_button_label_fits_in_every_catalog(service, db):
    limits = label_msgids(service, db)
    assert {"Menu": 20, "Yes, I agree": 20, "Looking for work": 21, "Date of birth": 21, "I'll be there": 20,
            "Skip": 20, "Turn notices on": 21, "Choose": 20,
            "I'm interested": 20, "No, thanks": 20, "Too far": 21, "My applications": 21,
            "About the programme": 21, "Write to the office": 20}.items() <= limits.items()
    assert {language: too_long(language, limits) for language in languages.CODES} == {
        language: [] for language in languages.CODES}


def test_the_label_check_catches_a_long_translation(monkeypatch):
    long = type("Message", (), {"id": "Menu", "string": "Un menu davvero troppo lungo"})()
    monkeypatch.setattr("tests.test_platform_limits.catalog", lambda language: [long])
    assert too_long("it", {"Menu": 20}) == [("Menu", long.string, 28)]
    cut = Outbound("?", tuple(wa.Button(f"Option number {i} with a long name", f"1|s|{i}") for i in range(4)))
    assert over_the_limits(cut) == []  # cut in the title, whole in the description
    assert over_the_limits(Outbound("?", (wa.Button("x" * 80, "1|s|1"), wa.Button("y", "1|s|2"),
                                          wa.Button("z", "1|s|3"), wa.Button("w", "1|s|4"))))
