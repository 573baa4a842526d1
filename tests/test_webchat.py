"""The web chat over HTTP: a conversation through /chat/messages (buttons, typing, a repeated
POST handled once), the cookie that keeps the person, CSRF and flood refusals, the messages the bot
starts itself, calendar files only for their owner, and page text escaped."""
from __future__ import annotations

import datetime as dt
import re
import warnings

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from bot.app import create_app
from backoffice.settings import OfficeSettings
from conversations.commands import build_engine
from conversations.i18n import translator
from conversations.messages import Attachment, Button, Outbound
from services import outbox as outbox_db
from services.conversation import ConversationService
from services.outbox import OutboxService
from store.models import OutboxMessage
from handlers import webchat
from tests.conftest import NOW
from tests.office_support import fast_hashes  # noqa: F401  (fixture)
from tests.registration_helpers import NATIVE, state_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def make_app(db):
    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    return create_app(db, clock=lambda: NOW, settings=OfficeSettings(secret_key="k" * 40), announce=lambda _m: None,
                      service=service, outbox=OutboxService(db, clock=lambda: NOW))


@pytest.fixture
def app(db, fast_hashes):  # noqa: F811
    return make_app(db)


class Browser:
    """One person's browser: the cookie jar of a TestClient, the page's token, the last replies."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.replies: list[dict] = []
        self.sent = 0
        self.open()

    def open(self):
        response = self.client.get("/chat")
        assert response.status_code == 200
        self.token = TOKEN.search(response.text).group(1)
        self.cookie = self.client.cookies.get(webchat.COOKIE)
        return response

    @property
    def person(self) -> str:
        """The person's external id: the hash of the cookie's secret."""
        return webchat.identity(self.cookie)

    def post(self, client_id: str | None = None, **body) -> list[dict]:
        self.sent += 1
        body["client_id"] = client_id or f"m{self.sent}"
        response = self.client.post("/chat/messages", json=body, headers={"X-CSRF-Token": self.token})
        assert response.status_code == 200, response.text
        self.answer = response.json()
        self.replies = self.answer["messages"]
        return self.replies

    def say(self, text: str, client_id: str | None = None) -> list[dict]:
        return self.post(client_id, text=text)

    def press(self, label: str) -> list[dict]:
        for reply in reversed(self.replies):
            for button in reply["buttons"]:
                if label in button["label"]:
                    return self.post(payload=button["payload"])
        raise AssertionError(f"no button {label!r} in {self.replies}")

    @property
    def text(self) -> str:
        return "\n".join(reply["text"] for reply in self.replies)


@pytest.fixture
def browser(app):
    with TestClient(app) as client:
        yield Browser(client)


def test_a_conversation_through_the_web_chat(browser, db):
    assert webchat.COOKIE in browser.client.cookies
    browser.say("/start")
    assert "Which language" in browser.text and "\n" in browser.text  # line breaks reach the page
    assert [b["label"] for b in browser.replies[-1]["buttons"]] == NATIVE
    browser.press("English")
    browser.press("Yes, I agree")
    assert "name" in browser.text
    browser.say("maria")
    browser.say("ROSSI")
    state = state_of(db, browser.person, channel="web")
    assert state["answers"]["first_name"] == "Maria" and state["answers"]["last_name"] == "Rossi"
    assert state["step"] == "birth_date"


def test_a_repeated_post_is_handled_once_and_gets_its_own_replies_again(browser, db):
    """Its answer lost on the way, the page posts the same message again: the replies of that
    step come back (with the same ids), not the question the person is at by now."""
    browser.say("/start")
    browser.press("English")
    browser.press("Yes, I agree")
    first = browser.say("maria", client_id="same")
    browser.say("ROSSI")  # the conversation went on meanwhile (another tab)
    again = browser.say("Giulia", client_id="same")  # a retry of the same message, other text
    state = state_of(db, browser.person, channel="web")
    assert state["answers"]["first_name"] == "Maria" and state["step"] == "birth_date"
    assert again == first and "last name" in browser.text and all(m["id"] for m in again)


def test_a_posts_replies_are_outbox_rows_marked_sent_once_the_page_showed_them(browser, db):
    """Written in the step's transaction (channel "web", held by the page), answered with their
    ids; the ones the page confirms are sent; one it never confirms comes with a later poll."""
    from services.web_chat import HOLD, WebChatPeople

    browser.say("/start")
    shown_ids = [m["id"] for m in browser.replies]
    browser.press("English")
    lost_ids = [m["id"] for m in browser.replies]  # the page never said it showed these
    seen = browser.client.post("/chat/messages/seen", json={"ids": shown_ids}, headers={"X-CSRF-Token": browser.token})
    assert seen.json() == {"seen": len(shown_ids)}
    with Session(db) as session:
        rows = {row.id: row for row in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply"))}
    assert set(rows) == set(shown_ids + lost_ids) and {row.channel for row in rows.values()} == {"web"}
    assert [rows[i].status for i in shown_ids] == ["sent"] * len(shown_ids)
    assert {(rows[i].status, rows[i].claimed_by) for i in lost_ids} == {("sending", HOLD.worker)}
    assert browser.client.get("/chat/messages").json()["messages"] == []  # held by the page meanwhile
    later = WebChatPeople(db, lambda: NOW + dt.timedelta(seconds=HOLD.lease + 1))
    assert [row_id for row_id, _message in later.waiting(browser.person)] == lost_ids


def test_the_cookie_keeps_the_person_and_the_token(app, db):
    with TestClient(app) as client:
        first = Browser(client)
        person, token = first.person, first.token
        first.say("/start")
        first.press("English")
        again = first.open()
        assert "set-cookie" not in again.headers  # the same person after a reload
        assert first.person == person and first.token == token
        first.press("Yes, I agree")
        assert state_of(db, person, channel="web")["step"] == "first_name"
        page = again.text
        # English was chosen in the chat: the page speaks it (no Accept-Language would say Italian)
        assert 'lang="en"' in page and "<script src=\"/chat/chat.js\">" in page
    with TestClient(app) as other_client:
        other = Browser(other_client)
        assert other.person != person and other.token != token
        assert "Which language" in "\n".join(r["text"] for r in other.say("hello"))


def test_the_cookie_is_httponly_and_samesite_lax(app):
    with TestClient(app) as client:
        header = client.get("/chat").headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/chat" in header
    assert "Max-Age=" in header


def test_a_post_without_the_cookies_token_is_refused(app, db):
    with TestClient(app) as client:
        me = Browser(client)
        # a cross-site form: the cookie may come along, the header cannot
        response = client.post("/chat/messages", data={"text": "/start"})
        assert response.status_code == 403
        response = client.post("/chat/messages", json={"text": "/start"}, headers={"X-CSRF-Token": "forged"})
        assert response.status_code == 403
        with TestClient(app) as other_client:
            other = Browser(other_client)
            # another person's token does not fit my cookie
            response = client.post("/chat/messages", json={"text": "/start"},
                                   headers={"X-CSRF-Token": other.token})
            assert response.status_code == 403
        client.cookies.clear()
        response = client.post("/chat/messages", json={"text": "/start"}, headers={"X-CSRF-Token": me.token})
        assert response.status_code == 403
    assert state_of(db, me.person, channel="web") is None


def test_the_page_escapes_and_the_script_uses_text_only(app):
    with TestClient(app) as client:
        page = client.get("/chat", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
        script = client.get("/chat/chat.js")
        style = client.get("/chat/chat.css")
    assert 'lang="en"' in page
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert ".innerHTML" not in script.text and "textContent" in script.text
    assert style.status_code == 200 and "pre-wrap" in style.text  # line breaks kept
    assert "http" not in page.replace('http-equiv', '')  # nothing from a CDN


def test_template_escapes_what_it_is_given():
    html = webchat._templates.get_template("chat.html").render(
        lang="it", csrf="t", history="h", title="<b>x</b>", placeholder='"><script>', send="Invia")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and '"><script>' not in html


def test_messages_the_bot_starts_itself_arrive_once(browser, db):
    browser.say("/start")
    with Session(db) as session:
        contact_id = session.exec(
            outbox_db.select(outbox_db._identity.c.contact_id).where(
                outbox_db._identity.c.external_id == browser.person)).first()[0]
    with db.begin() as connection:
        assert outbox_db.enqueue(connection, contact_id=contact_id, key="t1", due_at=NOW,
                                 message=Outbound("Promemoria:\ndomani alle 10", (Button("Ok", "1|x|y"),)))
    first = browser.client.get("/chat/messages").json()["messages"]
    [row_id] = [m.pop("id") for m in first]
    # its language unknown (a broadcast may fall back to Italian): the browser guesses its direction
    assert first == [{"text": "Promemoria:\ndomani alle 10", "buttons": [{"label": "Ok", "payload": "1|x|y"}],
                      "dir": "auto"}]
    # a GET is a read: asked again (a prefetch, a reload), the message is still there
    assert [m["id"] for m in browser.client.get("/chat/messages").json()["messages"]] == [row_id]
    assert browser.client.post("/chat/messages/seen", json={"ids": [row_id]}).status_code == 403  # no token
    with TestClient(browser.client.app) as stranger:  # another person cannot mark my messages
        other = Browser(stranger)
        assert stranger.post("/chat/messages/seen", json={"ids": [row_id]},
                             headers={"X-CSRF-Token": other.token}).json() == {"seen": 0}
    seen = browser.client.post("/chat/messages/seen", json={"ids": [row_id]}, headers={"X-CSRF-Token": browser.token})
    assert seen.json() == {"seen": 1}
    assert browser.client.get("/chat/messages").json()["messages"] == []


# -- the router alone, with a fake engine ----------------------------------------------------------
def fake_app(replies, **limits) -> FastAPI:
    app = FastAPI()
    app.include_router(webchat.router(lambda _inbound: replies, secret="s", **limits))
    return app


def test_a_calendar_file_is_a_link_only_its_owner_opens():
    ics = Attachment("colloquio.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    app = fake_app([Outbound("Ecco il tuo appuntamento", file=ics)])
    with TestClient(app) as client, TestClient(app) as stranger:
        me = Browser(client)
        Browser(stranger)
        [reply] = me.say("ics")
        url = reply["file"]["url"]
        assert reply["file"]["filename"] == "colloquio.ics" and url.startswith("/chat/files/")
        got = client.get(url)
        assert got.status_code == 200 and got.content == ics.content
        assert got.headers["content-type"].startswith("text/calendar")
        assert 'attachment; filename="colloquio.ics"' == got.headers["content-disposition"]
        assert stranger.get(url).status_code == 404
        assert client.get("/chat/files/nope").status_code == 404


def test_a_flood_is_refused_politely():
    now = [0.0]
    app = FastAPI()
    app.include_router(webchat.router(lambda _i: [Outbound("ok")], secret="s", per_person=(3, 10.0),
                                      clock=lambda: now[0]))
    with TestClient(app) as client:
        me = Browser(client)
        for _ in range(3):
            me.say("hi")
        refused = client.post("/chat/messages", json={"text": "hi", "client_id": "z"},
                              headers={"X-CSRF-Token": me.token, "Accept-Language": "it"})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "10"
        assert refused.json()["error"] == translator("it").gettext(webchat.TOO_FAST)
        now[0] += 11
        assert me.say("hi")[0]["text"] == "ok"


def test_empty_or_odd_bodies_are_refused():
    with TestClient(fake_app([Outbound("ok")])) as client:
        me = Browser(client)
        for body in ({}, {"text": "   "}, {"payload": 5}, [1, 2]):
            response = client.post("/chat/messages", json=body, headers={"X-CSRF-Token": me.token})
            assert response.status_code == 400


def test_odd_bodies_are_refused_before_they_cost_anything():
    handled = []
    app = FastAPI()
    app.include_router(webchat.router(lambda i: handled.append(i) or [Outbound("ok")], secret="s"))
    with TestClient(app) as client:
        me = Browser(client)
        headers = {"X-CSRF-Token": me.token, "Content-Type": "application/json"}
        deep = "[" * 100_000 + "]" * 100_000
        assert client.post("/chat/messages", content=deep[:8000] + deep[-8000:], headers=headers).status_code == 400
        assert client.post("/chat/messages", content='{"a":' * 2000 + "1" + "}" * 2000,
                           headers=headers).status_code == 400
        big = '{"text": "' + "x" * webchat.MAX_BODY + '"}'
        assert client.post("/chat/messages", content=big, headers=headers).status_code == 413
        # without a Content-Length (chunked): counted while it arrives
        chunks = (part.encode() for part in [big[:5000], big[5000:10000], big[10000:]])
        assert client.post("/chat/messages", content=chunks, headers=headers).status_code == 413
        lying = client.post("/chat/messages", content=big, headers={**headers, "Content-Length": "20"})
        assert lying.status_code in (400, 413)
        assert client.post("/chat/messages/seen", content=big, headers=headers).status_code == 413
        assert not handled
        assert client.post("/chat/messages", json={"text": "hi", "client_id": "a"},
                           headers={"X-CSRF-Token": me.token}).status_code == 200


def test_the_chat_is_served_with_a_strict_content_security_policy(app):
    with TestClient(app) as client:
        page = client.get("/chat")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert "<script>" not in page.text and " on" not in re.sub(r"\s+", " ", page.text).replace(" one", "")
        for response in (page, client.get("/chat/chat.js"), client.get("/chat/messages"),
                         client.post("/chat/messages", json={})):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_outboxs_planners_run_now_and_then_when_pages_ask(db):
    planned = []
    now = [0.0]
    outbox = OutboxService(db, clock=lambda: NOW, planners=[lambda _session, _now: planned.append(1) or 0])
    app = FastAPI()
    app.include_router(webchat.router(lambda _i: [Outbound("ok")], secret="s", outbox=outbox,
                                      clock=lambda: now[0]))
    with TestClient(app) as client:
        Browser(client)
        for _ in range(3):
            assert client.get("/chat/messages").json() == {"messages": []}
        assert len(planned) == 1
        now[0] += webchat.PLAN_EVERY
        client.get("/chat/messages")
        assert len(planned) == 2
