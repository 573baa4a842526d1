"""On Telegram, end to end through the real python-telegram-bot Application: a person
registers, books the orientation interview and a workshop seat, and gets the calendar files."""
from __future__ import annotations

from icalendar import Calendar

from store.models import InterviewBooking, Registration, WorkshopRegistration
from tests.booking_flow_helpers import add_slot, add_workshop, days_ahead
from tests.registration_helpers import TAX_CODE
from tests.test_telegram_adapter import app, request_, sent, tg  # noqa: F401  (fixtures)


async def register(tg) -> None:
    await tg.say("ciao")
    await tg.press("English")
    await tg.press("Yes, I agree")
    for answer in ("maria", "ROSSI", "05/03/1990", TAX_CODE, "Bologna", "347 123 4567"):
        await tg.say(answer)
    await tg.press("Skip")
    for label in ("Looking for work", "High school diploma", "Good", "Cleaning", "Done",
                  "Licence, no car", "Part time", "Done", "Yes, register me"):
        await tg.press(label)


def rows(db, model):
    from sqlmodel import Session, select
    with Session(db) as session:
        return session.exec(select(model)).all()


async def test_register_book_the_interview_and_a_workshop_seat_on_telegram(tg, db):
    slot = add_slot(db, days_ahead(1, 9), address="Via Castiglione 1, Bologna")
    workshop = add_workshop(db, days_ahead(3, 9), capacity=12, registered=11)
    await register(tg)
    [registration] = rows(db, Registration)
    assert registration.status == "new" and registration.phone == "+393471234567"

    await tg.press("Book my interview")
    await tg.press("Thu, 26 Nov")
    await tg.press("09:00")
    calls = await tg.press("Yes, book it")
    [booking] = rows(db, InterviewBooking)
    assert (booking.slot_id, booking.status) == (slot, "booked")
    [document] = [params for name, params in calls if name == "sendDocument"]
    [(filename, content, _mime)] = document["files"].values()
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert filename.endswith(".ics") and event.decoded("dtstart") == days_ahead(1, 9)
    assert str(event["location"]) == "Via Castiglione 1, Bologna"

    await tg.press("My appointments")
    await tg.press("Workshops")
    await tg.press("Sat, 28 Nov")
    assert "1 seat left" in tg.keyboard_message()["text"]
    calls = await tg.press("Yes, sign me up")
    [seat] = rows(db, WorkshopRegistration)
    assert (seat.session_id, seat.status) == (workshop, "registered")
    assert any(name == "sendDocument" for name, _params in calls)
    assert "Done: you are signed up." in sent(calls)[0]["text"]

