"""The office speaks Italian everywhere an operator looks: the audit log (actions, tables, columns
and values by their labels, Rome's times, no Python dumps), the error pages (with a way back),
the password pop-up, the charts with no data."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy.orm import Session

from backoffice.views import audit_words
from store.models import OfficeAudit
from tests.conftest import NOW, ROOT
from tests.office_support import (client, csrf, fast_hashes, logged_in, office, office_accounts,  # noqa: F401
                                  programme)

RAW = ("interview_outcome", "queue_broadcast", "in_selection", "programme_step", "interview_booking",
       "2026-11-25T", "{'", "['", "None", "True")


def visible(page: str) -> str:
    """The text a person reads: no tags, no scripts, no attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def logged(db, programme):
    """What the pages write when an operator records an interview's outcome, moves a path on,
    queues a broadcast and edits someone's sectors."""
    at = NOW + dt.timedelta(minutes=5)  # 10:05 UTC, 11:05 in Rome
    with Session(db) as session:
        session.add_all([
            OfficeAudit(at=at, operator_name="otto", action="interview_outcome", table_name="interview_booking",
                        row_id=str(programme["booking"]), before={"status": "booked"},
                        after={"status": "attended", "updated_at": "2026-11-25T10:05:00+00:00"}),
            OfficeAudit(at=at, operator_name="otto", action="programme_step", table_name="registration",
                        row_id=str(programme["maria"]), before={"status": "interviewed"},
                        after={"status": "in_selection"}),
            OfficeAudit(at=at, operator_name="otto", action="programme_step", table_name="programme_event",
                        row_id="7", after={"kind": "selection", "day": "2026-11-24", "company": "Hera",
                                           "contract_type": None, "source": "office"}),
            OfficeAudit(at=at, operator_name="anna", action="queue_broadcast", table_name="broadcast",
                        row_id=str(programme["broadcast"]), after={"status": "queued", "queued": 3}),
            OfficeAudit(at=at, operator_name="otto", action="update", table_name="registration",
                        row_id=str(programme["maria"]), before={"sectors": ["cleaning"], "driving": "none"},
                        after={"sectors": ["cleaning", "logistics"], "driving": "b_car"}),
        ])
        session.commit()
    return programme


def test_the_audit_log_reads_in_italian_words_with_romes_times(client, logged):
    logged_in(client, "otto")
    page = visible(client.get("/office/office-audit/list").text)
    for raw in RAW:
        assert raw not in page, raw
    for shown in ("Esito del colloquio registrato", "Passo del percorso registrato", "Comunicazione messa in invio",
                  "Stato: Prenotato", "Stato: Presente", "Stato: In selezione", "Stato: In invio",
                  "Messaggi in coda: 3", "Colloquio", "Iscrizione",
                  "25/11/2026 11:05", "Giorno: 24/11/2026", "Azienda: Hera", "Contratto: —"):
        assert shown in page, shown


def test_a_registrations_history_shows_labels_and_values_by_their_names(client, logged):
    logged_in(client, "otto")
    page = visible(client.get(f"/office/registration/details/{logged['maria']}").text)
    history = page[page.index("Storico"):]
    assert "Stato: In selezione" in history
    assert re.search(r"Settori: Pulizie, \w", history), history[:600]
    for raw in RAW:
        assert raw not in history, raw


def test_every_action_the_office_writes_has_a_label():
    """The action names passed to the audit (audit.run, audit.record, the pages' _act/_run/_back)."""
    written = set()
    for path in [*(ROOT / "backoffice").rglob("*.py"), *(ROOT / "services" / "office").rglob("*.py")]:
        text = path.read_text("utf-8")
        written |= set(re.findall(r'action="([a-z_]+)"', text))
        written |= set(re.findall(r'(?:_act|_run|_back)\(request, (?:pk, )?"([a-z_]+)"', text))
        written |= set(re.findall(r'audit\.run\([^,]+, "([a-z_]+)"', text))
        written |= set(re.findall(r'slug="([a-z_]+)"', text))
    assert {"interview_outcome", "queue_broadcast", "workshop_save", "import", "merge"} <= written
    assert written - set(audit_words.ACTIONS) == set()


def test_a_refused_page_is_in_italian_with_a_way_back(client, programme):
    logged_in(client, "vera")
    for url, status, title in (("/office/import", 403, "Non puoi aprire questa pagina."),
                               ("/office/registration/edit/%d" % programme["maria"], 403,
                                "Non puoi aprire questa pagina."),
                               ("/office/nothing-here/list", 404, "Questa pagina non esiste.")):
        response = client.get(url)
        assert response.status_code == status, url
        page = visible(response.text)
        assert title in page and "Forbidden" not in page and "Not Found" not in page
        assert 'href="http://testserver/office/"' in response.text and "Torna al back office" in page


def test_the_password_pop_up_says_copia(client, db):
    logged_in(client, "anna")
    token = csrf(client, "/office/office-operator/create")
    response = client.post("/office/office-operator/create", data={
        "username": "paola", "full_name": "Paola Verdi", "role": "operator", "save": "Salva", "csrf_token": token})
    button = re.search(r'id="modal-secret-copy">(.*?)</button>', response.text, re.S)
    assert button and button.group(1).strip() == "Copia"


def test_charts_with_no_data_say_so_in_italian(client, office_accounts):
    logged_in(client, "vera")
    page = client.get("/office/dashboard").text
    assert "No data" not in page and "Nessun dato" in page  # no registration yet: empty charts
