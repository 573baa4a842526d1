"""The web chat's identity and privacy: the cookie holds a secret that nothing shows or stores
(the database keeps its hash), "see my data" names the web chat without an id, an id of the old
kind (the cookie's value itself) moves to its hash, "erase my data" tells the page to forget its
transcript, and "forget this device" deletes the cookie."""
from __future__ import annotations

import warnings

from sqlalchemy import select

from conversations.messages import Inbound, Kind
from handlers import webchat
from services.conversation import ConversationService
from conversations.commands import build_engine
from store.models import ChannelIdentity
from tests.conftest import NOW
from tests.registration_helpers import state_of
from tests.test_webchat import Browser, app, browser  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes  # noqa: F401  (fixture)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def registered_in_english(browser):  # noqa: F811
    browser.say("/start")
    browser.press("English")
    browser.press("Yes, I agree")
    browser.say("maria")


def web_ids(db) -> list[str]:
    with db.connect() as connection:
        return list(connection.execute(select(ChannelIdentity.external_id).where(
            ChannelIdentity.scheme == "web")).scalars())


def test_the_database_keeps_a_hash_of_the_cookie_never_the_cookie(browser, db):  # noqa: F811
    registered_in_english(browser)
    cookie = browser.client.cookies.get(webchat.COOKIE)
    assert web_ids(db) == [webchat.identity(cookie)] and cookie not in web_ids(db)[0]
    assert state_of(db, browser.person, channel="web")["step"] == "last_name"


def test_my_data_names_the_web_chat_without_any_id(browser, db):  # noqa: F811
    registered_in_english(browser)
    browser.say("/privacy")
    browser.press("See my data")
    cookie = browser.client.cookies.get(webchat.COOKIE)
    assert "Account: web chat" in browser.text
    assert cookie not in browser.text and browser.person not in browser.text
    assert not any(line.startswith("Account: web chat ") for line in browser.text.splitlines())


def test_a_person_of_the_old_cookie_format_keeps_their_conversation(app, db):  # noqa: F811
    old = "OldCookieValue_012345678"  # ids used to be the cookie's value itself (24 characters)
    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    [first] = [r for r in service.handle(Inbound(channel="web", external_id=old, text="/start")) if r.buttons]
    english = next(b.payload for b in first.buttons if b.label == "English")
    service.handle(Inbound(channel="web", external_id=old, kind=Kind.BUTTON, payload=english))
    step = state_of(db, old, channel="web")["step"]
    with TestClient(app) as client:
        client.cookies.set(webchat.COOKIE, old, path="/chat")
        me = Browser(client)
        assert web_ids(db) == [webchat.identity(old)]
        assert state_of(db, me.person, channel="web")["step"] == step != "language"
        assert 'lang="en"' in client.get("/chat").text  # the language they chose, theirs still


def test_erasing_tells_the_page_to_forget(browser, db):  # noqa: F811
    registered_in_english(browser)
    assert "forget" not in browser.answer
    browser.say("/privacy")
    browser.press("Erase my data")
    assert "forget" not in browser.answer
    browser.press("Yes, erase")
    assert browser.answer["forget"] is True and "erased" in browser.text
    assert web_ids(db) == []


def test_forget_this_device_deletes_the_cookie(app):  # noqa: F811
    with TestClient(app) as client:
        me = Browser(client)
        me.say("/start")
        assert client.post("/chat/forget").status_code == 403  # no token: a cross-site form
        response = client.post("/chat/forget", headers={"X-CSRF-Token": me.token})
        assert response.status_code == 200 and response.json() == {"forget": True}
        assert 'webchat_id=""' in response.headers["set-cookie"] and "Path=/chat" in response.headers["set-cookie"]
        assert webchat.COOKIE not in client.cookies
        page = client.get("/chat")
        assert "Forget this device" in page.text or "Dimentica" in page.text


def test_the_pages_words_follow_the_language_chosen_in_the_chat(app):  # noqa: F811
    italian_browser = {"Accept-Language": "it-IT,it;q=0.9"}
    with TestClient(app, headers=italian_browser) as client:
        me = Browser(client)
        assert 'lang="it"' in me.open().text  # nothing chosen yet: the browser's language
        me.say("/start")
        assert "page" not in me.answer  # the first question is not answered yet
        assert 'lang="it"' in me.open().text
        me.press("English")
        assert me.answer["page"]["lang"] == "en" and me.answer["page"]["send"] == "Send"
        assert me.answer["page"]["forget"] == "Forget this device"
        page = me.open().text
        assert 'lang="en"' in page and 'placeholder="Write a message"' in page and ">Send<" in page
        me.press("Yes, I agree")
        me.say("/language")
        me.press("Italiano")
        assert me.answer["page"]["lang"] == "it" and me.answer["page"]["send"] == "Invia"
        with TestClient(app, headers={"Accept-Language": "en"}) as english_browser_same_person:
            english_browser_same_person.cookies.set(webchat.COOKIE, me.cookie, path="/chat")
            assert 'lang="it"' in english_browser_same_person.get("/chat").text  # the chosen one wins


def test_a_hashed_id_set_as_a_cookie_gives_nothing(browser, app, db):  # noqa: F811
    registered_in_english(browser)
    victim = browser.person
    with TestClient(app) as client:
        client.cookies.set(webchat.COOKIE, victim, path="/chat")  # the id, had it leaked
        thief = Browser(client)
        assert "Which language" in "\n".join(r["text"] for r in thief.say("/start"))
    assert state_of(db, victim, channel="web")["step"] == "last_name"
    assert sorted(web_ids(db)) == sorted([victim, webchat.identity(victim)])
