"""Operators' notices (services.broadcasts, services.audience) on a real database: who the filters
choose, counting before sending, queueing into the outbox once, scheduling, cancelling and
the delivery report."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import update
from sqlmodel import Session

from bot.settings import ReminderSettings
from bot.wiring import planners
from services import broadcasts
from store.engine import make_engine
from services.outbox import OutboxService
from store.models import Broadcast, ChannelIdentity, OutboxMessage
from tests.audience_helpers import (add_many, add_person, broadcast, count, interview, new_broadcast, outbox_rows,
                                    recipients, seat)
from tests.booking_flow_helpers import add_workshop, days_ahead
from tests.conftest import NOW
from tests.registration_helpers import reach, step_of

LATER = NOW + dt.timedelta(hours=3)


def ids(plan) -> set[int]:
    return {r.contact_id for r in plan.recipients}


# -- audience -----------------------------------------------------------------------------

@pytest.mark.both_databases
def test_everyone_registered_and_nobody_else(db):
    anna = add_person(db, "anna")
    bruno = add_person(db, "bruno", channel="console")
    add_person(db, "never_registered", registered=False)
    add_person(db, "erased", erased=True)
    found = count(db)
    assert ids(found) == {anna, bruno}
    assert (found.total, found.excluded) == (2, 0)


@pytest.mark.both_databases
def test_not_interviewed_leaves_out_only_who_attended(db):
    attended, booked, no_show, never = (add_person(db, name) for name in ("a", "b", "c", "d"))
    interview(db, attended, "attended")
    interview(db, booked, "booked")
    interview(db, no_show, "no_show")
    assert ids(count(db, {"not_interviewed": True})) == {booked, no_show, never}


@pytest.mark.both_databases
def test_workshop_seats_with_or_without_the_waiting_list(db):
    session_id = add_workshop(db, days_ahead(3))
    other_session = add_workshop(db, days_ahead(4))
    seated, waiting, gave_up, elsewhere = (add_person(db, name) for name in ("a", "b", "c", "d"))
    seat(db, seated, session_id)
    seat(db, waiting, session_id, "waitlisted")
    seat(db, gave_up, session_id, "cancelled")
    seat(db, elsewhere, other_session)
    assert ids(count(db, {"workshop": session_id})) == {seated}
    assert ids(count(db, {"workshop": session_id, "with_waitlist": True})) == {seated, waiting}


def test_language_channel_and_municipality(db):
    english = add_person(db, "en", language="en", municipality="Imola")
    console = add_person(db, "it_console", channel="console", municipality="Imola")
    both = add_person(db, "both", channel="console", also_on=("telegram",))
    italian_tg = add_person(db, "it_tg")
    assert ids(count(db, {"language": "en"})) == {english}
    assert ids(count(db, {"language": "it"})) == {console, both, italian_tg}
    assert ids(count(db, {"channel": "console"})) == {console, both}
    assert ids(count(db, {"channel": "telegram"})) == {english, both, italian_tg}
    assert ids(count(db, {"channel": "whatsapp"})) == set()
    assert ids(count(db, {"municipality": "Imola"})) == {english, console}
    # with a channel filter, the notice goes out on that channel
    assert {r.contact_id: r.channel for r in count(db, {"channel": "console"}).recipients}[both] == "console"


@pytest.mark.both_databases
def test_filters_combine(db):
    session_id = add_workshop(db, days_ahead(3))
    match = add_person(db, "match", language="en", channel="console", municipality="Imola")
    wrong_town = add_person(db, "town", language="en", channel="console", municipality="Bologna")
    wrong_language = add_person(db, "lang", channel="console", municipality="Imola")
    interviewed = add_person(db, "done", language="en", channel="console", municipality="Imola")
    not_seated = add_person(db, "noseat", language="en", channel="console", municipality="Imola")
    for person in (match, wrong_town, wrong_language, interviewed):
        seat(db, person, session_id)
    interview(db, interviewed, "attended")
    audience = {"not_interviewed": True, "workshop": session_id, "language": "en", "channel": "console",
                "municipality": "Imola"}
    assert ids(count(db, audience)) == {match}
    assert ids(count(db, {**audience, "workshop": None})) == {match, not_seated}


def test_unknown_filters_are_refused(db):
    with pytest.raises(ValueError):
        count(db, {"town": "Bologna"})
    with pytest.raises(ValueError):
        count(db, {"channel": "fax"})
    with pytest.raises(ValueError):
        count(db, {"with_waitlist": True})


def test_opted_out_and_unreachable_are_counted_apart(db):
    reached = add_person(db, "ok")
    add_person(db, "stopped", notices_off=True)
    add_person(db, "blocked", unreachable=True)
    half_blocked = add_person(db, "half", channel="console", also_on=("telegram",))
    with Session(db) as session, session.begin():  # blocked the bot on Telegram, still on the console
        session.execute(update(ChannelIdentity).where(ChannelIdentity.contact_id == half_blocked,
                                                      ChannelIdentity.scheme == "telegram")
                        .values(unreachable_at=NOW, unreachable_reason="blocked"))
    found = count(db)
    assert ids(found) == {reached, half_blocked}
    assert (found.opted_out, found.unreachable, found.excluded, found.total) == (1, 1, 2, 4)
    assert {r.contact_id: r.channel for r in found.recipients}[half_blocked] == "console"
    assert ids(count(db, {"channel": "telegram"})) == {reached}  # on Telegram only, it is unreachable


# -- queueing -----------------------------------------------------------------------------

@pytest.mark.both_databases
def test_count_before_sending_is_what_gets_queued(db):
    for n in range(7):
        add_person(db, f"p{n}", language="en" if n % 2 else "it")
    stopped = add_person(db, "stopped", notices_off=True)
    blocked = add_person(db, "blocked", unreachable=True)
    before = count(db)
    broadcast_id = new_broadcast(db)
    rows = outbox_rows(db, broadcast_id)
    assert len(rows) == len(before.recipients) == 7
    assert recipients(db, broadcast_id) == ids(before)
    assert stopped not in recipients(db, broadcast_id) and blocked not in recipients(db, broadcast_id)
    assert {(r.kind, r.status, r.channel) for r in rows} == {("broadcast", "pending", "telegram")}
    assert {r.idempotency_key for r in rows} == {f"broadcast:{broadcast_id}:{r.contact_id}" for r in rows}
    stored = broadcast(db, broadcast_id)
    assert (stored.status, stored.skipped) == ("queued", 2)


def test_each_person_reads_their_language_or_italian_with_how_to_stop(db):
    italian = add_person(db, "it")
    english = add_person(db, "en", language="en")
    with_english = new_broadcast(db, texts={"it": "Ufficio chiuso lunedì.", "en": "Office closed on Monday."})
    italian_only = new_broadcast(db, texts={"it": "Nuovo workshop a dicembre."})
    texts = {(r.broadcast_id, r.contact_id): r.content["text"] for r in outbox_rows(db)}
    assert texts[with_english, english].startswith("Office closed on Monday.\n\n")
    assert texts[with_english, italian].startswith("Ufficio chiuso lunedì.\n\n")
    assert texts[italian_only, english].startswith("Nuovo workshop a dicembre.\n\n")  # the Italian fallback
    assert texts[with_english, english].endswith("Write STOP to stop receiving notices.")
    assert "STOP" in texts[with_english, italian].splitlines()[-1]


def test_italian_text_is_required(db):
    with Session(db) as session:
        with pytest.raises(broadcasts.BroadcastError) as refused:
            broadcasts.create(session, texts={"en": "Only English", "it": "  "}, audience={}, send_at=NOW, now=NOW)
        assert refused.value.reason == "no_italian"
        with pytest.raises(broadcasts.BroadcastError) as refused:
            broadcasts.create(session, texts={"it": "Ciao"}, audience={}, send_at=NOW - dt.timedelta(hours=1),
                              now=NOW)
        assert refused.value.reason == "past"


@pytest.mark.both_databases
def test_a_scheduled_broadcast_waits_for_its_time(db):
    person = add_person(db, "anna")
    broadcast_id = new_broadcast(db, send_at=LATER)  # queue_due at NOW: not yet
    assert outbox_rows(db) == [] and broadcast(db, broadcast_id).status == "scheduled"
    with Session(db) as session, session.begin():
        assert broadcasts.queue_due(session, now=LATER - dt.timedelta(seconds=1)) == 0
    late = add_person(db, "late")  # joins the audience before the time comes
    with Session(db) as session, session.begin():
        assert broadcasts.queue_due(session, now=LATER) == 2
    assert recipients(db, broadcast_id) == {person, late}
    stored = broadcast(db, broadcast_id)
    assert (stored.status, stored.queued_at.replace(tzinfo=dt.timezone.utc)) == ("queued", LATER)


@pytest.mark.both_databases
def test_queueing_twice_adds_nothing(db):
    for n in range(5):
        add_person(db, f"p{n}")
    broadcast_id = new_broadcast(db)
    with Session(db) as session, session.begin():
        assert broadcasts.queue_due(session, now=NOW + dt.timedelta(minutes=1)) == 0
        assert broadcasts.queue(session, broadcast_id, now=NOW) == 0
    with Session(db) as session, session.begin():  # even if the status had been lost somehow
        session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(status="scheduled"))
        assert broadcasts.queue(session, broadcast_id, now=NOW) == 5
    assert len(outbox_rows(db, broadcast_id)) == 5


@pytest.mark.both_databases
def test_two_processes_queue_a_broadcast_once(db_url, db):
    for n in range(300):
        add_person(db, f"p{n}")
    broadcast_id = new_broadcast(db, queue=False)
    results, start = [], threading.Barrier(2)

    def tick():
        engine = make_engine(db_url)  # a process of its own: its own connections
        try:
            start.wait()
            results.append(broadcasts.queue_due_now(engine, clock=lambda: NOW))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 300]
    assert len(outbox_rows(db, broadcast_id)) == 300


@pytest.mark.both_databases
def test_ten_thousand_recipients(db):
    add_many(db, 10_000)
    add_person(db, "stopped", notices_off=True)
    assert len(count(db).recipients) == 10_000
    broadcast_id = new_broadcast(db, texts={"it": "Open day il 3 dicembre", "en": "Open day on 3 December"})
    with Session(db) as session:
        found = broadcasts.report(session, broadcast_id)
    assert (found.audience_size, found.queued, found.pending, found.skipped) == (10_001, 10_000, 10_000, 1)
    rows = outbox_rows(db, broadcast_id)
    assert len({row.contact_id for row in rows}) == 10_000
    assert sum(row.content["text"].startswith("Open day on") for row in rows) == 2_000  # every fifth is English


# -- cancelling ---------------------------------------------------------------------------

@pytest.mark.both_databases
def test_cancel_a_scheduled_broadcast(db):
    add_person(db, "anna")
    broadcast_id = new_broadcast(db, send_at=LATER)
    with Session(db) as session, session.begin():
        done = broadcasts.cancel(session, broadcast_id, NOW)
    assert (done.was, done.withdrawn) == ("scheduled", 0)
    with Session(db) as session, session.begin():
        assert broadcasts.queue_due(session, now=LATER) == 0
    assert outbox_rows(db) == []
    assert broadcast(db, broadcast_id).status == "cancelled"
    with Session(db) as session, pytest.raises(broadcasts.BroadcastError) as again:
        broadcasts.cancel(session, broadcast_id, NOW)
    assert again.value.reason == "cancelled"


@pytest.mark.both_databases
def test_cancel_a_queued_broadcast_withdraws_only_what_has_not_gone(db):
    for n in range(4):
        add_person(db, f"p{n}")
    broadcast_id = new_broadcast(db)
    first, second, *_rest = outbox_rows(db, broadcast_id)
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).where(OutboxMessage.id == first.id).values(status="sent"))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == second.id)
                        .values(status="failed", last_error="HTTP 500"))
    with Session(db) as session, session.begin():
        done = broadcasts.cancel(session, broadcast_id, NOW)
    assert (done.was, done.withdrawn) == ("queued", 2)
    assert [row.status for row in outbox_rows(db, broadcast_id)] == ["sent", "failed", "cancelled", "cancelled"]


def test_nothing_left_to_cancel(db):
    add_person(db, "anna")
    broadcast_id = new_broadcast(db)
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).values(status="sent"))
    with Session(db) as session, pytest.raises(broadcasts.BroadcastError) as refused:
        broadcasts.cancel(session, broadcast_id, NOW)
    assert refused.value.reason == "finished"
    with Session(db) as session, pytest.raises(broadcasts.BroadcastError) as refused:
        broadcasts.cancel(session, 999, NOW)
    assert refused.value.reason == "not_found"


# -- report -------------------------------------------------------------------------------

@pytest.mark.both_databases
def test_report_tells_what_happened(db):
    for n in range(10):
        add_person(db, f"p{n}")
    add_person(db, "stopped", notices_off=True)
    broadcast_id = new_broadcast(db)
    rows = outbox_rows(db, broadcast_id)
    outcome = {rows[0].id: ("sent", None), rows[1].id: ("sent", None), rows[2].id: ("sent", None),
               rows[3].id: ("failed", "blocked: Forbidden: bot was blocked by the user"),
               rows[4].id: ("failed", "blocked: Bad Request: chat not found"),
               rows[5].id: ("failed", "HTTP 500: Internal Server Error"),
               rows[6].id: ("failed", "HTTP 500: Internal Server Error"),
               rows[7].id: ("failed", "HTTP 400: message is too long"),
               rows[8].id: ("sending", None)}
    with Session(db) as session, session.begin():
        for row_id, (status, error) in outcome.items():
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                            .values(status=status, last_error=error))
    with Session(db) as session:
        found = broadcasts.report(session, broadcast_id)
    assert (found.audience_size, found.queued, found.sent, found.pending, found.failed, found.blocked,
            found.skipped, found.cancelled) == (11, 10, 3, 2, 3, 2, 1, 0)
    assert found.reasons == {"HTTP 500: Internal Server Error": 2, "HTTP 400: message is too long": 1}


def test_report_of_a_scheduled_broadcast(db):
    add_person(db, "anna")
    broadcast_id = new_broadcast(db, send_at=LATER)
    with Session(db) as session:
        found = broadcasts.report(session, broadcast_id)
    assert (found.audience_size, found.queued, found.sent) == (None, 0, 0)


# -- on to the person ---------------------------------------------------------------------

@pytest.mark.both_databases
def test_a_scheduled_notice_reaches_the_console_chat_at_its_time(chat, db):
    """Through the bot's own planners (bot.wiring) and the console's outbox, as `python -m bot
    console` shows it; the person's step is not touched."""
    reach(chat)  # registered on the console, in English
    step = step_of(db)
    broadcast_id = new_broadcast(db, texts={"it": "Sportello chiuso venerdì.", "en": "Desk closed on Friday."},
                                 send_at=LATER, queue=False)
    early = OutboxService(db, clock=lambda: LATER - dt.timedelta(minutes=1), planners=planners(ReminderSettings()))
    early.plan()
    assert early.claim("console", "p1") == []
    outbox = OutboxService(db, clock=lambda: LATER, planners=planners(ReminderSettings()))
    assert outbox.plan() >= 1
    [pending] = outbox.claim("console", "p1")
    assert pending.message.text.startswith("Desk closed on Friday.\n\n")
    outbox.sent([pending])
    outbox.plan()  # the next tick adds nothing
    assert outbox.claim("console", "p1") == []
    with Session(db) as session:
        found = broadcasts.report(session, broadcast_id)
    assert (found.queued, found.sent, found.pending) == (1, 1, 0)
    assert step_of(db) == step
