"""The operators' commands (python -m bot slots/workshops/bookings/registrations/demo), on the
per-test database: rows created, no duplicates, clock changes, listings, input errors, demo."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from store.models import (ChannelIdentity, Contact, InterviewBooking, InterviewSlot, OutboxMessage, Registration,
                       WorkshopRegistration, WorkshopSession, aware)
from tests.cli_helpers import run  # noqa: F401  (fixture)
from tests.conftest import NOW, ROOT

UTC = dt.timezone.utc


def slots(db) -> list[InterviewSlot]:
    with Session(db) as session:
        return list(session.execute(select(InterviewSlot).order_by(InterviewSlot.starts_at)).scalars())


def utc_starts(db, operator: str | None = None) -> list[dt.datetime]:
    return [aware(s.starts_at) for s in slots(db) if operator is None or s.operator == operator]


PATTERN = ("slots", "pattern", "--from", "09:00", "--to", "13:00", "--duration", "45", "--mode", "in_person",
           "--address", "Via Esempio 1, Bologna", "--operator", "Anna")


# -- slots ------------------------------------------------------------------------------

def test_add_one_slot_in_rome_time(run, db):
    status, out, _err = run("slots", "add", "--start", "2026-12-01 09:00", "--duration", "45",
                            "--mode", "in_person", "--address", "Via Esempio 1, Bologna", "--operator", "Anna",
                            "--capacity", "2")
    assert status == 0
    assert "mar 1 dic 2026 09:00" in out
    [slot] = slots(db)
    assert aware(slot.starts_at) == dt.datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # CET is UTC+1
    assert (slot.duration_minutes, slot.mode, slot.address, slot.operator, slot.capacity, slot.booked) == \
        (45, "in_person", "Via Esempio 1, Bologna", "Anna", 2, 0)


def test_the_same_slot_twice_is_refused(run, db):
    argv = ("slots", "add", "--start", "01/12/2026 9:00", "--mode", "phone", "--operator", "Anna")
    assert run(*argv)[0] == 0
    status, out, err = run(*argv)
    assert status == 2 and "già un colloquio" in err and out == ""
    assert len(slots(db)) == 1


def test_pattern_fills_each_window_back_to_back(run, db):
    status, out, _err = run(*PATTERN, "--days", "tue,thu", "--weeks", "8", "--start", "2026-12-01")
    assert status == 0
    assert "Creati 75 colloqui" in out  # 8 weeks x 2 days x 5, less tuesday 8 december
    assert "Saltati i festivi: 8/12/2026 (Immacolata Concezione)" in out
    first_day = [s for s in utc_starts(db) if s.date() == dt.date(2026, 12, 1)]
    # 9:00, 9:45, 10:30, 11:15, 12:00 in Rome
    assert [s.strftime("%H:%M") for s in first_day] == ["08:00", "08:45", "09:30", "10:15", "11:00"]
    weekdays = {s.astimezone(TIMEZONE).weekday() for s in utc_starts(db)}
    assert weekdays == {1, 3}
    assert max(utc_starts(db)).date() == dt.date(2027, 1, 21)  # the 8th Thursday


@pytest.mark.both_databases
def test_running_a_pattern_again_adds_nothing(run, db):
    run(*PATTERN, "--days", "tue,thu", "--weeks", "8", "--start", "2026-12-01")
    status, out, _err = run(*PATTERN, "--days", "mar,gio", "--weeks", "8", "--start", "2026-12-01")  # in Italian
    assert status == 0
    assert "Creati 0 colloqui; già presenti 75" in out
    assert len(slots(db)) == 75


def test_pattern_skips_the_holidays_unless_asked(run, db):
    status, out, _err = run(*PATTERN, "--days", "lun-sab", "--weeks", "3", "--start", "2026-12-07")
    assert status == 0 and "Creati 75 colloqui" in out  # 3 weeks x 6 days x 5, less three days
    assert "Saltati i festivi: 8/12/2026 (Immacolata Concezione), 25/12/2026 (Natale), " \
           "26/12/2026 (Santo Stefano) (per crearli: --festivi)." in out
    status, out, _err = run(*PATTERN, "--days", "lun-sab", "--weeks", "3", "--start", "2026-12-07", "--festivi")
    assert status == 0 and "Creati 15 colloqui; già presenti 75" in out and "Saltati" not in out
    holidays = {dt.date(2026, 12, 8), dt.date(2026, 12, 25), dt.date(2026, 12, 26)}
    assert {s.astimezone(TIMEZONE).date() for s in utc_starts(db)} >= holidays


def test_another_operator_gets_their_own_slots_at_the_same_times(run, db):
    run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    status, out, _err = run(*PATTERN[:-1], "Marco", "--days", "mar", "--start", "2026-12-01")
    assert "Creati 5 colloqui" in out
    assert len(slots(db)) == 10


def test_pattern_skips_slots_in_the_past(run, db):
    # NOW is 11:00 in Rome: 9:00, 9:45 and 10:30 of today are gone.
    status, out, _err = run(*PATTERN, "--days", "mer", "--start", "2026-11-25")
    assert "Creati 2 colloqui; già presenti 0; già passati 3" in out
    assert [s.strftime("%H:%M") for s in utc_starts(db)] == ["10:15", "11:00"]


def test_a_cancelled_slot_does_not_come_back_when_the_pattern_runs_again(run, db):
    run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    first = slots(db)[0]
    assert run("slots", "cancel", str(first.id))[0] == 0
    _status, out, _err = run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    assert "Creati 0 colloqui; già presenti 5" in out


@pytest.mark.both_databases
@pytest.mark.parametrize("first_day, before, after", [
    ("2027-03-23", "08:00", "07:00"),  # clocks go forward on sunday 28 march 2027: CET -> CEST
    ("2027-10-26", "07:00", "08:00"),  # and back on sunday 31 october 2027: CEST -> CET
])
def test_local_times_stay_put_across_the_clock_change(run, db, first_day, before, after):
    run(*PATTERN, "--days", "tue", "--weeks", "2", "--start", first_day)
    starts = utc_starts(db)
    assert len(starts) == 10
    assert (starts[0].strftime("%H:%M"), starts[5].strftime("%H:%M")) == (before, after)  # in UTC
    local = [s.astimezone(TIMEZONE).strftime("%H:%M") for s in starts]
    assert local == ["09:00", "09:45", "10:30", "11:15", "12:00"] * 2


@pytest.mark.parametrize("sunday, expected_utc", [
    # 01:00-04:00 on the night the clocks go forward lasts two real hours...
    ("2027-03-28", ["2027-03-28 00:00", "2027-03-28 01:00"]),
    # ...and three hours plus the repeated one on the night they go back.
    ("2027-10-31", ["2027-10-30 23:00", "2027-10-31 00:00", "2027-10-31 01:00", "2027-10-31 02:00"]),
])
def test_a_window_on_the_night_of_the_change_holds_real_hours(run, db, sunday, expected_utc):
    run(*PATTERN[:3], "01:00", "--to", "04:00", "--duration", "60", *PATTERN[8:], "--days", "dom",
        "--start", sunday, "--festivi")  # 28 march 2027 is Easter
    assert [s.strftime("%Y-%m-%d %H:%M") for s in utc_starts(db)] == expected_utc


def test_a_normal_window_on_the_day_of_the_change(run, db):
    run(*PATTERN, "--days", "domenica", "--start", "2027-10-31")
    local = [s.astimezone(TIMEZONE).strftime("%d %H:%M") for s in utc_starts(db)]
    assert local == ["31 09:00", "31 09:45", "31 10:30", "31 11:15", "31 12:00"]
    assert utc_starts(db)[0] == dt.datetime(2027, 10, 31, 8, 0, tzinfo=UTC)


def test_slots_list_shows_bookings_over_capacity(run, db):
    run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    book(db, slots(db)[1].id, first_name="Maria", last_name="Rossi", phone="+393471234567", code="ACD234")
    status, out, _err = run("slots", "list", "--from", "2026-12-01", "--days", "1")
    assert status == 0
    lines = out.splitlines()
    assert "5 colloqui" not in out and "Colloqui di mar 1 dic 2026: 5 (4 posti liberi)" in out
    row_0945 = next(line for line in lines if "mar 1 dic 2026 09:45" in line)
    assert "1/1" in row_0945 and "Anna" in row_0945 and "in presenza" in row_0945
    assert sum("0/1" in line for line in lines) == 4


def test_slots_list_of_an_empty_period(run):
    status, out, _err = run("slots", "list", "--from", "2027-01-01", "--days", "7")
    assert status == 0 and out.startswith("Nessun colloquio dal ven 1 gen 2027 al gio 7 gen 2027")


@pytest.mark.both_databases
def test_cancelling_a_booked_slot_cancels_its_booking_and_queues_a_notice(run, db):
    run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    slot_id = slots(db)[0].id
    booking_id, contact_id = book(db, slot_id, first_name="Maria", last_name="Rossi", phone="+393471234567",
                                  code="ACD234")
    status, out, _err = run("slots", "cancel", str(slot_id))
    assert status == 0
    assert "Maria Rossi" in out and "+393471234567" in out and "ACD234" in out and "in coda" in out
    with Session(db) as session:
        slot = session.get(InterviewSlot, slot_id)
        booking = session.get(InterviewBooking, booking_id)
        [notice] = session.execute(select(OutboxMessage)).scalars().all()
    assert slot.cancelled_at is not None and slot.booked == 0
    assert (booking.status, booking.cancel_reason) == ("cancelled", "cancelled by the office")
    assert notice.contact_id == contact_id and notice.channel == "telegram"
    assert notice.idempotency_key == f"slot-cancelled:{booking_id}"
    assert "annullare il tuo colloquio" in notice.content["text"]  # the person's language: Italian
    assert "martedì 1 dicembre 2026" in notice.content["text"]
    assert len(notice.content["buttons"]) == 2


def test_cancelling_is_refused_for_unknown_cancelled_or_past_slots(run, db):
    assert run("slots", "cancel", "999")[2].strip() == "errore: non esiste un colloquio con questo ID"
    run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    slot_id = slots(db)[0].id
    assert run("slots", "cancel", str(slot_id))[0] == 0
    status, _out, err = run("slots", "cancel", str(slot_id))
    assert status == 2 and "già annullato" in err
    later = dt.datetime(2026, 12, 2, tzinfo=UTC)
    status, _out, err = run("slots", "cancel", str(slots(db)[1].id), now=later)
    assert status == 2 and "già passato" in err


@pytest.mark.parametrize("argv, message", [
    (("slots", "add", "--start", "2026-12-32 09:00", "--operator", "A", "--mode", "phone"),
     "data e ora non valide"),
    (("slots", "add", "--start", "domani", "--operator", "A", "--mode", "phone"), "data e ora non valide"),
    (("slots", "add", "--start", "2026-12-01 25:00", "--operator", "A", "--mode", "phone"),
     "data e ora non valide"),
    (("slots", "add", "--start", "2026-11-20 09:00", "--operator", "A", "--mode", "phone"), "già passato"),
    (("slots", "add", "--start", "2026-12-01 09:00", "--operator", "A"), "--address è obbligatorio"),
    (("slots", "add", "--start", "2026-12-01 09:00", "--operator", "A", "--mode", "phone", "--capacity", "0"),
     "parametro --capacity: deve essere almeno 1"),
    (("slots", "add", "--start", "2026-12-01 09:00", "--operator", "A", "--mode", "bus"), "valore non ammesso"),
    (("slots", "add", "--start", "2026-12-01 09:00", "--mode", "phone"),
     "parametri obbligatori mancanti: --operator"),
    (PATTERN + ("--days", "tue,fry"), "giorno non riconosciuto: fry"),
    (PATTERN + ("--days", "mar", "--weeks", "0"), "deve essere almeno 1"),
    (PATTERN[:3] + ("13:00", "--to", "09:00") + PATTERN[6:] + ("--days", "mar"), "--to deve venire dopo --from"),
    (PATTERN[:3] + ("09:00", "--to", "09:30") + PATTERN[6:] + ("--days", "mar"), "non entra nella fascia"),
    (("workshops", "add", "--title", "T", "--start", "2026-12-03 09:30", "--end", "2026-12-03 08:30",
      "--place", "P"), "la fine viene prima dell'inizio"),
    (("workshops", "add", "--title", "T", "--start", "2026-12-03 09:30", "--end", "12:30", "--place", "P",
      "--capacity", "0"), "deve essere almeno 1"),
    (("workshops", "participants", "42"), "non esiste una sessione di workshop con ID 42"),
])
def test_bad_input_gets_a_clear_message_and_a_non_zero_exit(run, db, argv, message):
    status, out, err = run(*argv)
    assert status == 2
    assert message in err and "Traceback" not in err
    assert out == ""
    assert slots(db) == []


# -- workshops --------------------------------------------------------------------------

@pytest.mark.both_databases
def test_workshop_add_list_and_participants(run, db):
    status, out, _err = run("workshops", "add", "--title", "Il curriculum", "--start", "2026-12-03 09:30",
                            "--end", "12:30", "--place", "Sala A, Bologna", "--capacity", "2",
                            "--description", "Come si scrive")
    assert status == 0 and "gio 3 dic 2026 09:30-12:30" in out
    with Session(db) as session:
        [workshop] = session.execute(select(WorkshopSession)).scalars().all()
        assert aware(workshop.starts_at) == dt.datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
        assert aware(workshop.ends_at) == dt.datetime(2026, 12, 3, 11, 30, tzinfo=UTC)
        assert (workshop.capacity, workshop.language, workshop.description) == (2, "it", "Come si scrive")
        workshop_id = workshop.id
    people = [person(db, "Maria", "Rossi", "+393471111111", "CODE01"),
              person(db, "Luca", "Bianchi", None, "CODE02"),
              person(db, "Sara", "Verdi", "+393472222222", "CODE03"),
              person(db, "Ahmed", "Ali", None, "CODE04")]
    seat(db, workshop_id, people[0], "registered")
    seat(db, workshop_id, people[1], "registered")
    seat(db, workshop_id, people[2], "waitlisted")
    seat(db, workshop_id, people[3], "waitlisted")

    _status, out, _err = run("workshops", "list")
    row = next(line for line in out.splitlines() if line.startswith(str(workshop_id)))
    assert "2/2" in row and "completa" in row and "Il curriculum" in row
    assert row.split()[row.split().index("2/2") + 1] == "2"  # two waiting

    _status, out, _err = run("workshops", "participants", str(workshop_id))
    assert "Iscritti 2/2, in lista d'attesa 2" in out
    lines = out.splitlines()
    assert next(line for line in lines if "Maria Rossi" in line).split()[1] == "iscritto"
    assert "in attesa n. 1" in next(line for line in lines if "Sara Verdi" in line)
    assert "in attesa n. 2" in next(line for line in lines if "Ahmed Ali" in line)
    assert "+393472222222" in out and "CODE04" in out


def test_workshops_list_hides_past_sessions_unless_asked(run):
    run("workshops", "add", "--title", "Passato", "--start", "2026-12-03 09:30", "--end", "12:30", "--place", "P")
    later = dt.datetime(2026, 12, 10, tzinfo=UTC)
    assert "Nessuna sessione di workshop in programma." in run("workshops", "list", now=later)[1]
    assert "Passato" in run("workshops", "list", "--all", now=later)[1]


# -- people -----------------------------------------------------------------------------

@pytest.mark.both_databases
def test_bookings_list_names_the_people(run, db):
    run(*PATTERN, "--days", "mar", "--start", "2026-12-01")
    book(db, slots(db)[2].id, first_name="Maria", last_name="Rossi", phone="+393471234567", code="ACD234")
    book(db, slots(db)[0].id, first_name="Luca", last_name="Bianchi", phone="+393479999999", code="XYZ777")
    status, out, _err = run("bookings", "list", "--from", "2026-12-01", "--days", "7")
    assert status == 0 and "Colloqui prenotati dal mar 1 dic 2026 al lun 7 dic 2026: 2" in out
    rows = [line for line in out.splitlines() if "Rossi" in line or "Bianchi" in line]
    assert "09:00" in rows[0] and "Luca Bianchi" in rows[0] and "XYZ777" in rows[0]  # earliest first
    assert "10:30" in rows[1] and "Maria Rossi" in rows[1] and "+393471234567" in rows[1] and "ACD234" in rows[1]
    assert "Nessun colloquio prenotato" in run("bookings", "list", "--from", "2026-12-08")[1]


def test_registrations_list_by_status(run, db):
    person(db, "Maria", "Rossi", "+393471234567", "ACD234")
    person(db, "Luca", "Bianchi", None, "XYZ777", status="contacted")
    _status, out, _err = run("registrations", "list", "--status", "new")
    assert "Registrazioni: 1" in out and "Maria Rossi" in out and "ACD234" in out and "Bianchi" not in out
    _status, out, _err = run("registrations", "list")
    assert "Registrazioni: 2" in out and "Luca Bianchi" in out
    assert "Nessuna registrazione con stato «archived»." in run("registrations", "list", "--status", "archived")[1]


# -- demo -------------------------------------------------------------------------------

def counts(db) -> dict[str, int]:
    with Session(db) as session:
        def count(model, *where):
            return session.execute(select(func.count()).select_from(model).where(*where)).scalar()
        return {"slots": count(InterviewSlot), "phone": count(InterviewSlot, InterviewSlot.mode == "phone"),
                "operators": session.execute(select(func.count(InterviewSlot.operator.distinct()))).scalar(),
                "workshops": count(WorkshopSession), "seats": count(WorkshopRegistration),
                "demo contacts": count(ChannelIdentity, ChannelIdentity.scheme == "demo")}


@pytest.mark.both_databases
def test_demo_loads_slots_and_the_workshop_cycle_once(run, db):
    status, out, _err = run("demo")
    assert status == 0
    first = counts(db)
    assert first["slots"] > 20 and first["phone"] >= 1 and first["operators"] == 2
    assert 3 <= first["workshops"] <= 4 and first["demo contacts"] >= 1
    assert "Come muoverti nel mondo del lavoro senza perdere la bussola" in out
    starts = utc_starts(db)
    assert min(starts) > NOW and max(starts) < NOW + dt.timedelta(weeks=3)
    with Session(db) as session:
        sessions = session.execute(select(WorkshopSession).order_by(WorkshopSession.starts_at)).scalars().all()
        assert all(aware(w.starts_at) > NOW for w in sessions)
        nearly_full = [w for w in sessions if w.capacity - w.registered == 1]
        assert len(nearly_full) == 1
        seats = session.execute(select(func.count()).select_from(WorkshopRegistration).where(
            WorkshopRegistration.session_id == nearly_full[0].id)).scalar()
        assert seats == nearly_full[0].registered  # the count matches the rows

    status, out, _err = run("demo")
    assert status == 0 and "Nulla di nuovo" in out
    assert counts(db) == first

    # A few days later the demo tops the next three weeks up, and still adds no second cycle.
    run("demo", now=NOW + dt.timedelta(days=2))
    assert counts(db)["workshops"] == first["workshops"]
    assert counts(db)["demo contacts"] == first["demo contacts"]


def test_demo_slots_can_be_booked_at_once(run, db):
    """What the chat offers right after the demo: free slots past the booking cut-off."""
    from services import bookings
    run("demo")
    with Session(db) as session:
        free = bookings.free_slots(session, now=NOW, cutoff=dt.timedelta(hours=2))
    assert len(free) == counts(db)["slots"]


# -- the real command -------------------------------------------------------------------

def test_python_m_bot_runs_the_operator_commands(db_url):
    env = {**os.environ, "DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": ""}

    def bot(*argv):
        return subprocess.run([sys.executable, "-m", "bot", *argv], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)

    assert "slots" in bot("--help").stdout
    done = bot("demo")
    assert done.returncode == 0 and "Come muoverti nel mondo del lavoro" in done.stdout
    listed = bot("workshops", "list")
    assert listed.returncode == 0 and "/12" in listed.stdout
    refused = bot("workshops", "add", "--title", "T", "--start", "2026-02-30 09:00", "--end", "10:00",
                  "--place", "P")
    assert refused.returncode == 2
    assert "errore: parametro --start: data e ora non valide" in refused.stderr
    assert "Traceback" not in refused.stderr


# -- helpers ----------------------------------------------------------------------------

def person(db, first_name: str, last_name: str, phone: str | None, code: str, *, status: str = "new",
           language: str = "it") -> int:
    """A registered person reachable on Telegram; returns the contact id."""
    with Session(db) as session, session.begin():
        contact = Contact(language=language)
        session.add(contact)
        session.flush()
        session.add(ChannelIdentity(contact_id=contact.id, scheme="telegram", external_id=f"tg-{code}"))
        session.add(Registration(contact_id=contact.id, code=code, first_name=first_name, last_name=last_name,
                                 phone=phone, status=status, language=language))
        return contact.id


def book(db, slot_id: int, *, first_name: str, last_name: str, phone: str, code: str) -> tuple[int, int]:
    contact_id = person(db, first_name, last_name, phone, code)
    with Session(db) as session, session.begin():
        slot = session.get(InterviewSlot, slot_id)
        slot.booked += 1
        booking = InterviewBooking(slot_id=slot_id, contact_id=contact_id)
        session.add(booking)
        session.flush()
        return booking.id, contact_id


def seat(db, workshop_id: int, contact_id: int, status: str) -> None:
    with Session(db) as session, session.begin():
        session.add(WorkshopRegistration(session_id=workshop_id, contact_id=contact_id, status=status))
        if status == "registered":
            session.get(WorkshopSession, workshop_id).registered += 1


def test_times_read_from_sqlite_are_utc_whatever_the_machine_clock(monkeypatch):
    """SQLite gives naive datetimes (UTC): an office PC set to Rome time must not shift them."""
    import time

    from bot import cli_text

    monkeypatch.setenv("TZ", "Europe/Rome")
    time.tzset()
    try:
        naive_utc = dt.datetime(2026, 12, 1, 8, 0)  # 09:00 in Rome
        assert cli_text.hour(naive_utc) == "09:00"
        assert cli_text.when(naive_utc).endswith("09:00")
        assert cli_text.day(dt.datetime(2026, 12, 1, 23, 30)) == cli_text.day(dt.date(2026, 12, 2))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
