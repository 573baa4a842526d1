"""The web chat in a real browser (Debian's chromium, headless): a newcomer opens /chat, answers
by tapping buttons and typing, reloads the page, and the conversation is still there and goes on."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.axe import SIZES, assert_accessible
from tests.browser import Served, browser, page  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes  # noqa: F401  (fixture)
from tests.registration_helpers import state_of
from handlers import webchat
from tests.test_webchat import make_app


@pytest.fixture
def chat_url(db, fast_hashes):  # noqa: F811
    with Served(make_app(db)) as running:
        yield running.url + "/chat"


def bot_says(page, text: str):
    return expect(page.locator("#messages li.bot").last).to_contain_text(text)


def send(page, text: str, *, enter: bool = False) -> None:
    """Type and send, then wait for the bot's answer."""
    answered = page.locator("#messages li.bot").count()
    page.get_by_role("textbox").fill(text)
    if enter:
        page.get_by_role("textbox").press("Enter")
    else:
        page.locator("#send").click()
    expect(page.locator("#messages li.bot")).not_to_have_count(answered)


def test_a_newcomer_registers_through_the_web_chat_across_a_reload(page, chat_url, db):
    page.goto(chat_url)
    expect(page).to_have_title(re.compile("Insieme per il lavoro"))
    bot_says(page, "In che lingua preferisci parlare?")
    page.get_by_role("button", name="Italiano").click()
    page.get_by_role("button", name="Sì, sono d'accordo").click()
    bot_says(page, "Come ti chiami?")
    send(page, "maria <b>bold</b>")
    # what the person typed is shown as text, never as markup
    expect(page.locator("#messages li.me").last).to_have_text("maria <b>bold</b>")
    expect(page.locator("#messages b")).to_have_count(0)
    send(page, "maria", enter=True)
    bot_says(page, "cognome")

    page.reload()
    bot_says(page, "cognome")  # the history is back
    expect(page.locator("#messages li.me", has_text="maria")).to_have_count(2)
    # the consent text keeps its line breaks
    consent = page.locator("#messages li.bot .bubble", has_text="I tuoi dati.")
    assert "\n" in consent.inner_text()
    send(page, "Rossi")
    bot_says(page, "nascita")
    person = webchat.identity(page.context.cookies()[0]["value"])  # the database keeps its hash
    state = state_of(db, person, channel="web")
    assert state["answers"]["first_name"] == "Maria" and state["answers"]["last_name"] == "Rossi"
    assert state["step"] == "birth_date"


def stored(page) -> str:
    return page.evaluate("JSON.stringify(Object.assign({}, localStorage))")


def test_erasing_and_forgetting_the_device_leave_nothing_on_the_browser(page, chat_url):
    page.goto(chat_url)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Yes, I agree").click()
    bot_says(page, "name")
    send(page, "Maria")
    assert "Maria" in stored(page)
    send(page, "/privacy")
    page.get_by_role("button", name="Erase my data").click()
    page.get_by_role("button", name="Yes, erase").click()
    bot_says(page, "erased")
    assert "Maria" not in stored(page)
    expect(page.locator("#messages li", has_text="Maria")).to_have_count(0)
    cookie = page.context.cookies()[0]["value"]
    send(page, "/start")
    page.locator("#forget").click()  # one tap
    bot_says(page, "Which language")  # a stranger's page again
    assert page.context.cookies()[0]["value"] != cookie
    expect(page.locator("#messages li.me")).to_have_count(0)


def below_the_bar(page) -> float:
    """How far the last message's bottom reaches past the input bar's top (<= 0: all in view)."""
    last = page.locator("#messages li").last.bounding_box()
    bar = page.locator("#composer").bounding_box()
    return last["y"] + last["height"] - bar["y"]


def test_on_a_phone_the_newest_message_and_its_buttons_stay_above_the_input_bar(page, chat_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(chat_url)
    bot_says(page, "In che lingua preferisci parlare?")
    page.get_by_role("button", name="Italiano").click()
    bot_says(page, "I tuoi dati.")  # the long consent text with its buttons
    assert below_the_bar(page) <= 0
    heights = [box["height"] for box in (b.bounding_box() for b in page.locator("button").all()) if box]
    assert heights and min(heights) >= 44, heights
    assert page.locator("#text").bounding_box()["height"] >= 44
    page.get_by_role("button", name="Sì, sono d'accordo").click()
    bot_says(page, "Come ti chiami?")
    for name in ("Maria", "Rossi"):
        send(page, name)
        assert below_the_bar(page) <= 0
    page.reload()  # the history back: the newest message is the one in view
    bot_says(page, "nascita")
    assert below_the_bar(page) <= 0


def test_the_pages_words_change_with_the_language_chosen_in_the_chat(page, chat_url):
    page.goto(chat_url)
    page.get_by_role("button", name="English").click()
    expect(page.locator("#text")).to_have_attribute("placeholder", "Write a message")
    expect(page.locator("#send")).to_have_text("Send")
    expect(page.locator("#forget")).to_have_text("Forget this device")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Yes, I agree").click()
    bot_says(page, "name")  # answered: else "/language" may be counted answered by this reply
    send(page, "/language")
    page.get_by_role("button", name="Italiano").last.click()
    expect(page.locator("#send")).to_have_text("Invia")
    expect(page.locator("#forget")).to_have_text("Dimentica questo dispositivo")
    page.reload()
    expect(page.locator("#send")).to_have_text("Invia")


@pytest.mark.parametrize("size", SIZES)
def test_the_chat_page_has_no_critical_or_serious_accessibility_violation(page, chat_url, size):
    """axe-core (tests/axe.py) on the page as a newcomer meets it, with buttons to tap, and
    again with a conversation under way (their messages, the bot's, a long list of choices)."""
    page.set_viewport_size(SIZES[size])
    page.goto(chat_url)
    bot_says(page, "In che lingua preferisci parlare?")
    assert_accessible(page, f"the web chat, first question ({size})")
    page.get_by_role("button", name="Italiano").click()
    page.get_by_role("button", name="Sì, sono d'accordo").click()
    for answer in ("Maria", "Rossi", "05/03/1990"):
        send(page, answer)
    bot_says(page, "codice fiscale")
    assert_accessible(page, f"the web chat, a conversation under way ({size})")
