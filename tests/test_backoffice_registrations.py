"""Registrations in the back office: the queue in Italian, search and filters, the answers,
edits with their audit (before and after), and "mark reviewed"."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy.orm import Session

from conversations.i18n import TIMEZONE
from store.models import Contact
from tests.conftest import NOW
from tests.office_support import (audit_rows, client, csrf, fast_hashes, logged_in, office,  # noqa: F401
                                  office_accounts, programme, registration)
from tests.registration_helpers import ANSWERS, TAX_CODE


def codes_in(page: str, codes) -> set[str]:
    """Which of these registration codes a list page shows (each in a cell of its own)."""
    return {code for code in codes if re.search(rf">\s*{re.escape(code)}\s*<", page)}


def edit_form(reg, **changes) -> dict:
    data = {"first_name": reg.first_name, "last_name": reg.last_name, "birth_date": reg.birth_date.strftime("%d/%m/%Y"),
            "tax_code": reg.tax_code or "", "municipality": reg.municipality, "phone": reg.phone,
            "email": reg.email or "", "situation": reg.situation, "education": reg.education, "italian": reg.italian,
            "sectors": reg.sectors, "driving": reg.driving, "availability": reg.availability,
            "language": reg.language, "save": "Salva"}
    return {**data, **changes}


def test_the_queue_is_in_italian_with_italian_dates(client, programme, db):
    logged_in(client, "vera")
    page = client.get("/office/registration/list").text
    maria = registration(db, programme["maria"])
    assert "Iscrizioni" in page and "Nuova, da verificare" in page and "Iscritta (verificata)" in page
    assert NOW.astimezone().strftime("%d/%m/%Y") in page  # 25/11/2026, the day Maria registered
    assert maria.code in page and "Rossi" in page and "Bianchi" in page
    assert "<html lang=\"it\">" in page


def test_english_on_request(client, programme):
    logged_in(client, "vera")
    page = client.get("/office/registration/list?lang=en").text
    assert "Registrations" in page and "New, to review" in page and "<html lang=\"en\">" in page
    assert "Registrations" in client.get("/office/registration/list").text  # remembered in a cookie


def test_the_details_show_every_answer_with_its_label(client, programme):
    logged_in(client, "vera")
    page = html.unescape(client.get(f"/office/registration/details/{programme['maria']}").text)
    for shown in ("Maria", "Rossi", TAX_CODE, "Bologna", "+393471234567", "maria.rossi@example.com",
                  "05/03/1990", "Cerco lavoro", "Pulizie", "Lavoro d'ufficio", "Part time"):
        assert shown in page, shown


@pytest.mark.both_databases
def test_search_and_filters(client, programme, db):
    logged_in(client, "vera")
    maria, luca = registration(db, programme["maria"]).code, registration(db, programme["luca"]).code
    listed = lambda query: codes_in(client.get(f"/office/registration/list?{query}").text, (maria, luca))  # noqa: E731
    assert listed("") == {maria, luca}
    assert listed("search=bianchi") == {luca}
    assert listed(f"search={TAX_CODE}") == {maria}
    assert listed("status=new") == {maria}
    assert listed("status=registered") == {luca}
    assert listed("municipality=Imola") == {luca}
    assert listed("language=it") == {luca}  # Maria registered in English
    assert listed("sectors=cleaning") == {maria}
    assert listed("sectors=logistics") == {luca}
    assert listed("created_at=7d") == {maria}  # Luca registered 40 days ago
    assert listed("created_at=year") == {maria, luca}
    page = client.get("/office/registration/list").text
    assert "Tutti" in page and "Ultimi 7 giorni" in page and "Pulizie" in page


@pytest.mark.both_databases
def test_an_operator_edits_a_registration_and_the_audit_keeps_before_and_after(client, programme, db, office):
    logged_in(client, "otto")
    reg = registration(db, programme["maria"])
    form = client.get(f"/office/registration/edit/{reg.id}").text
    assert 'value="05/03/1990"' in form  # dates the Italian way in the form too
    token = csrf(client, f"/office/registration/edit/{reg.id}")
    office.clock.advance(minutes=5)
    response = client.post(f"/office/registration/edit/{reg.id}",
                           data={**edit_form(reg, municipality="Imola", phone="333 444 5555"), "csrf_token": token})
    assert response.status_code == 302, response.text[:500]
    changed = registration(db, reg.id)
    assert changed.municipality == "Imola" and changed.phone == "+393334445555"  # checked and normalised
    [entry] = audit_rows(db, table_name="registration")
    assert entry.operator_name == "otto" and entry.action == "update" and entry.row_id == str(reg.id)
    assert entry.before == {"municipality": "Bologna", "phone": ANSWERS["phone"]}
    assert entry.after == {"municipality": "Imola", "phone": "+393334445555"}
    assert entry.at.replace(tzinfo=None) == office.clock.now.replace(tzinfo=None)
    history = client.get(f"/office/registration/details/{reg.id}").text
    assert "Storico" in history and "otto" in history and "Comune: Imola" in history


def test_a_wrong_codice_fiscale_or_phone_is_refused_with_the_reason(client, programme, db):
    logged_in(client, "otto")
    reg = registration(db, programme["maria"])
    token = csrf(client, f"/office/registration/edit/{reg.id}")
    response = client.post(f"/office/registration/edit/{reg.id}",
                           data={**edit_form(reg, tax_code="RSSMRA90C05A944X"), "csrf_token": token})
    assert response.status_code == 400 and "codice fiscale" in response.text.lower()
    response = client.post(f"/office/registration/edit/{reg.id}",
                           data={**edit_form(reg, phone="12"), "csrf_token": token})
    assert response.status_code == 400
    response = client.post(f"/office/registration/edit/{reg.id}",
                           data={**edit_form(reg, first_name=""), "csrf_token": token})
    assert response.status_code == 400
    response = client.post(f"/office/registration/edit/{reg.id}",
                           data={**edit_form(reg, birth_date="31/02/1990"), "csrf_token": token})
    assert response.status_code == 400
    assert registration(db, reg.id).tax_code == TAX_CODE and registration(db, reg.id).first_name == "Maria"
    assert audit_rows(db, table_name="registration") == []


@pytest.mark.both_databases
def test_mark_reviewed_asks_first_then_moves_only_new_registrations(client, programme, db):
    logged_in(client, "otto")
    maria, luca = programme["maria"], programme["luca"]
    url = f"/office/registration/action/mark-reviewed?pks={maria},{luca}"
    page = client.get(url)
    assert page.status_code == 200 and "Rossi" in page.text and "Conferma" in page.text
    assert registration(db, maria).status == "new"  # asking changed nothing
    token = csrf(client, url)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].endswith("/office/registration/list")
    assert registration(db, maria).status == "registered" and registration(db, luca).status == "registered"
    [entry] = audit_rows(db, table_name="registration")
    assert entry.action == "mark_reviewed" and entry.row_id == str(maria)
    assert entry.before == {"status": "new"} and entry.after == {"status": "registered"}
    assert "Iscrizioni segnate come verificate: 1." in client.get("/office/registration/list").text


def test_mark_reviewed_without_a_token_changes_nothing(client, programme, db):
    logged_in(client, "otto")
    response = client.post(f"/office/registration/action/mark-reviewed?pks={programme['maria']}")
    assert response.status_code == 403
    assert registration(db, programme["maria"]).status == "new"


def test_the_home_page_counts_the_queue(client, programme):
    logged_in(client, "vera")
    page = client.get("/office/").text
    assert 'id="count-new">1<' in page and 'id="count-all">2<' in page and 'id="count-interviews">1<' in page


def test_the_other_lists_show_people_by_name(client, programme):
    logged_in(client, "vera")
    for identity in ("interview-booking", "workshop-registration"):
        page = client.get(f"/office/{identity}/list").text
        assert "Rossi Maria (" in page, identity
    assert "Avviso per Rossi" in client.get(f"/office/broadcast/details/{programme['broadcast']}").text
    slots = client.get("/office/interview-slot/list").text
    assert "27/11/2026 11:00" in slots and "In presenza" in slots  # 10:00 UTC is 11:00 in Bologna


def test_an_export_is_written_in_the_audit_log(client, programme, db):
    logged_in(client, "otto")
    response = client.get("/office/registration/export/csv")
    assert response.status_code == 200 and "Rossi" in response.text and "Bianchi" in response.text
    [entry] = audit_rows(db, action="export")
    assert entry.operator_name == "otto" and entry.table_name == "registration"
    assert entry.after == {"rows": 2, "format": "csv"}


def test_the_page_shows_the_booked_interview_and_workshop_seat_with_links_to_the_agenda(client, programme, db):
    logged_in(client, "vera")
    page = client.get(f"/office/registration/details/{programme['maria']}").text
    found = re.search(r'id="appointments".*?</table>', page, re.S)
    assert found, "no appointments card"
    card = html.unescape(found.group(0))
    day = (NOW + dt.timedelta(days=2)).astimezone(TIMEZONE)
    assert "Colloquio" in card and "Anna Bianchi" in card and "Prenotato" in card
    assert day.strftime("%d/%m/%Y %H:%M") in card
    assert f"/office/agenda?day={day.date().isoformat()}&span=day" in card
    assert "Incontro 1" in card and "Posto" in card
    assert f"/office/workshop-attendance?session={programme['workshop']}" in card


def test_a_person_with_no_booking_reads_so(client, programme):
    logged_in(client, "vera")
    page = client.get(f"/office/registration/details/{programme['luca']}").text
    assert "Nessun colloquio né laboratorio prenotato." in page


def test_the_language_is_the_one_the_person_chats_in_now_everywhere(client, programme, db):
    """Maria registered in English, then switched the chat to Italian (/language): the list's
    filter, her page and the broadcasts' count all read Contact.language."""
    with Session(db) as session:
        session.get(Contact, programme["contact"]).language = "it"
        session.commit()
    assert registration(db, programme["maria"]).language == "en"  # what she had when registering
    logged_in(client, "otto")
    maria, luca = registration(db, programme["maria"]).code, registration(db, programme["luca"]).code
    listed = lambda query: codes_in(client.get(f"/office/registration/list?{query}").text, (maria, luca))  # noqa: E731
    assert listed("language=it") == {maria, luca}
    assert listed("language=en") == set()
    page = client.get(f"/office/registration/details/{programme['maria']}").text
    assert re.search(r"Lingua</td>\s*<td>\s*Italiano\s*<", page), "the page shows the chat's language"
    counted = lambda language: client.post("/office/broadcasts/count", data={  # noqa: E731
        "language": language, "csrf_token": csrf(client, "/office/broadcasts/new")}).json()["count"]
    assert counted("en") == 0 and counted("it") >= 1
    exported = client.get("/office/registration/export/csv").content.decode("utf-8-sig")
    assert re.search(rf"{maria};[^\n]*;Italiano", exported)


def test_the_office_names_each_language_in_italian_and_in_itself(client, programme):
    """#14: an operator reads "Inglese (English)" (and "Arabo (العربية)"): a name they can say,
    and the one on the person's screen; the filter offers every registry language."""
    from conversations import languages

    logged_in(client, "otto")
    page = html.unescape(client.get("/office/registration/list").text)
    assert "Inglese (English)" in page and "Italiano (" not in page
    for code in languages.CODES:
        assert f'value="{code}"' in page or f"language={code}" in page, code
        language = languages.get(code)
        assert language.label_in("it") in page and language.native in page, code
