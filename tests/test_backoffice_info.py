"""Programme information in the back office (HTTP, #15): operators and admins edit the texts per
language, viewers read and get 403 on every POST, a wrong input is refused in Italian with nothing
written, and every change is in the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import demo_info
from store.models import InfoText, OfficeAudit
from tests.conftest import NOW
from tests.office_support import client, csrf, fast_hashes, logged_in, office, office_accounts  # noqa: F401

PAGE = "/office/programme-info"


@pytest.fixture
def topics(db) -> None:
    with Session(db) as session, session.begin():
        demo_info.load(session, now=NOW)


def text(db, topic: str, language: str) -> InfoText | None:
    with Session(db) as session:
        return session.scalar(select(InfoText).where(InfoText.topic == topic, InfoText.language == language))


def save(http, **data):
    token = csrf(http, PAGE + "?topic=hours&language=en")
    return http.post(PAGE + "/save", data={"csrf_token": token, **data})


def test_an_operator_edits_the_english_hours(client, db, topics):
    logged_in(client, "otto")
    listing = client.get(PAGE).text
    assert "Informazioni sul programma" in listing and "Orari e telefono" in listing and "Documenti da portare" in listing
    page = client.get(PAGE + "?topic=hours&language=en").text
    assert "Opening hours, phone" in page and "Il testo italiano" in page and "Salva il testo" in page
    response = save(client, topic="hours", language="en", title="Opening hours", position="",
                    answer="Monday to Friday, 9:00-13:00.", keywords="hours\nwhen are you open\n\n")
    assert response.status_code == 303 and response.headers["location"].endswith("?topic=hours&language=en")
    saved = text(db, "hours", "en")
    assert (saved.title, saved.answer, saved.keywords, saved.updated_by) == (
        "Opening hours", "Monday to Friday, 9:00-13:00.", "hours\nwhen are you open", "otto")
    with Session(db) as session:
        logged = session.scalars(select(OfficeAudit).where(OfficeAudit.table_name == "info_text")).all()
    assert [(e.action, e.operator_name) for e in logged] == [("info_save", "otto")]
    assert logged[0].before["title"] == "Opening hours, phone" and logged[0].after["title"] == "Opening hours"
    assert "Informazioni sul programma salvate" in client.get("/office/office-audit/list").text
    entry = client.get(f"/office/office-audit/details/{logged[0].id}").text
    assert "Titolo" in entry and "Opening hours, phone" in entry and "Salvato da" in entry and "updated_by" not in entry


def test_a_new_topic_starts_in_italian_and_a_translation_can_be_removed(client, db):
    logged_in(client, "anna")
    response = save(client, new="1", topic="bonus", language="fr", title="Bonus", answer="...", keywords="")
    assert response.status_code == 400 and "scrivi prima il testo in italiano" in response.text
    assert save(client, new="1", topic="bonus", language="it", title="Contributi", answer="Nessun contributo.",
                keywords="soldi\ncontributo", position="90").status_code == 303
    assert save(client, new="1", topic="bonus", language="it", title="Altro", answer="x").status_code == 400
    assert save(client, topic="bonus", language="fr", title="Aides", answer="Aucune aide.").status_code == 303
    assert text(db, "bonus", "fr").position == 90
    response = save(client, topic="bonus", language="fr", title="", answer="")
    assert response.status_code == 303 and text(db, "bonus", "fr") is None
    assert text(db, "bonus", "it").title == "Contributi"


@pytest.mark.parametrize("change, message", [
    ({"answer": "  "}, "risposta: non può essere vuoto"),
    ({"title": ""}, "titolo: non può essere vuoto"),
    ({"title": "x" * 61}, "titolo: al massimo 60 caratteri"),
    ({"language": "xx"}, "lingua sconosciuta"),
    ({"position": "dieci"}, "posizione: un numero da 0 a 999"),
    ({"new": "1", "topic": "Orari!"}, "chiave dell&#39;argomento"),
])
def test_a_wrong_input_is_refused_in_italian_and_nothing_is_written(client, db, topics, change, message):
    logged_in(client, "otto")
    before = text(db, "hours", "it")
    response = save(client, **{"topic": "hours", "language": "it", "title": "Orari", "answer": "Sempre.",
                               "keywords": "orari", **change})
    assert response.status_code == 400 and message in response.text, response.text[-3000:]
    assert 'id="form-error"' in response.text
    after = text(db, "hours", "it")
    assert (after.title, after.answer, after.updated_at) == (before.title, before.answer, before.updated_at)


def test_a_viewer_reads_and_may_not_save(client, db, topics):
    logged_in(client, "vera")
    page = client.get(PAGE + "?topic=hours&language=it")
    assert page.status_code == 200 and "dalle 9:00 alle 13:00" in page.text and "Salva il testo" not in page.text
    response = save(client, topic="hours", language="it", title="Chiuso", answer="Chiuso.")
    assert response.status_code == 403
    assert text(db, "hours", "it").title == "Orari e telefono"


def test_nobody_logged_in_sees_nothing(client, topics):
    response = client.get(PAGE)
    assert response.status_code in (302, 303) and "/office/login" in response.headers["location"]
