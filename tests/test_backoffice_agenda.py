"""The agenda's pages over HTTP: the week and the day, a new slot, slots from a weekly pattern
(preview first), cancelling a slot (the person booked is told through the outbox), an
interview's outcome, a workshop's attendance; who may do what, CSRF, audit, wrong input."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import InterviewBooking, InterviewSlot, OutboxMessage, Registration, WorkshopRegistration
from tests.office_support import (audit_rows, client, csrf, fast_hashes, logged_in, office,  # noqa: F401
                                  office_accounts, programme)

PAGES = ("/office/agenda", "/office/workshop-attendance")
ACTIONS = ("/office/agenda/slot", "/office/agenda/pattern", "/office/agenda/cancel", "/office/agenda/outcome",
           "/office/workshop-attendance/save")
# NOW is Wednesday 25/11/2026 11:00 in Rome; the programme's interview is on Friday 27/11 at 11:00.
PATTERN = {"weekday": ["1", "3"], "first": "2026-11-30", "last": "2026-12-06", "opens": "09:00", "closes": "11:00",
           "duration": "45", "operator": "Paola", "mode": "phone", "capacity": "1", "address": ""}


def slots(db, operator: str | None = None) -> list[InterviewSlot]:
    with Session(db) as session:
        query = select(InterviewSlot).order_by(InterviewSlot.starts_at)
        if operator:
            query = query.where(InterviewSlot.operator == operator)
        return list(session.scalars(query))


def get(db, model, pk):
    with Session(db) as session:
        return session.get(model, pk)


def outbox(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def post(http, path: str, data: dict, page: str = "/office/agenda"):
    return http.post(path, data={**data, "csrf_token": csrf(http, page)})


def test_anonymous_visitors_are_sent_to_the_login(client, programme, db):
    token = csrf(client)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login")
        assert "Rossi" not in response.text
    for path in ACTIONS:
        response = client.post(path, data={"csrf_token": token, **PATTERN, "slot": programme["slot"]})
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login")
    assert len(slots(db)) == 1


def test_a_viewer_reads_the_agenda_but_changes_nothing(client, programme, db):
    logged_in(client, "vera")
    page = client.get("/office/agenda?day=2026-11-27&span=day")
    assert page.status_code == 200 and "Rossi Maria" in page.text and "Anna Bianchi" in page.text
    assert "agenda/cancel" not in page.text and "pattern-form" not in page.text
    attendance = client.get(f"/office/workshop-attendance?session={programme['workshop']}")
    assert attendance.status_code == 200 and "Rossi" in attendance.text
    for path in ACTIONS:
        response = post(client, path, {**PATTERN, "slot": programme["slot"], "session": programme["workshop"]})
        assert response.status_code == 403, path
    assert len(slots(db)) == 1 and get(db, InterviewSlot, programme["slot"]).cancelled_at is None
    assert {r.action for r in audit_rows(db, operator_name="vera")} == {"login"}


def test_a_post_without_the_csrf_token_is_refused(client, programme, db):
    logged_in(client, "otto")
    for path in ACTIONS:
        response = client.post(path, data={**PATTERN, "slot": programme["slot"]})
        assert response.status_code == 403 and "Richiesta rifiutata" in response.text, path
    assert len(slots(db)) == 1 and get(db, InterviewSlot, programme["slot"]).cancelled_at is None


def test_the_week_shows_interviews_and_navigates(client, programme):
    logged_in(client, "otto")
    week = client.get("/office/agenda").text
    assert "Colloqui dal 23/11/2026 al 29/11/2026" in week
    table = week.split('id="agenda-table"')[1].split("</table>")[0]
    assert "Rossi Maria (" in table and "27/11/2026" in table and "11:00 (45')" in table  # Rome: 10:00 UTC
    following = client.get("/office/agenda?day=2026-11-30&span=week").text
    assert "Colloqui dal 30/11/2026 al 06/12/2026" in following and "Rossi Maria" not in following
    day = client.get("/office/agenda?day=2026-11-26&span=day").text
    assert "Colloqui del 26/11/2026" in day and "Nessun colloquio in questo periodo." in day
    assert "Rossi Maria" in client.get("/office/agenda?day=2026-11-27&span=day").text


def test_an_operator_creates_a_slot_with_audit(client, db):
    logged_in(client, "otto")
    response = post(client, "/office/agenda/slot", {"day": "2026-12-01", "time": "09:30", "duration": "45",
                                                     "operator": "Paola", "mode": "in_person",
                                                     "address": "Via Roma 1, Bologna", "capacity": "1"})
    assert response.status_code == 303, response.text[:500]
    [slot] = slots(db, "Paola")
    assert slot.starts_at.strftime("%Y-%m-%d %H:%M") == "2026-12-01 08:30"  # UTC
    [entry] = audit_rows(db, table_name="interview_slot")
    assert entry.operator_name == "otto" and entry.action == "create" and entry.after["operator"] == "Paola"
    assert "Colloquio creato: 01/12/2026 09:30." in client.get(response.headers["location"]).text


@pytest.mark.parametrize("changes, message", [
    ({"day": "2026-11-20"}, "Quell&#39;orario è già passato."),
    ({"day": "20/11/2026"}, "Quell&#39;orario è già passato."),
    ({"day": "domani"}, "Scrivi la data come gg/mm/aaaa."),
    ({"mode": "in_person", "address": ""}, "Un colloquio in presenza ha bisogno di un indirizzo."),
    ({"duration": "0"}, "Minuti: un numero intero da 5 a 480."),
    ({"operator": ""}, "Scrivi il nome di chi fa il colloquio."),
])
def test_a_wrong_slot_is_explained_and_nothing_is_written(client, db, changes, message):
    logged_in(client, "otto")
    data = {"day": "2026-12-01", "time": "09:30", "duration": "45", "operator": "Paola", "mode": "phone",
            "capacity": "1", **changes}
    response = post(client, "/office/agenda/slot", data)
    assert response.status_code == 400 and message in response.text
    assert slots(db) == [] and audit_rows(db, table_name="interview_slot") == []


def test_the_same_slot_twice_is_refused(client, db):
    logged_in(client, "otto")
    data = {"day": "2026-12-01", "time": "09:30", "duration": "45", "operator": "Paola", "mode": "phone"}
    assert post(client, "/office/agenda/slot", data).status_code == 303
    response = post(client, "/office/agenda/slot", data)
    assert response.status_code == 400 and "ha già un colloquio a quell&#39;ora" in response.text
    assert len(slots(db)) == 1


def test_a_pattern_is_previewed_then_created_and_again_adds_nothing(client, db):
    logged_in(client, "otto")
    preview = post(client, "/office/agenda/pattern", {**PATTERN, "preview": "1"})
    assert preview.status_code == 200
    assert "Colloqui creati: 4; già presenti: 0; già passati: 0." in preview.text  # Tue and Thu, 9:00 and 9:45
    assert slots(db) == [] and audit_rows(db, table_name="interview_slot") == []
    assert 'value="2026-11-30"' in preview.text  # the form keeps what was typed
    done = post(client, "/office/agenda/pattern", PATTERN)
    assert done.status_code == 303
    made = slots(db, "Paola")
    assert [s.starts_at.strftime("%d %H:%M") for s in made] == ["01 08:00", "01 08:45", "03 08:00", "03 08:45"]
    assert len(audit_rows(db, table_name="interview_slot", action="create")) == 4
    week = client.get("/office/agenda?day=2026-12-01&span=week").text
    assert week.count("Paola") >= 4 and "09:45" in week
    again = post(client, "/office/agenda/pattern", PATTERN)
    assert again.status_code == 303
    assert "Colloqui creati: 0; già presenti: 4" in client.get(again.headers["location"]).text
    assert len(slots(db, "Paola")) == 4


@pytest.mark.parametrize("changes, message", [
    ({"weekday": []}, "Scegli almeno un giorno della settimana."),
    ({"last": "2026-11-29"}, "L&#39;ultimo giorno viene prima del primo."),
    ({"first": "2026-11-01", "last": "2026-11-20"}, "Quei giorni sono già passati."),
    ({"opens": "11:00", "closes": "09:00"}, "Nessun colloquio sta tra le 11:00 e le 09:00."),
])
def test_a_wrong_pattern_is_explained_and_nothing_is_written(client, db, changes, message):
    logged_in(client, "otto")
    response = post(client, "/office/agenda/pattern", {**PATTERN, **changes})
    assert response.status_code == 400 and message in response.text
    assert slots(db) == []


def test_cancelling_a_slot_tells_the_person_through_the_outbox(client, programme, db):
    logged_in(client, "otto")
    before = len(outbox(db))
    response = post(client, "/office/agenda/cancel", {"slot": programme["slot"], "back_day": "2026-11-27",
                                                       "back_span": "day"})
    assert response.status_code == 303
    assert get(db, InterviewSlot, programme["slot"]).cancelled_at is not None
    booking = get(db, InterviewBooking, programme["booking"])
    assert booking.status == "cancelled" and booking.cancel_reason == "cancelled by the office"
    [notice] = outbox(db)[before:]
    assert notice.contact_id == programme["contact"] and notice.idempotency_key == f"slot-cancelled:{booking.id}"
    entries = audit_rows(db, action="cancel_slot")
    assert {e.table_name for e in entries} == {"interview_slot", "interview_booking"} or \
        {e.table_name for e in entries} == {"interview_booking"}
    [changed] = [e for e in entries if e.table_name == "interview_booking"]
    assert changed.before["status"] == "booked" and changed.after["status"] == "cancelled"
    page = client.get(response.headers["location"]).text
    assert "prenotazioni annullate: 1, persone avvisate dal bot: 1" in page
    again = post(client, "/office/agenda/cancel", {"slot": programme["slot"]})
    assert again.status_code == 400 and "Già annullato." in again.text
    assert len(outbox(db)) == before + 1


def test_an_interview_outcome_is_recorded_once_it_has_started(client, office, programme, db):
    logged_in(client, "otto")
    early = post(client, "/office/agenda/outcome", {"booking": programme["booking"], "status": "attended",
                                                     "note": "Bene"})
    assert early.status_code == 400 and "Il colloquio non è ancora iniziato." in early.text
    assert get(db, InterviewBooking, programme["booking"]).status == "booked"
    office.clock.advance(days=2, hours=1)
    logged_in(client, "otto")  # the idle session ended meanwhile
    page = client.get("/office/agenda?day=2026-11-27&span=day").text
    assert "outcome-form" in page and "agenda/cancel" not in page  # a past slot is not cancelled
    done = post(client, "/office/agenda/outcome", {"booking": programme["booking"], "status": "attended",
                                                    "note": "Interessata alla logistica"})
    assert done.status_code == 303
    booking = get(db, InterviewBooking, programme["booking"])
    assert (booking.status, booking.outcome_note) == ("attended", "Interessata alla logistica")
    [entry] = audit_rows(db, action="interview_outcome", table_name="interview_booking")
    assert entry.before["status"] == "booked" and entry.after["status"] == "attended"
    assert entry.after["outcome_note"] == "Interessata alla logistica" and entry.operator_name == "otto"
    # on the programme's path: Maria is now interviewed, on the interview's day
    [step] = audit_rows(db, action="create", table_name="programme_event")
    assert step.after["kind"] == "interviewed" and step.after["day"] == "2026-11-27"
    assert get(db, Registration, programme["maria"]).status == "interviewed"
    wrong = post(client, "/office/agenda/outcome", {"booking": programme["booking"], "status": "booked"})
    assert wrong.status_code == 400 and "Scegli presente o assente." in wrong.text


def test_workshop_attendance_lists_seats_and_waiting_list_and_is_taken(client, office, programme, db):
    with Session(db) as session:  # Luca on the waiting list
        luca_contact = programme["contact"] + 1000
        session.add(WorkshopRegistration(session_id=programme["workshop"], contact_id=luca_contact,
                                         status="waitlisted"))
        session.commit()
    logged_in(client, "otto")
    page = client.get(f"/office/workshop-attendance?session={programme['workshop']}").text
    participants, waiting = page.split('id="participants"')[1], page.split('id="waiting"')[1]
    assert "Rossi Maria" in participants.split("</table>")[0] and "Bianchi Luca" in waiting.split("</table>")[0]
    assert "Le presenze si possono prendere quando la sessione è iniziata." in page
    seat = f"seat-{programme['seat']}"
    early = post(client, "/office/workshop-attendance/save", {"session": programme["workshop"], seat: "attended"},
                 page="/office/workshop-attendance")
    assert early.status_code == 400 and get(db, WorkshopRegistration, programme["seat"]).status == "registered"
    office.clock.advance(days=3, minutes=10)
    logged_in(client, "otto")
    done = post(client, "/office/workshop-attendance/save", {"session": programme["workshop"], seat: "attended"},
                page="/office/workshop-attendance")
    assert done.status_code == 303
    assert get(db, WorkshopRegistration, programme["seat"]).status == "attended"
    [entry] = audit_rows(db, action="workshop_attendance")
    assert entry.before == {"status": "registered", "updated_at": entry.before["updated_at"]}
    assert entry.after["status"] == "attended"
    assert "Presenze salvate: 1 cambiate." in client.get(done.headers["location"]).text


SESSION = {"title": "Incontro 2", "description": "Il curriculum", "day": "2026-12-10", "start": "09:30",
           "end": "12:30", "place": "Sala civica, Imola", "capacity": "20", "language": "it"}


def workshop(db, pk) -> "WorkshopSession":
    from store.models import WorkshopSession

    return get(db, WorkshopSession, pk)


def test_an_operator_creates_a_workshop_session(client, db):
    from store.models import WorkshopSession

    logged_in(client, "otto")
    response = post(client, "/office/workshop-attendance/session", SESSION, page="/office/workshop-attendance")
    assert response.status_code == 303
    with Session(db) as session:
        [made] = session.scalars(select(WorkshopSession)).all()
    assert (made.title, made.place, made.capacity, made.language) == ("Incontro 2", "Sala civica, Imola", 20, "it")
    assert made.starts_at.strftime("%Y-%m-%d %H:%M") == "2026-12-10 08:30"  # UTC
    assert [e.action for e in audit_rows(db, table_name="workshop_session")] == ["create"]
    assert "Sessione creata." in client.get(response.headers["location"]).text


@pytest.mark.parametrize("changes, message", [
    ({"end": "09:00"}, "La fine viene prima dell&#39;inizio."),
    ({"day": "2026-11-20"}, "Quell&#39;orario è già passato."),
    ({"title": ""}, "Scrivi il titolo."),
    ({"capacity": "0"}, "Posti: un numero intero da 1 a 1000."),
])
def test_a_wrong_session_is_explained_and_nothing_is_written(client, db, changes, message):
    logged_in(client, "otto")
    response = post(client, "/office/workshop-attendance/session", {**SESSION, **changes},
                    page="/office/workshop-attendance")
    assert response.status_code == 400 and message in response.text, response.text[-2000:]
    assert audit_rows(db, table_name="workshop_session") == []


def test_editing_without_moving_tells_nobody(client, programme, db):
    logged_in(client, "otto")
    before = len(outbox(db))
    data = {**SESSION, "session": programme["workshop"], "day": "2026-11-28", "start": "11:00", "end": "13:00",
            "title": "Incontro 1 (curriculum)"}
    response = post(client, "/office/workshop-attendance/session", data, page="/office/workshop-attendance")
    assert response.status_code == 303
    assert workshop(db, programme["workshop"]).title == "Incontro 1 (curriculum)"
    assert len(outbox(db)) == before
    assert "Sessione salvata." in client.get(response.headers["location"]).text


def test_moving_a_session_tells_its_people_and_withdraws_their_reminders(client, programme, db):
    from conversations.messages import Outbound
    from services import outbox as queue, reminders
    from tests.conftest import NOW

    about = reminders.about(reminders.WORKSHOP, programme["seat"])
    with Session(db) as session:  # a reminder planned for Maria's seat, at the old time
        assert queue.enqueue(session, contact_id=programme["contact"], message=Outbound("Promemoria"),
                             key="reminder-test", kind=reminders.KIND, about=about, due_at=NOW)
        session.commit()
    logged_in(client, "otto")
    before = len(outbox(db))
    data = {**SESSION, "session": programme["workshop"], "title": "Incontro 1"}
    response = post(client, "/office/workshop-attendance/session", data, page="/office/workshop-attendance")
    assert response.status_code == 303
    moved = workshop(db, programme["workshop"])
    assert moved.starts_at.strftime("%Y-%m-%d %H:%M") == "2026-12-10 08:30"
    [reminder] = [row for row in outbox(db) if row.about == about]
    assert reminder.status == "cancelled"  # the planner plans it again for the new time
    [notice] = outbox(db)[before:]
    assert notice.contact_id == programme["contact"] and notice.status == "pending"
    assert notice.idempotency_key == f"workshop-moved:{programme['seat']}:202612100830"
    [entry] = audit_rows(db, action="workshop_save", table_name="workshop_session")
    assert entry.before["starts_at"].startswith("2026-11-28") and entry.after["starts_at"].startswith("2026-12-10")
    assert "persone avvisate dal bot: 1 su 1" in client.get(response.headers["location"]).text


def test_capacity_below_the_seats_taken_is_refused(client, programme, db):
    logged_in(client, "otto")
    data = {**SESSION, "session": programme["workshop"], "day": "2026-11-28", "start": "11:00", "end": "13:00",
            "capacity": "0"}
    assert post(client, "/office/workshop-attendance/session", data,
                page="/office/workshop-attendance").status_code == 400
    from store.models import WorkshopSession

    with Session(db) as session:
        w = session.get(WorkshopSession, programme["workshop"])
        w.registered, w.capacity = 3, 5
        session.commit()
    response = post(client, "/office/workshop-attendance/session", {**data, "capacity": "2"},
                    page="/office/workshop-attendance")
    assert response.status_code == 400 and "I posti non possono essere meno di quelli già occupati." in response.text
    assert workshop(db, programme["workshop"]).capacity == 5


def test_cancelling_a_session_tells_its_people(client, programme, db):
    logged_in(client, "otto")
    before = len(outbox(db))
    response = post(client, "/office/workshop-attendance/cancel", {"session": programme["workshop"]},
                    page="/office/workshop-attendance")
    assert response.status_code == 303
    assert workshop(db, programme["workshop"]).cancelled_at is not None
    assert get(db, WorkshopRegistration, programme["seat"]).status == "cancelled"
    [notice] = outbox(db)[before:]
    assert notice.idempotency_key == f"workshop-cancelled:{programme['seat']}"
    assert [e.table_name for e in audit_rows(db, action="workshop_cancel")] == ["workshop_registration"]
    again = post(client, "/office/workshop-attendance/cancel", {"session": programme["workshop"]},
                 page="/office/workshop-attendance")
    assert again.status_code == 400 and "Già annullato." in again.text


def test_the_pages_speak_english_on_request(client, programme):
    logged_in(client, "otto")
    week = client.get("/office/agenda?lang=en").text
    assert "Interviews from 23/11/2026 to 29/11/2026" in week and "Slots from a weekly pattern" in week
    sessions = client.get(f"/office/workshop-attendance?session={programme['workshop']}").text
    assert "Participants (1 of 30 seats)" in sessions and "Edit the session" in sessions


def test_more_seats_go_to_the_people_waiting_who_are_told(client, programme, db):
    from store.models import ChannelIdentity, WorkshopSession

    luca_contact = programme["contact"] + 1000
    with Session(db) as session:  # the session is full; Luca waits, and can be reached on Telegram
        full = session.get(WorkshopSession, programme["workshop"])
        full.capacity = 1
        session.add(ChannelIdentity(contact_id=luca_contact, scheme="telegram", external_id="777"))
        session.add(WorkshopRegistration(session_id=programme["workshop"], contact_id=luca_contact,
                                         status="waitlisted"))
        session.commit()
    logged_in(client, "otto")
    before = len(outbox(db))
    data = {**SESSION, "session": programme["workshop"], "day": "2026-11-28", "start": "11:00", "end": "13:00",
            "title": "Incontro 1", "capacity": "3"}
    response = post(client, "/office/workshop-attendance/session", data, page="/office/workshop-attendance")
    assert response.status_code == 303
    with Session(db) as session:
        seat = session.scalar(select(WorkshopRegistration).where(WorkshopRegistration.contact_id == luca_contact))
        assert seat.status == "registered"
        assert session.get(WorkshopSession, programme["workshop"]).registered == 2
    [notice] = outbox(db)[before:]
    assert notice.contact_id == luca_contact and notice.status == "pending"
    page = client.get(response.headers["location"]).text
    assert "Sessione salvata." in page and "Dalla lista d&#39;attesa a un posto: 1." in page


def test_a_pattern_skips_public_holidays_and_says_which_unless_ticked(client, db):
    logged_in(client, "otto")
    week = {**PATTERN, "first": "2026-12-07", "last": "2026-12-09", "weekday": ["1"]}  # Tuesday 8 December
    preview = post(client, "/office/agenda/pattern", {**week, "preview": "1"})
    assert "Colloqui creati: 0;" in preview.text
    assert "Saltati i festivi: 8/12/2026 (Immacolata Concezione)." in preview.text
    done = post(client, "/office/agenda/pattern", week)
    assert "Saltati i festivi: 8/12/2026" in client.get(done.headers["location"]).text
    assert slots(db, "Paola") == []
    ticked = post(client, "/office/agenda/pattern", {**week, "holidays": "y"})
    assert ticked.status_code == 303
    assert [s.starts_at.strftime("%d %H:%M") for s in slots(db, "Paola")] == ["08 08:00", "08 08:45"]
