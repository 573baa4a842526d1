"""The import page over HTTP: upload, preview (nothing written), confirm (one audited
transaction), the same file again (nothing new); files that are not CSV, too large, without the
"tipo" column; who may import (viewers 403), CSRF."""
from __future__ import annotations

import html
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import import_csv
from store.models import InterviewBooking, Registration
from store.models import ProgrammeEvent
from tests.office_support import (audit_rows, client, csrf, fast_hashes, logged_in, office,  # noqa: F401
                                  office_accounts)

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "import-esempio.csv"
PAGES = ("/office/import", "/office/import/sample")
ACTIONS = ("/office/import/preview", "/office/import/confirm")


def count(db, model) -> int:
    with Session(db) as session:
        return session.scalar(select(func.count()).select_from(model))


def upload(http, content: bytes, name: str = "storico.csv"):
    token = csrf(http, "/office/import")
    return http.post("/office/import/preview", data={"csrf_token": token},
                     files={"file": (name, content, "text/csv")})


def confirm(http, preview_html: str):
    payload = preview_html.split('name="payload" value="')[1].split('"')[0]
    name = preview_html.split('name="name" value="')[1].split('"')[0]
    token = csrf(http, "/office/import")
    return http.post("/office/import/confirm", data={"csrf_token": token, "payload": payload, "name": name})


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    token = csrf(client)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login")
    for path in ACTIONS:
        response = client.post(path, data={"csrf_token": token}, files={"file": ("a.csv", SAMPLE.read_bytes())})
        assert response.status_code == 302 and response.headers["location"].endswith("/office/login")
    assert count(db, Registration) == 0


def test_a_viewer_may_not_import(client, db):
    logged_in(client, "vera")
    assert "/office/import" not in client.get("/office/").text  # not in the menu
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf(client, "/office/")
    for path in ACTIONS:
        response = client.post(path, data={"csrf_token": token}, files={"file": ("a.csv", SAMPLE.read_bytes())})
        assert response.status_code == 403, path
    assert count(db, Registration) == 0


def test_a_post_without_the_csrf_token_is_refused(client, db):
    logged_in(client, "otto")
    for path in ACTIONS:
        response = client.post(path, files={"file": ("a.csv", SAMPLE.read_bytes())})
        assert response.status_code == 403 and "Richiesta rifiutata" in response.text, path
    assert count(db, Registration) == 0


def test_the_page_explains_the_format_and_offers_the_sample(client):
    logged_in(client, "otto")
    page = client.get("/office/import")
    assert page.status_code == 200
    assert "Importa dati da un file CSV" in page.text and "persona, colloquio, selezione" in page.text
    sample = client.get("/office/import/sample")
    assert sample.status_code == 200 and sample.content == SAMPLE.read_bytes()
    assert "import-esempio.csv" in sample.headers["content-disposition"]


def test_preview_writes_nothing_then_confirm_writes_with_audit_and_again_adds_nothing(client, db):
    logged_in(client, "otto")
    preview = upload(client, SAMPLE.read_bytes(), "import-esempio.csv")
    assert preview.status_code == 200, preview.text[:500]
    assert "Anteprima di import-esempio.csv" in preview.text
    assert "Da creare: 12; già presenti: 0; scartate: 0." in preview.text
    assert "Importa 12 righe" in preview.text
    assert count(db, Registration) == 0 and count(db, ProgrammeEvent) == 0 and audit_rows(db) == [
        e for e in audit_rows(db) if e.action == "login"]

    done = confirm(client, preview.text)
    assert done.status_code == 303 and done.headers["location"].endswith("/office/import")
    assert count(db, Registration) == 3 and count(db, InterviewBooking) == 4 and count(db, ProgrammeEvent) == 8
    assert "Importazione di import-esempio.csv completata: 12 create, 0 già presenti, 0 scartate." in \
        client.get(done.headers["location"]).text
    [summary] = audit_rows(db, action="import", table_name="")
    assert summary.operator_name == "otto" and summary.after == {"file": "import-esempio.csv", "create": 12,
                                                                 "present": 0, "refused": 0}
    created = audit_rows(db, table_name="registration", action="create")
    assert len(created) == 3 and {e.operator_name for e in created} == {"otto"}
    with Session(db) as session:
        events = session.scalars(select(ProgrammeEvent)).all()
        assert {e.created_by for e in events} == {"otto"} and {e.source for e in events} == {"import"}

    again = upload(client, SAMPLE.read_bytes(), "import-esempio.csv")
    assert "Da creare: 0; già presenti: 12; scartate: 0." in again.text
    assert "import-confirm" not in again.text and "Niente di nuovo da importare." in again.text
    assert "Già registrata (codice " in again.text
    replay = confirm(client, preview.text)  # the first preview's confirmation, posted again
    assert replay.status_code == 303
    assert count(db, Registration) == 3 and count(db, InterviewBooking) == 4 and count(db, ProgrammeEvent) == 8


