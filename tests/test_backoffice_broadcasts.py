"""The broadcasts' pages over HTTP: compose (count, preview, confirmation, send now or at a Rome
time), the list with cancel, the delivery report; who may do what, CSRF, audit, wrong input."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conversations.i18n import TIMEZONE
from services import broadcasts
from store.models import Broadcast, OutboxMessage
from tests.audience_helpers import add_person, broadcast, new_broadcast, outbox_rows, seat
from tests.booking_flow_helpers import add_workshop, days_ahead
from tests.conftest import NOW
from tests.office_support import (audit_rows, client, csrf, fast_hashes, logged_in, office,  # noqa: F401
                                  office_accounts)

# NOW is Wednesday 25/11/2026 11:00 in Rome.
COMPOSE, COUNT, LIST, CANCEL = "/office/broadcasts/new", "/office/broadcasts/count", "/office/broadcasts", \
    "/office/broadcasts/cancel"
ACTIONS = (COMPOSE, COUNT, CANCEL)
NOTICE = {"text_it": "Sportello chiuso lunedì 30/11.", "text_en": "", "when": "now"}
FIGURE = re.compile(r'<tr data-figure="(\w+)"><th>[^<]*</th><td>(\d+)</td>')


@pytest.fixture
def people(db) -> dict[str, int]:
    """Four people on the web chat (one writes in English, one lives in Imola), one who wrote
    STOP and one who blocked the bot."""
    return {"anna": add_person(db, "anna", channel="web"),
            "ben": add_person(db, "ben", channel="web", language="en"),
            "carla": add_person(db, "carla", channel="web", municipality="Imola"),
            "dario": add_person(db, "dario", channel="telegram", municipality="San Lazzaro di Savena"),
            "stopped": add_person(db, "stopped", channel="web", notices_off=True),
            "blocked": add_person(db, "blocked", channel="telegram", unreachable=True)}


def post(http, path: str, data: dict, page: str = COMPOSE):
    return http.post(path, data={**data, "csrf_token": csrf(http, page)})


def broadcasts_in(db) -> list[Broadcast]:
    with Session(db) as session:
        return list(session.scalars(select(Broadcast).order_by(Broadcast.id)))


def outbox_count(db) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def figures(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in FIGURE.findall(page)}


def error_of(page: str) -> str:
    found = re.search(r'id="form-error">([^<]*)<', page)
    return html.unescape(found.group(1)) if found else ""


def test_anonymous_visitors_are_sent_to_the_login(client, people, db):
    broadcast_id = new_broadcast(db)
    token = csrf(client)
    for path in (LIST, COMPOSE, f"/office/broadcasts/report?broadcast={broadcast_id}"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login"), path
    for path in ACTIONS:
        response = client.post(path, data={"csrf_token": token, **NOTICE, "step": "send", "broadcast": broadcast_id})
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login"), path
    assert len(broadcasts_in(db)) == 1 and broadcast(db, broadcast_id).status == "queued"


def test_a_viewer_reads_the_list_and_the_report_and_changes_nothing(client, people, db):
    broadcast_id = new_broadcast(db, texts={"it": "Open day il 3 dicembre"})
    scheduled = new_broadcast(db, send_at=NOW + dt.timedelta(days=1))
    logged_in(client, "vera")
    listing = client.get(LIST)
    assert listing.status_code == 200 and "Open day il 3 dicembre" in listing.text
    assert "broadcasts/cancel" not in listing.text and "broadcasts/new" not in listing.text
    report = client.get(f"/office/broadcasts/report?broadcast={broadcast_id}")
    assert report.status_code == 200 and figures(report.text)["queued"] == 4
    assert "cancel-button" not in client.get(f"/office/broadcasts/report?broadcast={scheduled}").text
    compose = client.get(COMPOSE)  # no form for a viewer, and no menu entry
    assert compose.status_code == 200 and "compose-refused" in compose.text and "compose-form" not in compose.text
    assert "/office/broadcasts/new" not in client.get("/office/").text
    before = outbox_count(db)
    for path in ACTIONS:
        for step in ("count", "preview", "review", "send"):
            response = post(client, path, {**NOTICE, "step": step, "broadcast": scheduled}, page=LIST)
            assert response.status_code == 403, (path, step)
    assert len(broadcasts_in(db)) == 2 and broadcast(db, scheduled).status == "scheduled"
    assert outbox_count(db) == before
    assert {r.action for r in audit_rows(db, operator_name="vera")} == {"login"}


def test_a_post_without_the_csrf_token_is_refused(client, people, db):
    scheduled = new_broadcast(db, send_at=NOW + dt.timedelta(days=1))
    logged_in(client, "otto")
    for path in ACTIONS:
        response = client.post(path, data={**NOTICE, "step": "send", "broadcast": scheduled})
        assert response.status_code == 403 and "Richiesta rifiutata" in response.text, path
    assert len(broadcasts_in(db)) == 1 and broadcast(db, scheduled).status == "scheduled"


def test_the_count_follows_the_filters(client, people, db):
    workshop = add_workshop(db, days_ahead(3))
    seat(db, people["anna"], workshop)
    seat(db, people["carla"], workshop, "waitlisted")
    logged_in(client, "otto")

    def counted(**filters) -> int:
        response = post(client, COUNT, filters)
        assert response.status_code == 200, response.text
        return response.json()["count"]

    everyone = post(client, COUNT, {}).json()
    assert (everyone["count"], everyone["opted_out"], everyone["unreachable"]) == (4, 1, 1)
    assert everyone["text"] == "Destinatari: 4 (esclusi: 1 non vogliono avvisi, 1 non raggiungibili)"
    assert counted(language="en") == 1
    assert counted(channel="telegram") == 1
    assert counted(municipality="imola") == 1
    assert counted(municipality="san lazaro") == 1  # typos are forgiven, as on the command line
    assert counted(workshop=str(workshop)) == 1
    assert counted(workshop=str(workshop), with_waitlist="1") == 2
    assert counted(workshop=str(workshop), language="en") == 0
    refused = post(client, COUNT, {"municipality": "Milano"})
    assert refused.status_code == 400 and "Milano" in refused.json()["error"]
    assert post(client, COUNT, {"workshop": "999"}).status_code == 400
    assert post(client, COUNT, {"channel": "fax"}).status_code == 400


def test_count_and_preview_work_without_a_script(client, people, db):
    logged_in(client, "otto")
    counted = post(client, COMPOSE, {**NOTICE, "step": "count", "language": "en"})
    assert counted.status_code == 200
    assert "Destinatari: 1 (esclusi: 0 non vogliono avvisi, 0 non raggiungibili)" in counted.text
    assert 'value="Sportello chiuso lunedì 30/11."' not in counted.text  # a textarea keeps it as text
    assert "Sportello chiuso lunedì 30/11.</textarea>" in counted.text
    shown = post(client, COMPOSE, {**NOTICE, "step": "preview"})
    previews = dict(re.findall(r'data-language="(\w+)"[^>]*>([^<]*)<', shown.text))
    assert previews["it"] == broadcasts.text_for({"it": NOTICE["text_it"]}, "it")
    assert previews["it"].endswith("Scrivi STOP per non ricevere più avvisi.")
    assert previews["en"] == "Sportello chiuso lunedì 30/11.\n\nWrite STOP to stop receiving notices."  # falls back
    both = post(client, COMPOSE, {**NOTICE, "text_en": "Desk closed\r\non Monday.", "step": "preview"})
    assert dict(re.findall(r'data-language="(\w+)"[^>]*>([^<]*)<', both.text))["en"].startswith(
        "Desk closed\non Monday.\n\n")
    assert broadcasts_in(db) == [] and outbox_count(db) == 0


def test_send_now_after_the_confirmation(client, people, db):
    logged_in(client, "otto")
    data = {**NOTICE, "text_en": "Desk closed on Monday 30/11.", "not_interviewed": "1"}
    review = post(client, COMPOSE, {**data, "step": "review"})
    assert review.status_code == 200 and "confirm-form" in review.text
    assert "Destinatari: 4" in review.text and "Invia a 4 persone" in review.text
    assert broadcasts_in(db) == []  # the confirmation writes nothing
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', review.text))
    assert hidden["text_en"] == "Desk closed on Monday 30/11." and hidden["not_interviewed"] == "1"
    sent = post(client, COMPOSE, {**hidden, "step": "send"})
    assert sent.status_code == 303
    [stored] = broadcasts_in(db)
    assert sent.headers["location"].endswith(f"/office/broadcasts/report?broadcast={stored.id}")
    assert (stored.status, stored.created_by, stored.audience, stored.skipped) == (
        "queued", "otto", {"not_interviewed": True}, 2)
    assert stored.texts == {"it": "Sportello chiuso lunedì 30/11.", "en": "Desk closed on Monday 30/11."}
    rows = {row.contact_id: row for row in outbox_rows(db, stored.id)}
    assert set(rows) == {people[name] for name in ("anna", "ben", "carla", "dario")}
    assert rows[people["ben"]].content["text"] == broadcasts.text_for(stored.texts, "en")
    assert rows[people["anna"]].content["text"] == broadcasts.text_for(stored.texts, "it")
    report = client.get(sent.headers["location"])
    assert "Comunicazione %d in coda: 4 messaggi" % stored.id in report.text
    assert figures(report.text) == {"audience": 6, "skipped": 2, "queued": 4, "sent": 0, "pending": 4,
                                    "blocked": 0, "failed": 0, "cancelled": 0}
    actions = [(r.action, r.table_name) for r in audit_rows(db, operator_name="otto")]
    assert ("create", "broadcast") in actions and ("queue_broadcast", "broadcast") in actions


def test_the_same_confirmation_sent_twice_is_one_broadcast(client, people, db):
    """A double click, or the browser sending the form again: nobody gets the notice twice."""
    logged_in(client, "otto")
    review = post(client, COMPOSE, {**NOTICE, "step": "review"})
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', review.text))
    assert len(hidden["request_key"]) >= 32
    first = post(client, COMPOSE, {**hidden, "step": "send"})
    again = post(client, COMPOSE, {**hidden, "step": "send"})
    [stored] = broadcasts_in(db)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert len(outbox_rows(db, stored.id)) == 4  # the people who can be reached, once each
    assert "Questa conferma era già stata inviata: comunicazione %d, una volta sola." % stored.id in \
        client.get(again.headers["location"]).text
    other = post(client, COMPOSE, {**NOTICE, "step": "review"})  # a new confirmation page: a new broadcast
    other_key = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', other.text))["request_key"]
    assert other_key != hidden["request_key"]


def test_schedule_at_a_rome_time(client, people, db):
    logged_in(client, "otto")
    data = {**NOTICE, "when": "later", "send_at": "30/11/2026 09:00"}
    review = post(client, COMPOSE, {**data, "step": "review"})
    assert "30/11/2026 09:00" in review.text and "Programma la comunicazione" in review.text
    response = post(client, COMPOSE, {**data, "step": "send"})
    assert response.status_code == 303
    [stored] = broadcasts_in(db)
    assert stored.status == "scheduled" and outbox_rows(db) == []
    assert stored.send_at.replace(tzinfo=dt.timezone.utc) == dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)
    report = client.get(response.headers["location"]).text
    assert "report-waiting" in report and "cancel-button" in report
    with Session(db) as session, session.begin():  # the bot's planner queues it when the time comes
        broadcasts.queue_due(session, now=dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc))
    assert broadcast(db, stored.id).status == "queued" and len(outbox_rows(db, stored.id)) == 4


@pytest.mark.parametrize("data, message", [
    ({"text_it": "   "}, "Scrivi il testo in italiano"),
    ({"text_it": "", "text_en": "Only English"}, "Scrivi il testo in italiano"),
    ({"text_it": "x" * (broadcasts.MAX_TEXT + 1)}, "troppo lungo: 3501 caratteri, al massimo 3500"),
    ({"text_en": "y" * (broadcasts.MAX_TEXT + 1)}, "al massimo 3500 (Inglese)"),
    ({"when": "later", "send_at": "25/11/2026 10:59"}, "Quell'orario è già passato."),
    ({"when": "later", "send_at": "domani alle nove"}, "gg/mm/aaaa hh:mm"),
    ({"channel": "whatsapp"}, "Nessuno riceverebbe questa comunicazione"),
    ({"municipality": "Bolgona e dintorni"}, "Comune non riconosciuto"),
])
def test_wrong_input_is_shown_on_the_form_and_nothing_is_written(client, people, db, data, message):
    logged_in(client, "otto")
    for step in ("review", "send"):
        response = post(client, COMPOSE, {**NOTICE, **data, "step": step})
        assert response.status_code == 400, step
        assert message in error_of(response.text), (step, error_of(response.text))
        assert "compose-form" in response.text  # the form again, with what was typed
    assert broadcasts_in(db) == [] and outbox_count(db) == 0
    assert {r.action for r in audit_rows(db, operator_name="otto")} == {"login"}


def test_the_list_cancels_a_scheduled_broadcast(client, people, db):
    scheduled = new_broadcast(db, texts={"it": "Festa di fine anno"}, send_at=NOW + dt.timedelta(days=2))
    logged_in(client, "otto")
    listing = client.get(LIST).text
    row = re.search(r'<tr class="broadcast-row" data-broadcast="%d">.*?</tr>' % scheduled, listing, re.S).group(0)
    assert "Programmata" in row and "Festa di fine anno" in row and "broadcasts/cancel" in row
    response = post(client, CANCEL, {"broadcast": scheduled}, page=LIST)
    assert response.status_code == 303 and response.headers["location"].endswith("/office/broadcasts")
    assert broadcast(db, scheduled).status == "cancelled"
    [entry] = audit_rows(db, action="cancel_broadcast")
    assert (entry.operator_name, entry.row_id, entry.before, entry.after) == (
        "otto", str(scheduled), {"status": "scheduled"}, {"status": "cancelled", "withdrawn": 0})
    with Session(db) as session, session.begin():
        assert broadcasts.queue_due(session, now=NOW + dt.timedelta(days=3)) == 0
    again = post(client, CANCEL, {"broadcast": scheduled}, page=LIST)
    assert again.status_code == 400 and "già annullata" in error_of(again.text)
    assert post(client, CANCEL, {"broadcast": "999"}, page=LIST).status_code == 400


def test_cancelling_one_under_way_withdraws_the_rest(client, people, db):
    broadcast_id = new_broadcast(db)
    first, *_rest = outbox_rows(db, broadcast_id)
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).where(OutboxMessage.id == first.id).values(status="sent"))
    logged_in(client, "otto")
    response = post(client, CANCEL, {"broadcast": broadcast_id, "back": "report"}, page=LIST)
    assert response.status_code == 303 and response.headers["location"].endswith(f"?broadcast={broadcast_id}")
    page = client.get(response.headers["location"]).text
    assert "3 messaggi non ancora partiti sono stati ritirati" in page
    assert figures(page)["sent"] == 1 and figures(page)["cancelled"] == 3
    assert [row.status for row in outbox_rows(db, broadcast_id)] == ["sent", "cancelled", "cancelled", "cancelled"]
    finished = new_broadcast(db)
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).where(OutboxMessage.broadcast_id == finished).values(status="sent"))
    listing = client.get(LIST).text
    row = re.search(r'<tr class="broadcast-row" data-broadcast="%d">.*?</tr>' % finished, listing, re.S).group(0)
    assert "Completata" in row and "broadcasts/cancel" not in row
    refused = post(client, CANCEL, {"broadcast": finished}, page=LIST)
    assert refused.status_code == 400 and "non c'è più nulla da annullare" in error_of(refused.text)


def test_the_report_tells_sent_failed_with_reasons_and_blocked(client, people, db):
    broadcast_id = new_broadcast(db)
    rows = outbox_rows(db, broadcast_id)
    outcome = [("sent", None), ("failed", "blocked: Forbidden: bot was blocked by the user"),
               ("failed", "HTTP 500: Internal Server Error"), ("pending", None)]
    with Session(db) as session, session.begin():
        for row, (status, error) in zip(rows, outcome):
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                            .values(status=status, last_error=error))
    logged_in(client, "vera")
    page = client.get(f"/office/broadcasts/report?broadcast={broadcast_id}").text
    with Session(db) as session:
        found = broadcasts.report(session, broadcast_id)  # the one computation, as the command line's
    assert figures(page) == {"audience": found.audience_size, "skipped": found.skipped, "queued": found.queued,
                             "sent": found.sent, "pending": found.pending, "blocked": found.blocked,
                             "failed": found.failed, "cancelled": found.cancelled}
    assert figures(page) == {"audience": 6, "skipped": 2, "queued": 4, "sent": 1, "pending": 1, "blocked": 1,
                             "failed": 1, "cancelled": 0}
    assert "1 × HTTP 500: Internal Server Error" in page.replace("&times;", "×")
    assert client.get("/office/broadcasts/report?broadcast=999").status_code == 404
    assert client.get("/office/broadcasts/report?broadcast=abc").status_code == 404


def test_english_is_a_click_away(client, people, db):
    logged_in(client, "otto")
    page = client.get(COMPOSE + "?lang=en").text
    assert "Text in Italian (required)" in page and "Count" in page
    italian = client.get(COMPOSE + "?lang=it").text
    assert "Testo in italiano (obbligatorio)" in italian


def test_a_broadcast_says_when_it_is_finished_and_who_waits_for_the_web_chat(client, people, db):
    """Web chat rows wait, pending, until the person opens the page: the report says so, not
    "in invio"; once every row is final (sent, failed, withdrawn) the broadcast is finished."""
    broadcast_id = new_broadcast(db)
    rows = outbox_rows(db, broadcast_id)
    assert sorted(row.channel for row in rows) == ["telegram", "web", "web", "web"]
    sent_at = NOW + dt.timedelta(minutes=3)
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id,
                                                    OutboxMessage.channel == "telegram")
                        .values(status="sent", sent_at=sent_at))
    logged_in(client, "vera")
    report = html.unescape(client.get(f"/office/broadcasts/report?broadcast={broadcast_id}").text)
    assert "Inviata; 3 in attesa che la chat web venga aperta" in report and "In invio" not in report
    assert "3 persone della chat web la ricevono quando riaprono la pagina della chat" in report
    assert 'id="report-finished"' not in report
    listed = html.unescape(client.get("/office/broadcasts").text)
    assert "Inviata; 3 in attesa" in listed

    web = [row.id for row in rows if row.channel == "web"]
    with Session(db) as session, session.begin():
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(web[:2]))
                        .values(status="sent", sent_at=sent_at + dt.timedelta(hours=2)))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == web[2])
                        .values(status="failed", last_error="HTTP 500"))
    report = html.unescape(client.get(f"/office/broadcasts/report?broadcast={broadcast_id}").text)
    finished = (sent_at + dt.timedelta(hours=2)).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")
    assert f"Conclusa il {finished}: ogni messaggio è stato inviato" in report
    assert re.search(r'id="report-status">Completata<', report) and 'id="report-web"' not in report


def test_every_registry_language_has_its_text_and_preview_each_in_its_own_direction(client, people):
    """#14: a text box per language of conversations.languages and a preview of each, the
    browser setting each one's direction from its text (Arabic, Urdu right to left; a language
    without its own text previews the Italian one)."""
    from conversations import languages

    logged_in(client, "otto")
    shown = post(client, COMPOSE, {**NOTICE, "step": "preview"}).text
    for code in languages.CODES:
        assert re.search(rf'<textarea [^>]*name="text_{code}" lang="{code}" dir="auto"', shown), code
        assert re.search(rf'data-language="{code}" dir="auto"', shown), code
