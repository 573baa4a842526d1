"""#14 in a real browser: a person registers and books the orientation interview in Urdu on the
web chat, typing dates and numbers with Urdu's digits. The page turns right to left, every bot
bubble carries the language's lang and dir, the person's own are "auto", the bot's messages sit
on the right and theirs on the left, and the phone number reads in order inside the Urdu text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations import languages
from conversations.i18n import FSI, PDI, translator
from handlers import webchat_parts
from store.models import InterviewBooking, Registration
from tests.booking_flow_helpers import add_slot, days_ahead
from tests.browser import browser, page  # noqa: F401  (fixtures)
from tests.registration_helpers import TAX_CODE, rows
from tests.test_webchat_browser import chat_url, send  # noqa: F401  (fixture)
from tests.office_support import fast_hashes  # noqa: F401  (fixture)

URDU_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def press(page, label: str) -> None:
    """The newest button showing ``label``, then the bot's answer."""
    answered = page.locator("#messages li.bot").count()
    page.get_by_role("button", name=label, exact=True).last.click()
    expect(page.locator("#messages li.bot")).not_to_have_count(answered)


def x_of(bubble, text: str) -> float:
    """Where ``text`` starts on the screen, from the left, inside the bubble's text."""
    return bubble.evaluate("""(element, wanted) => {
        const node = element.firstChild, at = node.textContent.indexOf(wanted), range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + wanted.length);
        return range.getBoundingClientRect().x;
    }""", text)


def test_a_person_registers_and_books_in_urdu_right_to_left(page, chat_url, db, tmp_path, monkeypatch):  # noqa: F811
    if "ur" not in languages.CODES:
        pytest.fail("ur is not in conversations/languages.py yet")
    # a whole registration and booking in a few seconds: the flood limit is tests/test_webchat.py's subject
    monkeypatch.setattr(webchat_parts.RateLimit, "allow", lambda self, key: True)
    add_slot(db, days_ahead(1, 9), address="Via Castiglione 1, Bologna")
    t = translator("ur")
    _ = t.gettext
    page.set_viewport_size({"width": 430, "height": 900})
    page.goto(chat_url)
    press(page, languages.get("ur").native)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    press(page, _("Yes, I agree"))
    for answer in ("Maria", "Rossi", "05/03/1990".translate(URDU_DIGITS), TAX_CODE, "Bologna",
                   "347 123 4567".translate(URDU_DIGITS)):
        send(page, answer)
    for label in ("Skip", "Looking for work", "High school diploma", "Good", "Cleaning", "Done", "Licence, no car",
                  "Part time", "Done"):
        press(page, _(label))
    summary = page.locator("#messages li.bot .bubble").last
    expect(summary).to_have_attribute("dir", "rtl")
    expect(summary).to_have_attribute("lang", "ur")
    assert f"{FSI}+39 347 123 4567{PDI}" in summary.inner_text()
    # isolated, the number reads in order inside the Urdu line: "+39" left of "4567" on the screen
    # (bare, the bidi algorithm would lay its groups out right to left: "4567 123 347 39+")
    assert x_of(summary, "+39") < x_of(summary, "4567")
    mine = page.locator("#messages li.me .bubble").last
    expect(mine).to_have_attribute("dir", "auto")
    # right to left: the bot's bubbles on the right, the person's on the left
    box, bot_box, my_box = (page.locator("#messages").bounding_box(), summary.bounding_box(), mine.bounding_box())
    assert box["x"] + box["width"] - (bot_box["x"] + bot_box["width"]) < 40
    assert my_box["x"] - box["x"] < 40
    press(page, _("Yes, register me"))
    press(page, _("Book my interview"))
    press(page, t.day_label(days_ahead(1, 9)))
    press(page, t.time_label(days_ahead(1, 9)))
    press(page, _("Yes, book it"))
    expect(page.locator("#messages li.bot .bubble").last).to_contain_text(_("Done: your orientation interview is booked."))
    page.screenshot(path=str(tmp_path / "web-chat-rtl.png"))
    [registration] = rows(db, Registration)
    assert (registration.language, registration.birth_date.isoformat(), registration.phone) == (
        "ur", "1990-03-05", "+393471234567")
    assert len(rows(db, InterviewBooking)) == 1
