"""The fake servers' network faults (tests/fake_network.py), checked with plain httpx on 127.0.0.1:
latency that does not queue requests, scripted refusals by method and chat or recipient (502,
429 with each platform's body, a time-out, a reset, refused connections), Meta's media types,
and the timed record of every call."""
from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from tests.fake_bot_api import BAD_GATEWAY, FLOOD, RESET, Down, FakeBotApi, Hold
from tests.fake_graph_api import (BAD_GATEWAY as GRAPH_BAD_GATEWAY, MEDIA_TYPES, RATE_LIMIT, THROUGHPUT,
                                  FakeGraphApi)

TOKEN = "123:fault-token"
WA_TOKEN, PHONE_ID = "wa-token", "1065550001"


@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def graph():
    with FakeGraphApi(token=WA_TOKEN, phone_id=PHONE_ID) as server:
        yield server


def send(api: FakeBotApi, chat_id: int, text: str = "ciao", method: str = "sendMessage", **kw) -> httpx.Response:
    return httpx.post(f"{api.url}/bot{TOKEN}/{method}", data={"chat_id": chat_id, "text": text}, **kw)


def wa_send(graph: FakeGraphApi, to: str, body: str = "ciao", **kw) -> httpx.Response:
    return httpx.post(f"{graph.url}/v{graph.version}/{PHONE_ID}/messages",
                      headers={"Authorization": f"Bearer {WA_TOKEN}"},
                      json={"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}, **kw)


def wa_upload(graph: FakeGraphApi, mime_type: str) -> httpx.Response:
    return httpx.post(f"{graph.url}/v{graph.version}/{PHONE_ID}/media",
                      headers={"Authorization": f"Bearer {WA_TOKEN}"},
                      files={"file": ("colloquio.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", mime_type),
                             "messaging_product": (None, "whatsapp"), "type": (None, mime_type)})


# -- latency ------------------------------------------------------------------------------------
def test_latency_delays_every_answer_without_queueing_the_others(api):
    api.latency = 0.05
    started = time.monotonic()
    assert send(api, 1).status_code == 200
    assert time.monotonic() - started >= 0.05

    async def two_hundred_at_once():
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(limits=limits, timeout=20) as client:
            return await asyncio.gather(*(client.post(f"{api.url}/bot{TOKEN}/sendMessage",
                                                      data={"chat_id": chat, "text": "ciao"})
                                          for chat in range(1, 201)))

    started = time.monotonic()
    answers = asyncio.run(two_hundred_at_once())
    elapsed = time.monotonic() - started
    assert all(answer.status_code == 200 for answer in answers)
    assert elapsed < 5.0, f"200 calls of 50 ms each took {elapsed:.2f} s: one after the other is 10 s"
    calls = api.calls_to("sendMessage")[1:]
    assert all(call.seconds >= 0.05 for call in calls)
    assert in_flight_at_most(calls) >= 10  # served side by side, not one at a time


def in_flight_at_most(calls) -> int:
    """The most calls that were waiting for their answer at the same moment."""
    events = sorted([(c.at, 1) for c in calls] + [(c.answered_at, -1) for c in calls])
    most = now = 0
    for _moment, step in events:
        now += step
        most = max(most, now)
    return most


def test_graph_latency(graph):
    graph.latency = 0.05
    started = time.monotonic()
    assert wa_send(graph, "393471111111").status_code == 200
    assert time.monotonic() - started >= 0.05
    assert graph.calls[0].answered_at - graph.calls[0].at >= 0.05


# -- refusals by method and chat ------------------------------------------------------------------
def test_bad_gateway_once_for_one_chat_and_method(api):
    api.refuse(BAD_GATEWAY, method="sendMessage", chat_id=7)
    assert send(api, 8).status_code == 200                     # another chat: untouched
    assert send(api, 7, method="sendDocument").status_code == 400  # another method: its own answer
    refused = send(api, 7)
    assert refused.status_code == 502
    assert refused.json() == {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    assert send(api, 7).status_code == 200                     # once only
    assert api.delivered[7] == 1 and [m["text"] for m in api.messages(7)] == ["ciao"]
    assert [c.status for c in api.chat_calls(7, {"sendMessage"})] == [502, 200]
    assert api.chat_calls(7, {"sendMessage"})[0].fault == BAD_GATEWAY


def test_flood_has_telegrams_exact_body_n_times(api):
    api.refuse(FLOOD, chat_id=9, times=2)
    answers = [send(api, 9) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert json.loads(answers[0].content) == {"ok": False, "error_code": 429,
                                              "description": "Too Many Requests: retry after 20",
                                              "parameters": {"retry_after": 20}}
    assert api.delivered[9] == 1


def test_a_call_held_beyond_the_clients_timeout_is_dropped_or_delivered(api):
    api.refuse(Hold(seconds=0.6), chat_id=5)
    with pytest.raises(httpx.ReadTimeout):
        send(api, 5, text="lost", timeout=0.3)
    api.refuse(Hold(seconds=0.6, deliver=True), chat_id=5)
    with pytest.raises(httpx.ReadTimeout):
        send(api, 5, text="late", timeout=0.3)
    time.sleep(0.6)
    assert [m["text"] for m in api.messages(5)] == ["late"]  # the slow server did it all the same
    assert send(api, 5, text="next", timeout=2).status_code == 200


def test_a_reset_connection_gets_no_answer_and_has_no_effect(api):
    api.refuse(RESET, method="sendMessage")
    with pytest.raises(httpx.TransportError):
        send(api, 3, text="reset")
    assert api.messages(3) == [] and api.calls_to("sendMessage")[0].status is None
    assert send(api, 3, text="again").status_code == 200


def test_down_refuses_connections_until_up(api):
    url = api.url
    assert send(api, 4).status_code == 200
    api.down()
    with pytest.raises(httpx.ConnectError):
        send(api, 4)
    api.up()
    assert api.url == url and send(api, 4).status_code == 200


def test_down_for_a_while_after_a_chosen_call(api):
    api.refuse(Down(seconds=0.5), method="sendMessage", chat_id=6)
    with pytest.raises(httpx.TransportError):
        send(api, 6)
    with pytest.raises(httpx.ConnectError):
        send(api, 8)
    time.sleep(0.7)
    assert send(api, 6).status_code == 200


def test_the_record_orders_calls_per_chat_with_times(api):
    api.latency = 0.02
    for text in ("uno", "due", "tre"):
        send(api, 11, text=text)
        send(api, 12, text=text)
    calls = api.chat_calls(11)
    assert [c.params["text"] for c in calls] == ["uno", "due", "tre"]
    assert all(a.at < b.at for a, b in zip(calls, calls[1:]))
    assert all(c.answered_at - c.at >= 0.02 and c.status == 200 for c in calls)
    heard = []
    api.listen(heard.append)
    send(api, 11, text="quattro")
    deadline = time.monotonic() + 2
    while not heard and time.monotonic() < deadline:  # told in the server's thread, after the answer
        time.sleep(0.01)
    assert heard[-1].params["text"] == "quattro" and heard[-1].answered_at is not None


# -- the Graph API ------------------------------------------------------------------------------
def test_graph_throughput_rate_limit_and_bad_gateway_by_recipient(graph):
    graph.refuse(THROUGHPUT, to="391")
    graph.refuse(RATE_LIMIT, to="391")
    graph.refuse(GRAPH_BAD_GATEWAY, kind="messages", to="391")
    assert wa_send(graph, "392").status_code == 200
    first, second, third = (wa_send(graph, "391") for _ in range(3))
    assert (first.status_code, first.json()["error"]["code"]) == (429, 130429)
    assert (second.status_code, second.json()["error"]["code"]) == (429, 80007)
    assert third.status_code == 502 and third.json()["error"]["type"] == "OAuthException"
    assert wa_send(graph, "391").status_code == 200
    assert [c.status for c in graph.calls_to("391")] == [429, 429, 502, 200]
    assert graph.texts("391") == ["ciao"]


def test_graph_meta_error_80007_through_fail(graph):
    graph.fail(80007)
    answer = wa_send(graph, "391")
    assert answer.status_code == 429 and answer.json()["error"]["code"] == 80007


def test_graph_time_out_and_reset(graph):
    graph.refuse(Hold(seconds=0.6), kind="messages")
    with pytest.raises(httpx.ReadTimeout):
        wa_send(graph, "393", timeout=0.3)
    graph.refuse(RESET, kind="media")
    with pytest.raises(httpx.TransportError):
        wa_upload(graph, "application/pdf")
    assert wa_upload(graph, "application/pdf").status_code == 200
    time.sleep(0.4)
    assert graph.sent == []


def test_graph_refuses_media_types_meta_does_not_take(graph):
    refused = wa_upload(graph, "text/calendar")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == 100 and error["type"] == "OAuthException"
    assert error["message"].startswith("(#100) Param file must be a file with one of the following types: ")
    assert "text/calendar" in error["message"] and graph.refused_media == [("colloquio.ics", "text/calendar")]
    for mime_type in ("application/pdf", "text/plain", "image/jpeg", "video/3gpp",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
        assert mime_type in MEDIA_TYPES and wa_upload(graph, mime_type).status_code == 200, mime_type
    graph.check_media = False  # a test that means to upload anything says so
    assert wa_upload(graph, "text/calendar").status_code == 200
