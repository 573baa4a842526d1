"""The web chat's paperclip (#15): a file POSTed to /chat/upload (multipart, with the page's token)
is checked and kept like on the other apps and answered like a message; a repeated POST is one
document; a renamed executable and a file too big (told by the page, or a body over the limit:
413 before it is read) are refused, nothing kept; no token, no upload."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.app import create_app
from backoffice.settings import OfficeSettings
from conversations.commands import build_engine
from services.conversation import ConversationService
from services.documents import Documents
from services.outbox import OutboxService
from store.models import PersonDocument
from tests import document_samples as samples
from tests.conftest import NOW
from tests.office_support import fast_hashes  # noqa: F401  (fixture)
from tests.test_webchat import Browser, TestClient

MB = 1024 * 1024


@pytest.fixture
def documents(tmp_path) -> Documents:
    return Documents(tmp_path / "documents", max_bytes=1 * MB)


@pytest.fixture
def browser(db, fast_hashes, documents):  # noqa: F811
    service = ConversationService(db, build_engine(), clock=lambda: NOW, documents=documents)
    app = create_app(db, clock=lambda: NOW, settings=OfficeSettings(secret_key="k" * 40), announce=lambda _m: None,
                     service=service, outbox=OutboxService(db, clock=lambda: NOW))
    with TestClient(app) as client:
        yield Browser(client)


def upload(browser, name: str, content: bytes, client_id: str = "f1", **extra):
    return browser.client.post("/chat/upload", files={"file": (name, content, "application/pdf")},
                               data={"client_id": client_id, **extra}, headers={"X-CSRF-Token": browser.token})


def stored(db) -> list[PersonDocument]:
    with Session(db) as session:
        return list(session.exec(select(PersonDocument)).all())


def kept_files(documents: Documents) -> list:
    return [p for p in documents.root.rglob("*") if p.is_file()] if documents.root.exists() else []


def test_the_page_offers_the_paperclip_with_the_limit(browser):
    page = browser.open().text
    assert 'id="attach"' in page and 'aria-label="Allega un file"' in page and f'data-max="{MB}"' in page


def test_a_file_from_the_paperclip_is_kept_and_answered_like_a_message(browser, db, documents):
    browser.say("ciao")
    browser.press("Italiano")
    browser.press("Sì, sono d'accordo")  # the privacy notice accepted: documents may be kept
    answer = upload(browser, "Curriculum.pdf", samples.PDF)
    assert answer.status_code == 200
    texts = [m["text"] for m in answer.json()["messages"]]
    assert "Grazie: ho ricevuto Curriculum.pdf." in texts[0]
    assert upload(browser, "Curriculum.pdf", samples.PDF).status_code == 200  # the same POST again
    [row] = stored(db)
    assert (row.channel, row.kind, row.filename) == ("web", "pdf", "Curriculum.pdf")
    assert documents.path(row.sha256).read_bytes() == samples.PDF


def test_a_renamed_executable_is_refused_politely(browser, db, documents):
    answer = upload(browser, "cv.pdf", samples.MZ)
    assert "Non posso accettare questo tipo di file" in answer.json()["messages"][0]["text"]
    assert stored(db) == [] and kept_files(documents) == []


def test_a_file_too_big_is_refused_whether_the_page_says_so_or_sends_it(browser, db, documents):
    told = browser.client.post("/chat/upload", data={"client_id": "f2", "size": str(50 * MB)},
                               headers={"X-CSRF-Token": browser.token})
    assert "troppo grande per me: al massimo 1 MB" in told.json()["messages"][0]["text"]
    just_over = upload(browser, "cv.pdf", samples.big(1) + b"x", client_id="f3")  # under the body limit, over the file's
    assert "troppo grande" in just_over.json()["messages"][0]["text"]
    assert upload(browser, "cv.pdf", samples.big(2), client_id="f4").status_code == 413  # not even read
    assert stored(db) == [] and kept_files(documents) == []


def test_no_upload_without_the_pages_token_or_with_nothing_in_it(browser, db):
    refused = browser.client.post("/chat/upload", files={"file": ("cv.pdf", samples.PDF, "application/pdf")})
    assert refused.status_code == 403
    empty = browser.client.post("/chat/upload", data={"client_id": "x"}, headers={"X-CSRF-Token": browser.token})
    assert empty.status_code == 400
    odd = browser.client.post("/chat/upload", content=b"not a form", headers={"X-CSRF-Token": browser.token,
                                                                              "Content-Type": "multipart/form-data"})
    assert odd.status_code == 400
    assert stored(db) == []
