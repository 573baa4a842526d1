"""Documents on every channel (#15), against the fake servers on 127.0.0.1: a CV sent as a PDF on
Telegram (getFile, then the file's download) and as a photo on WhatsApp (the media's URL, then its
download with the token) is kept with the registration; a 50 MB file is refused without being
downloaded, one whose announced size lies is cut off, and a renamed executable is refused; politely,
nothing kept."""
from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from services.documents import Documents
from store.models import PersonDocument
from tests import document_samples as samples
from tests import scenarios
from tests.fake_graph_api import document, image
from tests.telegram_fakes import message_update
from tests.test_scenario_channels import USER, telegram_person, whatsapp_person

MB = 1024 * 1024


@pytest.fixture
def documents(service, tmp_path) -> Documents:
    service.documents = Documents(tmp_path / "documents")
    return service.documents


def stored(db) -> list[PersonDocument]:
    with Session(db) as session:
        return list(session.exec(select(PersonDocument)).all())


def kept_files(documents: Documents) -> list:
    return [p for p in documents.root.rglob("*") if p.is_file()] if documents.root.exists() else []


@pytest.fixture
def telegram(db, service, documents):
    with asyncio.Runner() as runner, telegram_person(db, service, runner) as person:
        scenarios.play(person, scenarios.register(), db)
        yield person


@pytest.fixture
def whatsapp(db, service, documents):
    with asyncio.Runner() as runner, whatsapp_person(db, service, runner) as person:
        scenarios.play(person, scenarios.register(), db)
        yield person


def test_a_cv_sent_as_a_pdf_on_telegram_is_kept_with_the_registration(telegram, db, documents):
    scenarios.play(telegram, [scenarios.Say("/menu"), scenarios.Press("My registration"),
                              scenarios.Press("Send my CV"), scenarios.Expect("Write /cancel to stop.")], db)
    sent = telegram.api.add_file(samples.PDF)
    telegram._feed(message_update(user_id=USER, document={**sent, "file_name": "CV Maria Rossi.pdf",
                                                         "mime_type": "application/pdf"}))
    assert "I received CV Maria Rossi.pdf." in telegram.text
    assert "Menu: choose what you need." in telegram.text
    [row] = stored(db)
    assert (row.kind, row.channel, row.filename) == ("pdf", "telegram", "CV Maria Rossi.pdf")
    assert row.registration_id is not None
    assert documents.path(row.sha256).read_bytes() == samples.PDF
    assert len(telegram.api.downloads) == 1


def test_a_photo_on_telegram_mid_menu_is_kept_too(telegram, db, documents):
    sent = telegram.api.add_file(samples.JPEG, kind="photos")
    telegram._feed(message_update(user_id=USER, photo=[{**sent, "width": 90, "height": 120}]))
    assert "I received" in telegram.text
    [row] = stored(db)
    assert (row.kind, row.filename) == ("jpeg", "documento.jpg")


def test_telegram_refuses_a_50_mb_file_and_a_renamed_executable_politely(telegram, db, documents):
    huge = telegram.api.add_file(samples.PDF, size=50 * MB)  # what Telegram announces in the update
    telegram._feed(message_update(user_id=USER, document={**huge, "file_name": "cv.pdf"}))
    assert "This file is too big for me: at most 10 MB" in telegram.text
    assert telegram.api.calls_to("getFile") == []  # not even asked for
    executable = telegram.api.add_file(samples.ELF)
    telegram._feed(message_update(user_id=USER, document={**executable, "file_name": "cv.pdf",
                                                         "mime_type": "application/pdf"}))
    assert "I cannot accept this kind of file" in telegram.text
    assert stored(db) == [] and kept_files(documents) == []


def test_a_cv_sent_as_a_photo_on_whatsapp_is_kept_with_the_registration(whatsapp, db, documents):
    media = whatsapp.graph.add_media(samples.JPEG, "image/jpeg")
    whatsapp.sent = whatsapp.chat.send(image(media, caption="il mio cv"))
    assert "I received" in whatsapp.text
    [row] = stored(db)
    assert (row.kind, row.channel, row.filename) == ("jpeg", "whatsapp", "documento.jpg")
    assert row.registration_id is not None
    assert documents.path(row.sha256).read_bytes() == samples.JPEG
    assert whatsapp.graph.downloads == [f"/download/{media}"]


def test_whatsapp_send_my_cv_takes_a_word_file(whatsapp, db, documents):
    scenarios.play(whatsapp, [scenarios.Say("/menu"), scenarios.Press("My registration"),
                              scenarios.Press("Send my CV")], db)
    media = whatsapp.graph.add_media(samples.docx(), "application/msword")
    whatsapp.sent = whatsapp.chat.send(document(media, "curriculum.doc"))
    [row] = stored(db)
    assert (row.kind, row.filename) == ("docx", "curriculum.docx")  # the kind its content says


def test_whatsapp_refuses_a_50_mb_file_a_lying_size_and_a_renamed_executable(whatsapp, db, documents):
    huge = whatsapp.graph.add_media(samples.PDF, "application/pdf", size=50 * MB)
    whatsapp.sent = whatsapp.chat.send(document(huge, "cv.pdf"))
    assert "This file is too big for me: at most 10 MB" in whatsapp.text
    assert whatsapp.graph.downloads == []
    lying = whatsapp.graph.add_media(samples.big(12), "application/pdf", size=1000)  # says 1 KB, is 12 MB
    whatsapp.sent = whatsapp.chat.send(document(lying, "cv.pdf"))
    assert "This file is too big for me" in whatsapp.text
    renamed = whatsapp.graph.add_media(samples.MZ, "application/pdf")
    whatsapp.sent = whatsapp.chat.send(document(renamed, "cv.pdf"))
    assert "I cannot accept this kind of file" in whatsapp.text
    assert stored(db) == [] and kept_files(documents) == []


def test_a_file_whatsapp_cannot_give_is_said_so(whatsapp, db, documents):
    whatsapp.sent = whatsapp.chat.send(document("no-such-media", "cv.pdf"))
    assert "I could not receive this file" in whatsapp.text
    assert stored(db) == []


def test_a_file_telegram_cannot_give_is_said_so_and_the_question_asked_again(telegram, db, documents):
    from tests.fake_bot_api import BAD_GATEWAY

    sent = telegram.api.add_file(samples.PDF)
    telegram.api.refuse(BAD_GATEWAY, method="getFile", times=3)  # every try: once, then twice again
    telegram._feed(message_update(user_id=USER, document={**sent, "file_name": "cv.pdf"}))
    assert "I could not receive this file" in telegram.text and "Menu: choose what you need." in telegram.text
    assert stored(db) == [] and [c.method for c in telegram.api.calls].count("getFile") == 3