def test_refused_rows_are_listed_with_the_reason_and_only_valid_rows_are_written(client, db):
    logged_in(client, "otto")
    content = (b"tipo,codice_fiscale,telefono,cognome,nome,comune,data,esito\n"
               b"persona,,347 123 4501,Verdi,Anna,Casalecchio,01/02/2026,\n"
               b"persona,,347 123 4502,Neri,Luca,Bolgona,01/02/2026,\n"
               b"persona,,347 123 4503,Bruni,Ada,Bologna,31/02/2026,\n"
               b"colloquio,,347 999 9999,,,,03/02/2026,presente\n")
    preview = upload(client, content)
    assert "Da creare: 1; già presenti: 0; scartate: 3." in preview.text
    refused = html.unescape(preview.text.split('id="refused-rows"')[1].split("</table>")[0])
    assert 'Comune sconosciuto "Bolgona": forse Bologna / Castel Guelfo di Bologna?' in refused
    assert "La data 31/02/2026 (data) non esiste." in refused
    assert "Questa persona non è né nel file né nel database" in refused
    assert confirm(client, preview.text).status_code == 303
    with Session(db) as session:
        assert [r.last_name for r in session.scalars(select(Registration))] == ["Verdi"]


@pytest.mark.parametrize("name, content, message", [
    ("storico.xlsx", b"PK\x03\x04 anything", "non un file CSV"),
    ("storico.csv", b"PK\x03\x04 an Excel file renamed", "non un file CSV"),
    ("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "Questo non è un file CSV"),
    ("storico.csv", b"nome;cognome\nAnna;Verdi\n", "Il file non ha la colonna"),
])
def test_files_that_cannot_be_read_get_a_clear_message(client, db, name, content, message):
    logged_in(client, "otto")
    response = upload(client, content, name)
    assert response.status_code == 400 and message in response.text.replace("&#39;", "'")
    assert count(db, Registration) == 0


def test_too_large_a_file_or_too_many_rows_is_refused(client, db, monkeypatch):
    logged_in(client, "otto")
    big = b"tipo;nota\n" + b"chiusura;" + b"x" * import_csv.MAX_BYTES + b"\n"
    response = upload(client, big)
    assert response.status_code == 400 and "Il file supera i 5 MB" in response.text
    monkeypatch.setattr(import_csv, "MAX_ROWS", 3)
    rows = b"tipo;nota\n" + b"chiusura;a\n" * 4
    response = upload(client, rows)
    assert response.status_code == 400 and "Il file ha più di 3 righe" in response.text


def test_no_file_and_a_damaged_confirmation_are_explained(client, db):
    logged_in(client, "otto")
    token = csrf(client, "/office/import")
    empty = client.post("/office/import/preview", data={"csrf_token": token},
                        files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 400 and "Scegli un file da caricare." in empty.text
    damaged = client.post("/office/import/confirm", data={"csrf_token": token, "payload": "not base64!", "name": "x"})
    assert damaged.status_code == 400 and "La pagina era danneggiata" in damaged.text
    assert count(db, Registration) == 0


def test_an_admin_imports_too_and_the_page_speaks_english_on_request(client, db):
    logged_in(client, "anna")
    client.cookies.set("office_language", "en", path="/office")
    preview = upload(client, SAMPLE.read_bytes())
    assert "Would be created: 12; already present: 0; refused: 0." in preview.text
    assert confirm(client, preview.text).status_code == 303
    assert count(db, Registration) == 3


def test_imported_interviews_are_in_the_agendas_history(client, db):
    logged_in(client, "otto")
    assert confirm(client, upload(client, SAMPLE.read_bytes()).text).status_code == 303
    day = client.get("/office/agenda?day=2026-01-22&span=day").text
    table = day.split('id="agenda-table"')[1].split("</table>")[0]
    assert "Esposito Giulia (" in table and "10:30" in table and "Anna Bianchi" in table
    assert '<span class="booking-status">Presente</span>' in table
    assert "Interessata alla logistica" in table
    missed = client.get("/office/agenda?day=2026-02-10&span=day").text
    assert "Koné Amadou (" in missed and '<span class="booking-status">Assente</span>' in missed
