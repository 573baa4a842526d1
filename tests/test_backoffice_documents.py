"""The documents job seekers sent, in the back office (#15): listed on the registration's page;
downloaded only after login, by operators and admins (viewers see the list, the file is 403), as
an attachment with nosniff and the type found in its content; each download in the audit log;
erased with the person, file and all."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.app import create_app
from backoffice.settings import OfficeSettings
from conversations.messages import Kind
from services.documents import Documents
from store.models import PersonDocument
from tests import document_samples as samples
from tests.conftest import Chat
from tests.office_support import (TestClient, audit_rows, fast_hashes, logged_in, office_accounts,  # noqa: F401
                                  programme)

DOWNLOAD = "/office/documents/download"


@pytest.fixture
def documents(service, tmp_path) -> Documents:
    service.documents = Documents(tmp_path / "documents")
    return service.documents


@pytest.fixture
def sent(service, programme, documents) -> int:
    """Maria sends her CV (a PDF named like an executable: the name follows its content)."""
    chat = Chat(service, "maria")
    chat._send(kind=Kind.DOCUMENT, upload=documents.take(samples.PDF, "CV Maria.exe"))
    with Session(service.db_engine) as session:
        return session.scalar(select(PersonDocument.id))


@pytest.fixture
def http(db, office_accounts, documents):
    app = create_app(db, settings=OfficeSettings(secret_key="k" * 40, documents_dir=documents.root))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_registration_page_lists_the_documents_with_a_download_link(http, programme, sent):
    logged_in(http, "otto")
    page = http.get(f"/office/registration/details/{programme['maria']}").text
    card = page.split('id="documents"', 1)[1]
    assert "Documenti inviati" in page and "CV Maria.pdf" in card and "PDF" in card and "Chat web" not in card
    assert f'{DOWNLOAD}?id={sent}' in card
    other = http.get(f"/office/registration/details/{programme['luca']}").text
    assert "Nessun documento inviato dalla chat." in other


def test_an_operator_downloads_it_as_an_attachment_and_it_is_audited(http, programme, sent, db):
    logged_in(http, "otto")
    answer = http.get(f"{DOWNLOAD}?id={sent}")
    assert answer.status_code == 200 and answer.content == samples.PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == "attachment; filename*=utf-8''CV%20Maria.pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    [entry] = audit_rows(db, action="document_download")
    assert (entry.operator_name, entry.row_id, entry.after) == ("otto", str(programme["maria"]), {"document": "CV Maria.pdf"})


def test_nobody_downloads_without_login_and_viewers_get_403(http, programme, sent):
    anonymous = http.get(f"{DOWNLOAD}?id={sent}")
    assert anonymous.status_code in (302, 303) and "/office/login" in anonymous.headers["location"]
    assert samples.PDF not in anonymous.content
    logged_in(http, "vera")
    assert http.get(f"{DOWNLOAD}?id={sent}").status_code == 403
    page = http.get(f"/office/registration/details/{programme['maria']}").text
    assert "CV Maria.pdf" in page and DOWNLOAD not in page and "I documenti li scaricano gli operatori." in page


@pytest.mark.parametrize("query", ["id=99999", "id=abc", "id=", "id=1%2F..%2F..", ""])
def test_unknown_or_malformed_ids_are_404(http, sent, query):
    logged_in(http, "anna")
    assert http.get(f"{DOWNLOAD}?{query}").status_code == 404


def test_erase_my_data_removes_the_file_and_the_link(http, service, programme, sent, documents, db):
    chat = Chat(service, "maria")
    chat.say("/privacy")
    chat.press("Erase my data")
    chat.press("Yes, erase")
    assert [p for p in documents.root.rglob("*") if p.is_file()] == []
    logged_in(http, "otto")
    assert http.get(f"{DOWNLOAD}?id={sent}").status_code == 404
