"""The dashboard (/office/dashboard) and the CSV files: every role reads the programme's figures
(no personal data on the page), anonymous visitors are sent to the login; the semester report
and the lists' exports come as CSV that Italian Excel opens (UTF-8 with BOM, ``;``), with
Italian headers; only those allowed export, and text that a spreadsheet would run is defused."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy.orm import Session

from backoffice import spreadsheet
from store.models import Registration
from store.models import ProgrammeEvent
from tests.office_support import (logout, PERSONAL, client, fast_hashes, logged_in, office, office_accounts,  # noqa: F401
                                  programme)


@pytest.fixture
def path(db, programme) -> dict[str, int]:
    """Maria (registered today, 25/11/2026) was interviewed, selected and placed with a permanent
    contract this semester; Luca (registered 16/10/2026) has a fixed-term contract from the
    second half of 2025, and one more person registered then."""
    with Session(db) as session:
        luca = session.get(Registration, programme["luca"])
        maria = programme["contact"]
        session.add_all([
            ProgrammeEvent(contact_id=maria, kind="interviewed", day=dt.date(2026, 10, 1)),
            ProgrammeEvent(contact_id=maria, kind="selection", day=dt.date(2026, 10, 20), company="Hera"),
            ProgrammeEvent(contact_id=maria, kind="placement", day=dt.date(2026, 11, 2), company="Hera",
                           contract_type="permanent"),
            ProgrammeEvent(contact_id=luca.contact_id, kind="interviewed", day=dt.date(2025, 9, 1)),
            ProgrammeEvent(contact_id=luca.contact_id, kind="placement", day=dt.date(2025, 9, 15), company="Coop",
                           contract_type="fixed_term"),
        ])
        session.add(Registration(contact_id=luca.contact_id, code="OLD001", status="erased",
                                 created_at=dt.datetime(2025, 9, 1, 8, tzinfo=dt.timezone.utc),
                                 erased_at=dt.datetime(2025, 10, 1, tzinfo=dt.timezone.utc)))
        session.commit()
    return programme


def cell(page: str, figure: str, period: str = "semester") -> str:
    match = re.search(rf'data-figure="{figure}" data-period="{period}">([^<]*)<', page)
    assert match, (figure, period)
    return match.group(1)


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("who", ["vera", "otto", "anna"])
def test_every_role_reads_the_figures_and_no_personal_data(client, path, who):
    logged_in(client, who)
    response = client.get("/office/dashboard")
    assert response.status_code == 200
    page = response.text
    assert 'id="dashboard-title">2° semestre 2026<' in page
    assert [cell(page, f) for f in ("registered", "interviewed", "selections", "placed")] == ["2", "1", "1", "1"]
    assert cell(page, "permanent_share") == "100,0%" and cell(page, "permanent_share", "year-before") == "0,0%"
    assert cell(page, "permanent_share", "change") == "+100"
    assert cell(page, "registered", "year-before") == "1" and cell(page, "registered", "all-time") == "3"
    assert page.count("<svg") == 5 and "<script" not in page.split("<svg", 1)[1].split("</svg>")[0]
    assert not any(value in page for value in PERSONAL)


def test_the_menu_leads_to_the_dashboard(client, path):
    logged_in(client, "vera")
    assert "/office/dashboard" in client.get("/office/").text


def test_anonymous_visitors_are_sent_to_the_login(client, path):
    for url in ("/office/dashboard", "/office/dashboard?semester=2025-H2", "/office/dashboard/report.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login"), url


def test_the_semester_picker(client, path):
    logged_in(client, "vera")
    page = client.get("/office/dashboard?semester=2025-H2").text
    assert "2° semestre 2025" in page and 'value="2025-H2" selected' in page
    assert [cell(page, f) for f in ("registered", "interviewed", "placed", "permanent_share")] == [
        "1", "1", "1", "0,0%"]
    assert cell(page, "permanent_share", "change") == ""  # nothing a year before to compare with
    for wrong in ("2026-H3", "nonsense", "1999-H1"):
        assert 'id="dashboard-title">2° semestre 2026<' in client.get(f"/office/dashboard?semester={wrong}").text


def test_the_semester_report_as_csv(client, path):
    logged_in(client, "vera")
    response = client.get("/office/dashboard/report.csv?semester=2026-H2")
    assert response.status_code == 200 and "report_2026-H2.csv" in response.headers["content-disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Indicatore", "2° semestre 2026", "2° semestre 2025",
                       "Variazione (punti percentuali per le quote)", "Dall'inizio"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table["Nuove iscrizioni"] == ["2", "1", "1", "3"]
    assert table["Persone con colloquio"] == ["1", "1", "0", "2"]
    assert table["Inserimenti mediati (selezioni)"] == ["1", "0", "1", "1"]
    assert table["Persone inserite al lavoro"] == ["1", "1", "0", "2"]
    assert table["Quota di contratti a tempo indeterminato (%)"] == ["100,0", "0,0", "100", "50,0"]
    assert table["Riempimento dei laboratori (%)"] == ["", "", "", ""]  # no session held yet


def test_the_report_in_english(client, path):
    logged_in(client, "otto")
    client.cookies.set("office_language", "en", path="/office")
    rows = read_csv(client.get("/office/dashboard/report.csv?semester=2026-H2"))
    assert rows[0][:3] == ["Figure", "H2 2026", "H2 2025"]
    assert dict((row[0], row[1]) for row in rows[1:])["Share of permanent contracts (%)"] == "100.0"


def test_a_list_export_has_italian_headers_and_what_the_office_reads(client, path, db):
    with Session(db) as session:
        session.get(Registration, path["luca"]).first_name = "=HYPERLINK(\"http://x\")"
        session.commit()
    logged_in(client, "otto")
    rows = read_csv(client.get("/office/registration/export/csv"))
    header = rows[0]
    assert header[:4] == ["Codice", "Stato", "Iscritta il", "Lingua"]
    people = {row[header.index("Cognome")]: row for row in rows[1:]}
    assert people["Rossi"][header.index("Telefono")] == '="+393471234567"'  # text in Excel, "+" kept
    assert people["Bianchi"][header.index("Nome")] == "'=HYPERLINK(\"http://x\")"  # defused
    assert people["Bianchi"][header.index("Comune")] == "Imola"
    bookings = read_csv(client.get("/office/interview-booking/export/csv"))
    assert "Persona" in bookings[0] and any("Rossi Maria (" in value for value in bookings[1])


@pytest.mark.parametrize("identity", ["registration", "interview-slot", "interview-booking", "workshop-session",
                                      "workshop-registration", "broadcast"])
def test_every_data_list_exports_for_operators_but_not_for_viewers(client, path, identity):
    logged_in(client, "otto")
    listing = client.get(f"/office/{identity}/list").text
    assert f"/office/{identity}/export/csv" in listing
    rows = read_csv(client.get(f"/office/{identity}/export/csv"))
    assert len(rows) >= 2 and all(not re.fullmatch(r"[a-z_]+", title) for title in rows[0]), rows[0]
    logout(client)
    logged_in(client, "vera")
    assert client.get(f"/office/{identity}/export/csv").status_code == 403


def test_the_home_page_opens_with_this_semesters_path(client, path):
    logged_in(client, "vera")
    home = client.get("/office/").text
    assert "Il percorso in questo semestre" in home and "/office/dashboard" in home
    found = dict(re.findall(r'data-figure="(\w+)">(\d+)<', home))
    assert found == {"registered": "2", "interviewed": "1", "selected_people": "1", "placed": "1"}


def test_admins_export_the_accounts_and_the_audit_log_without_secrets(client, path):
    logged_in(client, "anna")
    accounts = read_csv(client.get("/office/office-operator/export/csv"))
    assert accounts[0][:4] == ["ID", "Nome utente", "Nome e cognome", "Ruolo"]
    assert {row[1] for row in accounts[1:]} == {"anna", "otto", "vera"}
    assert "argon2" not in str(accounts) and "Operatore" in str(accounts)
    audit = read_csv(client.get("/office/office-audit/export/csv"))
    assert audit[0][1:4] == ["Quando", "Chi", "Account"] and any(row[2] == "anna" for row in audit[1:])
    logout(client)
    logged_in(client, "otto")
    assert client.get("/office/office-operator/export/csv").status_code == 403


@pytest.mark.parametrize("value, written", [
    ("+393471234567", '="+393471234567"'),  # a phone: text in Excel, exactly as it is
    ("0516543210", '="0516543210"'),  # the leading zero kept
    ('+39"&HYPERLINK("http://x")', '\'+39"&HYPERLINK("http://x")'),  # not digits: defused as any cell
    ("=1+1", "'=1+1"),
    ("", ""),
])
def test_phones_are_written_as_text_and_nothing_else_escapes_the_defusing(value, written):
    assert spreadsheet.safe_cell(spreadsheet.Text(value)) == written
    assert spreadsheet.safe_cell("+393471234567") == "+393471234567"  # unmarked cells as before


def test_the_picker_offers_the_next_semester_and_one_with_a_contract_ahead(client, path, db):
    with Session(db) as session:
        session.add(ProgrammeEvent(contact_id=path["contact"], kind="placement", day=dt.date(2027, 3, 1),
                                   company="Coop", contract_type="permanent"))
        session.commit()
    logged_in(client, "vera")
    page = client.get("/office/dashboard").text
    assert 'value="2027-H1"' in page  # the next semester, where the contract starts
    ahead = client.get("/office/dashboard?semester=2027-H1").text
    assert 'value="2027-H1" selected' in ahead and cell(ahead, "placements") == "1"
