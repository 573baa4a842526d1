"""The import of old records (services.importer, services.import_csv) on the real database: what the sample
file creates (the same rows the bot and the office write, counted alike by services.figures), a second
import adds nothing, both separators and encodings, every problem a row can have, people matched
by codice fiscale or phone (also those registered through the chat)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from codicefiscale import codicefiscale
from sqlalchemy import func, select
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import figures, import_csv, import_plan, importer
from services.import_csv import FileError
from store.models import Contact, InterviewBooking, InterviewSlot, Registration, aware
from store.models import ProgrammeEvent
from tests.conftest import NOW, Chat
from tests.registration_helpers import TAX_CODE, reach

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "import-esempio.csv"
HEADER = list(import_csv.COLUMNS)
GIULIA = "SPSGLI88D52A944F"  # Giulia Esposito, born in Bologna on 12/04/1988 (in the sample)
ANNA = codicefiscale.encode(lastname="Verdi", firstname="Anna", gender="F", birthdate="01/06/1985",
                            birthplace="Bologna")


def csv_of(*rows: dict, separator: str = ";") -> bytes:
    lines = [separator.join(HEADER)]
    lines += [separator.join(row.get(column, "") for column in HEADER) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def person(**fields) -> dict:
    return {"tipo": "persona", "codice_fiscale": ANNA, "cognome": "Verdi", "nome": "Anna",
            "data_nascita": "01/06/1985", "comune": "Bologna", "telefono": "348 111 2233", "data": "10/01/2026",
            **fields}


def run(db, data: bytes, now: dt.datetime = NOW) -> importer.Report:
    with Session(db) as session:
        report = importer.run(session, data, now=now, created_by="otto")
        session.commit()
        return report


def preview(db, data: bytes) -> importer.Report:
    with Session(db) as session:
        return importer.preview(session, data, now=NOW)


def count(db, model) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(model))


def problems(report: importer.Report) -> list[tuple[int, list[str]]]:
    return [(row.line, [p.code for p in row.problems]) for row in report.rows if row.problems]


@pytest.mark.both_databases
def test_the_sample_creates_people_interviews_and_steps_that_count_like_the_bots(db):
    report = run(db, SAMPLE.read_bytes())
    assert report.counts() == {"create": 12, "present": 0, "refused": 0}
    assert report.separator == ";"
    with Session(db) as session:
        giulia = session.scalar(select(Registration).where(Registration.tax_code == GIULIA))
        assert (giulia.first_name, giulia.last_name, giulia.status, giulia.municipality) == \
            ("Giulia", "Esposito", "placed", "Bologna")
        assert giulia.phone == "+393471234501" and giulia.email == "giulia.esposito@example.com"
        assert giulia.birth_date == dt.date(1988, 4, 12) and len(giulia.code) == 7 and giulia.code[3] == "-"
        assert aware(giulia.created_at).astimezone(TIMEZONE).date() == dt.date(2026, 1, 15)
        assert session.get(Contact, giulia.contact_id) is not None
        statuses = {r.last_name: r.status for r in session.scalars(select(Registration))}
        assert statuses == {"Esposito": "placed", "Koné": "placed", "Ferri": "closed"}
        bookings = session.execute(select(InterviewBooking, InterviewSlot).join(
            InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id).where(
            InterviewBooking.contact_id == giulia.contact_id)).one()
        booking, slot = bookings
        assert booking.status == "attended" and booking.outcome_note == "Interessata alla logistica"
        assert aware(slot.starts_at).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M") == "22/01/2026 10:30"
        assert slot.operator == "Anna Bianchi" and slot.booked == 1 and slot.capacity == 1
        steps = session.execute(select(ProgrammeEvent.kind, ProgrammeEvent.day, ProgrammeEvent.source,
                                       ProgrammeEvent.contract_type)
                                .where(ProgrammeEvent.contact_id == giulia.contact_id)
                                .order_by(ProgrammeEvent.day)).all()
        assert [tuple(s) for s in steps] == [
            ("interviewed", dt.date(2026, 1, 22), "import", None), ("selection", dt.date(2026, 2, 5), "import", None),
            ("placement", dt.date(2026, 3, 2), "import", "permanent")]
        h1 = figures.figures(session, now=NOW, semester=figures.Semester(2026, 1))
    assert (h1.registered, h1.interviewed, h1.selections, h1.placed, h1.permanent) == (3, 3, 2, 2, 1)
    assert (h1.interviews_attended, h1.interviews_no_show) == (3, 1) and h1.permanent_share == 0.5


@pytest.mark.both_databases
def test_importing_the_same_file_again_creates_nothing(db):
    run(db, SAMPLE.read_bytes())
    counts = [count(db, model) for model in (Contact, Registration, InterviewSlot, InterviewBooking, ProgrammeEvent)]
    again = run(db, SAMPLE.read_bytes())
    assert again.counts() == {"create": 0, "present": 12, "refused": 0}
    assert [count(db, m) for m in (Contact, Registration, InterviewSlot, InterviewBooking, ProgrammeEvent)] == counts
    assert {row.remark.code for row in again.rows if row.remark} == {"in_database"}


def test_preview_writes_nothing(db):
    report = preview(db, SAMPLE.read_bytes())
    assert report.counts()["create"] == 12
    assert count(db, Registration) == 0 and count(db, InterviewSlot) == 0 and count(db, ProgrammeEvent) == 0


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: text.replace(";", ",").encode("utf-8"), id="comma"),
    pytest.param(lambda text: text.encode("utf-8-sig"), id="bom"),
    pytest.param(lambda text: text.replace("\n", "\r\n").encode("cp1252"), id="excel-cp1252-crlf"),
])
def test_both_separators_and_the_encodings_spreadsheets_write(db, encode):
    report = run(db, encode(SAMPLE.read_text("utf-8")))
    assert report.counts() == {"create": 12, "present": 0, "refused": 0}
    with Session(db) as session:
        assert session.scalar(select(Registration.last_name).where(Registration.first_name == "Amadou")) == "Koné"


def test_headers_are_forgiving_and_unknown_columns_are_named(db):
    data = ("Tipo;Codice Fiscale;Cellulare;Cognome;Nome;Comune;Data;Colore preferito\n"
            f"Persona;{ANNA};348 111 2233;Verdi;Anna;bologna;10/01/2026;blu\n").encode()
    report = run(db, data)
    assert report.counts()["create"] == 1 and report.ignored_columns == ["Colore preferito"]


@pytest.mark.parametrize("text, day", [("05/03/2026", dt.date(2026, 3, 5)), ("5/3/2026", dt.date(2026, 3, 5)),
                                       ("05-03-2026", dt.date(2026, 3, 5)), ("05.03.2026", dt.date(2026, 3, 5)),
                                       ("2026-03-05", dt.date(2026, 3, 5))])
def test_dates_are_read_in_the_italian_way_and_iso(db, text, day):
    report = preview(db, csv_of(person(data=text)))
    assert report.rows[0].problems == [] and report.rows[0].data["day"] == day


@pytest.mark.parametrize("row, code", [
    ({"tipo": "riunione"}, "kind"),
    (person(codice_fiscale="", telefono=""), "no_person_key"),
    (person(codice_fiscale="RSSMRA90C05A944X"), "tax_code"),
    (person(data_nascita="02/06/1985"), "tax_code_birth"),
    (person(telefono="12345"), "phone"),
    (person(email="anna@"), "email"),
    (person(nome="Anna3"), "name"),
    (person(cognome=""), "missing"),
    (person(data=""), "missing"),
    (person(data="5/3/26"), "date_format"),
    (person(data="ieri"), "date_format"),
    (person(data="31/02/2026"), "date_impossible"),
    (person(data="26/11/2026"), "date_future"),
    (person(data="31/12/1999"), "date_old"),
    (person(codice_fiscale="", data_nascita="01/06/2015"), "birth_age"),
    (person(comune="Bolgona"), "comune_suggest"),
    (person(comune="Modena"), "comune_outside"),
    (person(comune="Xyzzyville"), "comune_unknown"),
    (person(comune=""), "missing"),
    (person(nota="n" * 2001), "too_long"),
    ({"tipo": "colloquio", "codice_fiscale": ANNA, "data": "10/02/2026", "esito": "forse"}, "outcome"),
    ({"tipo": "colloquio", "codice_fiscale": ANNA, "data": "10/02/2026"}, "missing"),
    ({"tipo": "colloquio", "codice_fiscale": ANNA, "data": "10/02/2026", "esito": "presente", "ora": "25:00"}, "time"),
    ({"tipo": "selezione", "codice_fiscale": ANNA, "data": "10/02/2026"}, "missing"),
    ({"tipo": "assunzione", "codice_fiscale": ANNA, "data": "10/02/2026", "azienda": "Hera", "contratto": "eterno"},
     "contract"),
    ({"tipo": "assunzione", "codice_fiscale": ANNA, "data": "10/02/2028", "azienda": "Hera",
      "contratto": "indeterminato"}, "date_future"),
    ({"tipo": "chiusura", "codice_fiscale": ANNA, "data": "10/02/2026", "motivo": "noia"}, "reason"),
    ({"tipo": "colloquio", "codice_fiscale": ANNA, "data": "10/02/2026", "esito": "presente"}, "unknown_person"),
])
def test_every_problem_of_a_row_is_named(db, row, code):
    report = run(db, csv_of(row))
    assert problems(report) == [(2, [code])]
    assert report.counts() == {"create": 0, "present": 0, "refused": 1}
    assert count(db, Registration) == 0 and count(db, InterviewSlot) == 0


def test_every_problem_has_a_message_in_the_back_office():
    from backoffice.views.import_pages import FILE_ERRORS, PROBLEMS

    source = "".join(Path(module.__file__).read_text() for module in (import_csv, import_plan, importer))
    import re
    codes = set(re.findall(r'refuse\("(\w+)"', source)) | set(re.findall(r'_word\(row, "\w+", \w+, "(\w+)"\)', source))
    codes |= set(re.findall(r'Problem\("(\w+)"', source))
    codes |= {"date_format", "date_impossible", "date_future", "date_old"}
    assert codes <= set(PROBLEMS), codes - set(PROBLEMS)
    assert set(re.findall(r'FileError\("(\w+)"', source)) <= set(FILE_ERRORS)


def test_a_placement_may_start_within_a_year(db):
    rows = [person(), {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "12/01/2026", "esito": "presente"},
            {"tipo": "assunzione", "codice_fiscale": ANNA, "data": "01/01/2027", "azienda": "Hera",
             "contratto": "tempo determinato"}]
    report = run(db, csv_of(*rows))
    assert report.counts() == {"create": 3, "present": 0, "refused": 0}
    with Session(db) as session:
        assert session.scalar(select(ProgrammeEvent.contract_type).where(ProgrammeEvent.kind == "placement")) == \
            "fixed_term"


def test_an_interview_later_today_is_in_the_future(db):
    rows = [person(), {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "25/11/2026", "ora": "15:00",
                       "esito": "presente"},
            {"tipo": "colloquio", "telefono": "348 111 2233", "data": "25/11/2026", "ora": "9.30", "esito": "assente"}]
    report = run(db, csv_of(*rows))  # NOW is 11:00 in Rome
    assert problems(report) == [(3, ["date_future"])]
    assert [r.outcome for r in report.rows] == ["create", "refused", "create"]


def test_steps_are_checked_in_the_order_of_their_days_not_of_the_file(db):
    rows = [{"tipo": "assunzione", "codice_fiscale": ANNA, "data": "01/04/2026", "azienda": "Hera",
             "contratto": "apprendistato"},
            {"tipo": "selezione", "codice_fiscale": ANNA, "data": "01/03/2026", "azienda": "Hera"},
            {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "01/02/2026", "esito": "presente"},
            person()]
    report = run(db, csv_of(*rows))
    assert report.counts() == {"create": 4, "present": 0, "refused": 0}
    with Session(db) as session:
        assert session.scalar(select(Registration.status)) == "placed"


def test_a_step_that_does_not_follow_is_refused_with_the_stage(db):
    rows = [person(),
            {"tipo": "selezione", "codice_fiscale": ANNA, "data": "01/03/2026", "azienda": "Hera"},
            {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "01/02/2026", "esito": "assente"},
            {"tipo": "chiusura", "codice_fiscale": ANNA, "data": "01/04/2026", "motivo": "irreperibile"},
            {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "01/05/2026", "esito": "presente"}]
    report = run(db, csv_of(*rows))
    [selection] = report.refused
    assert selection.line == 3 and selection.problems[0].code == "stage"
    assert selection.problems[0].params == {"stage": "registered"}  # the interview was a no-show
    with Session(db) as session:
        registration = session.scalar(select(Registration))
        assert registration.status == "closed"  # an interview after the closure is kept, not a step
        assert [b for b in session.scalars(select(InterviewBooking.status).order_by(InterviewBooking.id))] == \
            ["no_show", "attended"]
        assert session.scalars(select(ProgrammeEvent.kind)).all() == ["closed"]


@pytest.mark.both_databases
def test_people_are_matched_by_codice_fiscale_or_phone_among_those_registered_through_the_chat(db, service):
    reach(Chat(service, "maria"))  # Maria Rossi: TAX_CODE, +39 347 123 4567, status "new"
    rows = [person(codice_fiscale=TAX_CODE, cognome="Rossi", nome="Maria", data_nascita="05/03/1990",
                   telefono=""),
            {"tipo": "colloquio", "telefono": "3471234567", "data": "01/02/2026", "esito": "presente"},
            {"tipo": "selezione", "codice_fiscale": TAX_CODE, "data": "01/03/2026", "azienda": "Coop"}]
    report = run(db, csv_of(*rows))
    assert report.counts() == {"create": 2, "present": 1, "refused": 0}
    assert report.rows[0].remark.code == "in_database"
    with Session(db) as session:
        [maria] = session.scalars(select(Registration)).all()
        assert maria.status == "in_selection" and maria.first_name == "Maria"
        assert session.scalar(select(func.count()).select_from(Contact)) == 1


def test_a_phone_of_someone_else_a_person_twice_and_a_refused_person(db, service):
    reach(Chat(service, "maria"))
    rows = [person(telefono="+39 347 123 4567"),  # Maria's phone, with Anna's codice fiscale
            person(codice_fiscale="", telefono="348 555 0000", comune="Bolgona"),
            {"tipo": "colloquio", "telefono": "348 555 0000", "data": "01/02/2026", "esito": "presente"},
            person(codice_fiscale="", telefono="349 000 1111"),
            person(codice_fiscale="", telefono="349 000 1111", data="11/01/2026")]
    report = run(db, csv_of(*rows))
    assert [(r.line, r.outcome) for r in report.rows] == [(2, "refused"), (3, "refused"), (4, "refused"),
                                                          (5, "create"), (6, "present")]
    assert report.rows[0].problems[0].code == "phone_taken"
    assert report.rows[2].problems[0].code == "person_refused" and report.rows[2].problems[0].params == {"line": 3}
    assert report.rows[4].remark.code == "twice" and report.rows[4].remark.params == {"line": 5}
    assert count(db, Registration) == 2


def test_an_interview_booked_through_the_chat_on_that_day_waits_for_the_agenda(db, service):
    reach(Chat(service, "maria"))
    with Session(db) as session:
        contact_id = session.scalar(select(Registration.contact_id))
        slot = InterviewSlot(starts_at=dt.datetime(2026, 2, 1, 9, tzinfo=dt.timezone.utc), operator="Anna", booked=1)
        session.add(slot)
        session.flush()
        session.add(InterviewBooking(slot_id=slot.id, contact_id=contact_id, status="past"))
        session.commit()
    report = run(db, csv_of({"tipo": "colloquio", "codice_fiscale": TAX_CODE, "data": "01/02/2026",
                             "esito": "presente"}))
    assert problems(report) == [(2, ["interview_pending"])]


def test_a_step_already_recorded_by_the_office_is_present(db):
    run(db, csv_of(person(), {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "01/02/2026", "esito": "presente"}))
    with Session(db) as session:
        from services import programme

        registration = session.scalar(select(Registration))
        programme.record(session, registration=registration, kind="selection", on=dt.date(2026, 3, 1),
                         today=NOW.date(), company="Coop Alleanza 3.0", created_by="otto")
        session.commit()
    report = run(db, csv_of({"tipo": "selezione", "codice_fiscale": ANNA, "data": "01/03/2026",
                             "azienda": " coop  alleanza 3.0 "}))
    assert report.counts() == {"create": 0, "present": 1, "refused": 0}
    assert count(db, ProgrammeEvent) == 2


def test_files_that_cannot_be_read(monkeypatch):
    today = NOW.date()
    for data, code in ((b"PK\x03\x04rest", "excel"), (b"\xd0\xcf\x11\xe0rest", "excel"),
                       (b"tipo;nota\n\x00\x01\x02", "not_csv"), (b"%PDF-1.7\ntipo;nota", "not_csv"), (b"nome;cognome\nAnna;Verdi\n", "no_kind_column"),
                       (b"", "no_kind_column"), (b"x" * (import_csv.MAX_BYTES + 1), "too_large")):
        with pytest.raises(FileError) as raised:
            import_csv.read(data, today=today)
        assert raised.value.code == code, data[:10]
    monkeypatch.setattr(import_csv, "MAX_ROWS", 2)
    assert len(import_csv.read(b"tipo\npersona\n\n;\npersona\n", today=today).rows) == 2  # blank lines skipped
    with pytest.raises(FileError) as raised:
        import_csv.read(b"tipo\npersona\npersona\npersona\n", today=today)
    assert raised.value.code == "too_many_rows" and raised.value.params == {"limit": 2}


@pytest.mark.both_databases
def test_many_people_get_distinct_codes(db):
    rows = [person(codice_fiscale="", telefono=f"348 {n:07d}", cognome="Verdi", data="10/01/2026")
            for n in range(1, 301)]
    report = run(db, csv_of(*rows))
    assert report.counts()["create"] == 300
    with Session(db) as session:
        assert session.scalar(select(func.count(func.distinct(Registration.code)))) == 300


def test_an_imported_interview_is_the_agendas_own(db):
    """The agenda changing the outcome of an imported interview finds the step it recorded."""
    from services import programme

    run(db, csv_of(person(), {"tipo": "colloquio", "codice_fiscale": ANNA, "data": "01/02/2026", "esito": "presente"}))
    with Session(db) as session:
        booking = session.scalar(select(InterviewBooking))
        [step] = session.scalars(select(ProgrammeEvent)).all()
        assert (step.kind, step.source, step.source_key) == ("interviewed", "import", f"interview_booking:{booking.id}")
        again = programme.interview_outcome(session, booking=booking, today=NOW.date(), timezone=TIMEZONE)
        assert again.id == step.id
        booking.status = "no_show"
        assert programme.interview_outcome(session, booking=booking, today=NOW.date(), timezone=TIMEZONE) is None
        assert session.scalar(select(Registration.status)) == "registered"
        assert session.scalars(select(ProgrammeEvent)).all() == []


def test_a_shared_phone_does_not_make_two_codes_one_person(db):
    luca = codicefiscale.encode(lastname="Verdi", firstname="Luca", gender="M", birthdate="02/02/1980",
                                birthplace="Bologna")
    rows = [person(),  # Anna, 348 111 2233
            person(codice_fiscale=luca, nome="Luca", data_nascita="02/02/1980"),  # the same phone
            person(codice_fiscale="", telefono="348 111 2233", data="11/01/2026"),  # no code: Anna's phone
            {"tipo": "colloquio", "codice_fiscale": luca, "telefono": "348 111 2233", "data": "01/02/2026",
             "esito": "presente"}]
    report = run(db, csv_of(*rows))
    assert [(r.line, r.outcome) for r in report.rows] == [(2, "create"), (3, "refused"), (4, "present"),
                                                          (5, "refused")]
    assert report.rows[1].problems[0].code == "phone_in_file" and report.rows[1].problems[0].params == {"line": 2}
    assert report.rows[2].remark.code == "twice"
    assert report.rows[3].problems[0].code == "person_refused"  # Luca's row, not Anna's interview
    assert count(db, InterviewBooking) == 0
