"""Documents from job seekers (#15), through the engine and the service on a real database: "Send my
CV" asks for a file, text gets a polite re-ask, /cancel leaves; a file sent any other time is kept
and the question under way asked again; too big or not a kind we take is refused politely with
nothing stored; "see my data" lists them; "erase my data" removes rows and files; the checks read
the content, never the name."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from conversations.messages import Kind
from services import document_types
from services.documents import Documents, safe_name
from store.models import PersonDocument
from tests import document_samples as samples
from tests.registration_helpers import reach, step_of

pytestmark = pytest.mark.both_databases  # the tests with a database run on SQLite and on PostgreSQL


@pytest.fixture
def documents(service, tmp_path) -> Documents:
    service.documents = Documents(tmp_path / "documents")
    return service.documents


def send_file(chat, content: bytes, name: str | None):
    upload = chat.service.documents.take(content, name)
    return chat._send(kind=Kind.DOCUMENT, upload=upload)


def stored(db) -> list[PersonDocument]:
    with Session(db) as session:
        return list(session.exec(select(PersonDocument)).scalars())


def files_in(documents: Documents) -> list:
    return [p for p in documents.root.rglob("*") if p.is_file()] if documents.root.exists() else []


def test_send_my_cv_from_my_registration(chat, db, documents):
    reach(chat)
    chat.say("/menu")
    chat.press("My registration")
    chat.press("Send my CV")
    assert "PDF" in chat.text and "/cancel" in chat.text
    chat.say("here it is")  # text, not a file: asked again, politely
    assert "waiting for a file" in chat.replies[0].text and step_of(db) == "file"
    send_file(chat, samples.PDF, "Il mio CV.pdf")
    assert "Il mio CV.pdf" in chat.replies[0].text and chat.labels[0] == "My appointments"  # thanks, then the menu
    [row] = stored(db)
    assert (row.filename, row.kind, row.size, row.channel) == ("Il mio CV.pdf", "pdf", len(samples.PDF), "console")
    assert row.registration_id is not None
    assert documents.path(row.sha256).read_bytes() == samples.PDF
    chat.press("My registration")
    assert "Documents you sent:" in chat.text and "Il mio CV.pdf" in chat.text


def test_cancel_leaves_without_a_file(chat, db, documents):
    reach(chat)
    chat.say("/menu")
    chat.press("My registration")
    chat.press("Send my CV")
    chat.say("/cancel")
    assert "stopped" in chat.text and stored(db) == [] and step_of(db) is None


def test_a_file_sent_mid_registration_is_kept_and_the_question_asked_again(chat, db, documents):
    reach(chat, "last_name")
    question = chat.replies[-1]
    send_file(chat, samples.JPEG, None)
    assert "received" in chat.replies[0].text and chat.replies[-1] == question
    [row] = stored(db)
    assert row.kind == "jpeg" and row.filename == "documento.jpg" and row.registration_id is None


@pytest.mark.parametrize("content,name", [(samples.ELF, "cv.pdf"), (samples.MZ, "cv.pdf"), (samples.MZ, "cv.docx"),
                                          (samples.plain_zip(), "cv.docx"), (b"just text", "cv.txt")])
def test_a_renamed_executable_or_another_kind_is_refused_politely(chat, db, documents, content, name):
    reach(chat)
    chat.say("/menu")
    chat.press("My registration")
    chat.press("Send my CV")
    send_file(chat, content, name)
    assert "cannot accept this kind of file" in chat.replies[0].text and "PDF" in chat.replies[0].text
    assert step_of(db) == "file"  # the question again
    assert stored(db) == [] and files_in(documents) == []


def test_a_50_mb_file_is_refused_in_the_persons_language(chat, db, documents):
    reach(chat)
    chat.say("/language")
    chat.press("Italiano")
    chat.say("/menu")
    chat.press("La mia iscrizione")
    chat.press("Invia il mio CV")
    send_file(chat, samples.big(50), "cv.pdf")
    assert "troppo grande" in chat.replies[0].text and "10 MB" in chat.replies[0].text
    assert stored(db) == [] and files_in(documents) == []


def test_erase_my_data_removes_rows_and_files(chat, db, documents):
    reach(chat)
    send_file(chat, samples.PDF, "cv.pdf")
    send_file(chat, samples.docx(), "lettera.docx")
    assert len(files_in(documents)) == 2
    chat.say("/privacy")
    chat.press("Erase my data")
    chat.press("Yes, erase")
    assert stored(db) == [] and files_in(documents) == []


def test_a_file_two_people_sent_stays_while_one_of_them_keeps_it(service, db, documents):
    from tests.conftest import Chat

    first, second = Chat(service, "p1"), Chat(service, "p2")
    reach(first)
    reach(second)
    send_file(first, samples.PDF, "cv.pdf")
    send_file(second, samples.PDF, "cv.pdf")
    first.say("/privacy")
    first.press("Erase my data")
    first.press("Yes, erase")
    [row] = stored(db)
    assert documents.path(row.sha256).exists()


@pytest.mark.parametrize("content,kind", [(samples.PDF, "pdf"), (samples.JPEG, "jpeg"), (samples.PNG, "png"),
                                          (samples.docx(), "docx"), (samples.odt(), "odt"),
                                          (samples.DOC, "doc"), (samples.OLE_NOT_WORD, None),
                                          (samples.ELF, None), (samples.MZ, None), (samples.plain_zip(), None),
                                          (b"", None), (b"PK\x03\x04broken", None)])
def test_the_kind_is_read_from_the_content(content, kind):
    assert document_types.kind_of(content) == kind


@pytest.mark.parametrize("name,kind,safe", [("../../etc/passwd", "pdf", "passwd.pdf"),
                                            ("C:\\Users\\me\\CV Maria.exe", "pdf", "CV Maria.pdf"),
                                            ("cv\u202egpj.pdf", "jpeg", "cvgpj.jpg"), (None, "png", "documento.png"),
                                            ("<script>.pdf", "pdf", "script.pdf"), ("x" * 300 + ".pdf", "pdf", "x" * 90 + ".pdf")])
def test_names_are_made_safe_with_the_extension_of_their_kind(name, kind, safe):
    assert safe_name(name, kind) == safe


def test_a_file_before_the_privacy_consent_is_not_kept(chat, db, documents):
    chat.say("ciao")
    chat.press("English")  # the privacy notice is asked now: not accepted yet
    question = chat.replies[-1]
    send_file(chat, samples.PDF, "cv.pdf")
    assert "only once you have accepted the privacy notice" in chat.replies[0].text and chat.replies[-1] == question
    assert stored(db) == [] and files_in(documents) == []


def test_a_file_whose_step_fails_is_not_left_on_disk(chat, db, documents, monkeypatch):
    from services.document_store import DocumentStoreMixin

    reach(chat)

    def broken(self, upload, channel):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(DocumentStoreMixin, "save_document", broken)
    send_file(chat, samples.PDF, "cv.pdf")
    assert "something went wrong" in chat.text
    assert stored(db) == [] and files_in(documents) == []


def test_the_same_file_sent_again_is_one_file_and_two_rows(chat, db, documents):
    reach(chat)
    send_file(chat, samples.PDF, "cv.pdf")
    send_file(chat, samples.PDF, "cv-copia.pdf")
    assert [row.filename for row in stored(db)] == ["cv.pdf", "cv-copia.pdf"] and len(files_in(documents)) == 1
