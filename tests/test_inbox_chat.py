"""'Write to the office' in the chat (#15), engine and database: from the menu, /office and words
such as "vorrei parlare con un operatore" in the nine languages; the message asked for (an
empty answer, a sticker, a voice note asked again; /cancel leaves); the confirmation saying when
the office answers; a form under way kept beneath; after an operator's reply the person's messages
going to the same conversation until it is closed or 24 hours pass; "see my data" and "erase my data"."""
from __future__ import annotations

import datetime as dt

import pytest

from conversations import office
from conversations.engine import Engine
from conversations.commands import build_engine
from services import inbox
from services.conversation import ConversationService
from tests.conftest import NOW, Chat
from tests.inbox_helpers import close, conversations, messages, office_rows, reply
from tests.registration_helpers import reach, state_of, step_of

SATURDAY = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.timezone.utc)


def test_the_menu_button_asks_for_the_message_and_stores_it(chat, db):
    reach(chat)
    chat.say("/menu")
    chat.press("Write to the office")
    assert "Write your message for the office" in chat.text
    chat.say("Buongiorno, posso portare il CV al colloquio?")
    assert "your message has reached the office" in chat.replies[0].text
    assert "within one working day" in chat.replies[0].text  # Wednesday 11:00 in Rome: open
    assert "Write to the office" in chat.labels  # then the menu
    [conversation] = conversations(db)
    assert (conversation.status, conversation.channel, conversation.language) == ("new", "console", "en")
    assert conversation.registration_id is not None
    assert messages(db) == [("person", "Buongiorno, posso portare il CV al colloquio?")]
    assert state_of(db)["flow"] is None


@pytest.mark.parametrize("words", [
    "vorrei parlare con un operatore", "Operatore!", "posso parlare con una persona?", "I want to talk to a person",
    "operator please", "je voudrais parler à quelqu'un", "quiero hablar con una persona",
    "أريد التحدث مع موظف", "хочу поговорити з людиною", "vreau să vorbesc cu un operator",
    "میں کسی انسان سے بات کرنا چاہتا ہوں", "আমি মানুষের সাথে কথা বলতে চাই"])
def test_asking_for_a_person_in_words(chat, db, words):
    reach(chat)
    chat.say(words)
    assert "Write your message for the office" in chat.text
    assert step_of(db) == "message"


def test_words_that_do_not_ask_for_a_person():
    for words in ("ciao", "cooperatore sociale", "menu", "I am looking for work", "telefono"):
        assert not office.asks_for_a_person(words), words


def test_a_newcomer_may_write_to_the_office_before_registering(chat, db):
    chat.say("vorrei parlare con un operatore")
    assert "Scrivi qui il tuo messaggio per l'ufficio" in chat.text
    chat.say("Dove siete?")
    [conversation] = conversations(db)
    assert conversation.registration_id is None and conversation.language == "it"


def test_help_names_office_and_the_command_starts_it(chat, db):
    reach(chat)
    chat.say("/help")
    assert "/office" in chat.replies[0].text
    chat.say("/office")
    assert step_of(db) == "message"


@pytest.mark.parametrize("send", [lambda c: c.say("   "), lambda c: c.send_sticker(), lambda c: c.send_voice(),
                                  lambda c: c.say("👍👍")])
def test_no_words_are_asked_again(chat, db, send):
    reach(chat)
    chat.say("/office")
    send(chat)
    assert "Write your message for the office" in chat.replies[-1].text
    assert step_of(db) == "message" and conversations(db) == []


def test_too_long_is_asked_again(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("x" * 1001)
    assert "at most 1000 characters" in chat.text and conversations(db) == []


def test_cancel_leaves_and_stores_nothing(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("/cancel")
    assert "OK, I stopped" in chat.text
    assert conversations(db) == [] and state_of(db)["flow"] is None


def test_a_form_under_way_waits_beneath(chat, db):
    reach(chat, "municipality")
    chat.say("/office")
    chat.say("I do not know my comune's name")
    assert "your message has reached the office" in chat.replies[0].text
    assert "In which comune do you live?" in chat.replies[-1].text
    assert state_of(db)["answers"]["first_name"] == "Maria"
    chat.say("Bologna")
    assert step_of(db) == "phone"


def test_outside_office_hours_the_confirmation_says_when_it_opens(db):
    chat = Chat(ConversationService(db, build_engine(), clock=lambda: SATURDAY))
    reach(chat)
    chat.say("/office")
    chat.say("Ho perso il lavoro, cosa posso fare?")
    assert "The office is closed now: an operator will answer you here from Monday, 30 November 2026, 09:00." \
        in chat.replies[0].text


def test_a_second_message_goes_to_the_open_conversation(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("first question")
    chat.say("/office")
    chat.say("second question")
    [conversation] = conversations(db)
    assert messages(db) == [("person", "first question"), ("person", "second question")]


def test_answers_to_an_operator_reply_go_to_the_conversation_for_24_hours(db):
    clock = {"now": NOW}
    chat = Chat(ConversationService(db, build_engine(), clock=lambda: clock["now"]))
    reach(chat)
    chat.say("/office")
    chat.say("Can I come on Friday?")
    [conversation] = conversations(db)
    reply(db, conversation.id, "Sì, venerdì alle 10.", at=NOW + dt.timedelta(hours=1))
    [row] = office_rows(db)
    assert row.channel == "console" and "Sì, venerdì alle 10." in row.content["text"]
    assert "Message from the Insieme per il lavoro office" in row.content["text"]  # the person's language
    assert conversations(db)[0].status == "waiting"
    clock["now"] = NOW + dt.timedelta(hours=3)
    chat.say("Perfect, thank you")  # no menu, no matching: to the office
    assert [r.text for r in chat.replies] == ["Thank you, I passed your message to the office."]
    assert messages(db)[-1] == ("person", "Perfect, thank you")
    assert conversations(db)[0].status == "assigned"  # anna replied: hers
    clock["now"] = NOW + dt.timedelta(hours=26)  # 25 hours after the reply
    chat.say("hello?")
    assert "Here is what I can do for you." in chat.text
    assert messages(db)[-1] == ("person", "Perfect, thank you")


def test_after_the_office_closes_it_the_menu_answers_again(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("question")
    [conversation] = conversations(db)
    reply(db, conversation.id, "answer", at=NOW)
    close(db, conversation.id, at=NOW)
    chat.say("thanks")
    assert "Here is what I can do for you." in chat.text
    assert len(messages(db)) == 2
    chat.say("/office")
    chat.say("a new question")
    assert [c.status for c in conversations(db)] == ["closed", "new"]


def test_see_my_data_lists_the_messages_and_erase_removes_them(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("my question")
    [conversation] = conversations(db)
    reply(db, conversation.id, "the office's answer", at=NOW)
    from sqlmodel import Session
    with Session(db) as session, session.begin():
        inbox.note(session, conversation.id, text="internal: call her back", by="anna", now=NOW)
    chat.say("/privacy")
    chat.press("See my data")
    text = chat.replies[0].text
    assert "Your messages to the office and its replies:" in text
    assert "25 November 2026, 11:00 - you: my question" in text
    assert "- the office: the office's answer" in text
    assert "internal" not in text
    chat.press("Erase my data")
    chat.press("Yes, erase")
    assert conversations(db) == [] and messages(db) == []


def test_the_engine_declares_the_flow():
    engine: Engine = build_engine()
    assert "office" in engine.flows


def test_asking_for_a_person_in_the_middle_of_the_registration(chat, db):
    reach(chat, "birth_date")
    chat.say("vorrei parlare con un operatore")
    assert "Write your message for the office" in chat.text
    chat.say("I do not know my birth date exactly")
    assert "your message has reached the office" in chat.replies[0].text
    assert step_of(db) == "birth_date"  # the registration goes on from where it was
    assert state_of(db)["answers"]["last_name"] == "Rossi"
    assert messages(db) == [("person", "I do not know my birth date exactly")]


def test_a_newcomer_at_the_language_question_gets_the_menu_after(chat, db):
    chat.say("ciao")  # the language question: nothing started yet
    chat.say("vorrei parlare con un operatore")
    chat.say("Non so usare il telefono, posso venire in ufficio?")
    assert "il tuo messaggio è arrivato all'ufficio" in chat.replies[0].text
    assert "Iscriviti" in chat.labels and state_of(db)["flow"] is None
    reply(db, conversations(db)[0].id, "Certo, venga pure.", at=NOW)
    chat.say("Grazie!")  # outside any flow: to the conversation
    assert messages(db)[-1] == ("person", "Grazie!")


def test_the_words_typed_as_the_message_itself_are_the_message(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("operatore")
    assert messages(db) == [("person", "operatore")]


def test_a_long_answer_mentioning_an_operator_is_an_answer(chat, db):
    reach(chat, "first_name")
    assert office.as_command("ho lavorato come operatore ecologico per cinque anni") is None
    assert office.as_command("voglio un operatore") == "/office"


def test_short_words_to_an_open_conversation_go_to_it(chat, db):
    reach(chat)
    chat.say("/office")
    chat.say("question")
    reply(db, conversations(db)[0].id, "answer", at=NOW)
    chat.say("thank you operator")
    assert [r.text for r in chat.replies] == ["Thank you, I passed your message to the office."]
    assert messages(db)[-1] == ("person", "thank you operator")


def test_a_chat_that_wrote_to_the_office_then_links_to_its_registration_keeps_the_conversation(service, db):
    registered = Chat(service, "5001", "telegram")
    reach(registered)
    registered.say("/link")
    code = next(word for word in registered.replies[0].text.split() if word.isdigit() and len(word) == 6)
    web = Chat(service, "w1", "web")
    web.say("operatore")
    web.say("Sono già iscritta su Telegram")
    web.say(f"/link {code}")
    [conversation] = conversations(db)
    from sqlmodel import Session, select
    from store.models import Registration
    with Session(db) as session:
        maria = session.scalars(select(Registration)).one()
    assert (conversation.contact_id, conversation.registration_id) == (maria.contact_id, maria.id)
    reply(db, conversation.id, "Benvenuta", at=NOW)
    assert office_rows(db)[0].channel == "web"


# -- documents in a conversation with the office, and the privacy sentence -----------------------

@pytest.fixture
def documents(service, tmp_path):
    from services.documents import Documents
    service.documents = Documents(tmp_path / "documents", max_bytes=1024 * 1024)
    return service.documents


def with_documents(db) -> list[tuple[str, str, int | None]]:
    from sqlmodel import Session, select
    from store.models import InboxMessage
    with Session(db) as session:
        return [tuple(row) for row in session.execute(select(InboxMessage.kind, InboxMessage.text,
                                                             InboxMessage.document_id).order_by(InboxMessage.id))]


def test_a_file_sent_at_the_office_question_is_the_message(chat, db, documents):
    from tests import document_samples as samples
    from tests.test_documents import send_file, stored
    reach(chat, "municipality")
    chat.say("/office")
    send_file(chat, samples.PDF, "Il mio CV.pdf")
    assert "your message has reached the office" in chat.replies[0].text  # the usual confirmation, office hours
    assert "In which comune do you live?" in chat.replies[-1].text  # the form beneath goes on
    [document] = stored(db)
    assert with_documents(db) == [("person", "Il mio CV.pdf", document.id)]
    [conversation] = conversations(db)
    assert (conversation.status, conversation.channel) == ("new", "console")


def test_a_file_refused_at_the_office_question_keeps_the_question(chat, db, documents):
    from tests import document_samples as samples
    from tests.test_documents import send_file, stored
    reach(chat)
    chat.say("/office")
    send_file(chat, samples.big(2), "cv.pdf")
    assert "too big for me: at most 1 MB" in chat.replies[0].text
    assert "Write your message for the office" in chat.replies[-1].text and step_of(db) == "message"
    send_file(chat, samples.ELF, "cv.pdf")
    assert "cannot accept this kind of file" in chat.replies[0].text and step_of(db) == "message"
    assert stored(db) == [] and conversations(db) == []


def test_a_file_sent_to_an_open_conversation_goes_to_it(chat, db, documents):
    from tests import document_samples as samples
    from tests.test_documents import send_file, stored
    reach(chat)
    chat.say("/office")
    chat.say("Devo portare il CV?")
    reply(db, conversations(db)[0].id, "Sì, mandalo pure qui.", at=NOW)
    send_file(chat, samples.PDF, "cv.pdf")
    assert [r.text for r in chat.replies] == ["Thank you: I received cv.pdf and passed it to the office."]
    [document] = stored(db)
    assert with_documents(db)[-1] == ("person", "cv.pdf", document.id)
    [conversation] = conversations(db)
    assert conversation.status == "assigned" and conversation.last_person_at is not None
    from sqlmodel import Session
    from services import inbox_views
    with Session(db) as session:
        [summary] = inbox_views.listing(session)
        assert summary.unread and summary.last_text == "📎 cv.pdf"
        assert inbox_views.counts(session)["unread"] == 1
    chat.say("/privacy")
    chat.press("See my data")
    assert "Documents you sent:" in chat.text and "- you: 📎 cv.pdf" in chat.text
    chat.press("Erase my data")
    chat.press("Yes, erase")
    assert conversations(db) == [] and with_documents(db) == [] and stored(db) == []


def test_a_file_outside_a_conversation_is_only_kept(chat, db, documents):
    from tests import document_samples as samples
    from tests.test_documents import send_file, stored
    reach(chat)
    chat.say("/office")
    chat.say("question")  # nobody answered yet: the conversation is not open to answers
    send_file(chat, samples.PDF, "cv.pdf")
    assert "The office's operators will find it with your data." in chat.replies[0].text
    assert len(stored(db)) == 1 and len(with_documents(db)) == 1


def test_someone_who_never_accepted_the_privacy_notice_is_told_what_the_office_keeps(chat, db):
    chat.say("vorrei parlare con un operatore")
    assert "L'ufficio tiene il tuo messaggio e il contatto di questa chat solo per risponderti" in chat.text
    assert "/privacy" in chat.text
    chat.say("Ho bisogno di aiuto")
    registered = Chat(chat.service, "p2")
    reach(registered)
    registered.say("/office")
    assert "Write your message for the office" in registered.text and "/privacy" not in registered.text


def test_a_file_from_someone_who_never_accepted_the_privacy_notice_is_not_kept(chat, db, documents):
    from tests import document_samples as samples
    from tests.test_documents import files_in, send_file, stored
    chat.say("operatore")
    send_file(chat, samples.PDF, "cv.pdf")
    assert "Puoi scrivere il tuo messaggio all'ufficio a parole" in chat.replies[0].text
    assert "Scrivi qui il tuo messaggio per l'ufficio" in chat.replies[-1].text and step_of(db) == "message"
    chat.say("Non ho ancora il CV, posso venire lo stesso?")
    reply(db, conversations(db)[0].id, "Certo.", at=NOW)
    send_file(chat, samples.PDF, "cv.pdf")  # outside any flow, the conversation open: no menu after
    assert [r.text for r in chat.replies] == [
        "Posso tenere i documenti solo dopo che hai accettato l'informativa privacy, quando ti iscrivi. "
        "Puoi scrivere il tuo messaggio all'ufficio a parole."]
    assert stored(db) == [] and files_in(documents) == [] and len(messages(db)) == 2


def test_a_conversation_opened_before_registering_shows_the_registration_made_since(chat, db):
    from sqlmodel import Session
    from services import inbox_views
    reach(chat, "birth_date")
    chat.say("operatore")
    chat.say("Non ricordo la data esatta")
    [conversation] = conversations(db)
    assert conversation.registration_id is None
    reach(Chat(chat.service, "other"))  # someone else registers meanwhile: not hers
    with Session(db) as session:
        [summary] = inbox_views.listing(session)
        assert (summary.name, summary.registration_id) == ("", None)
    from tests.registration_helpers import HAPPY_PATH, STEPS
    for _name, answer in HAPPY_PATH[STEPS.index("birth_date"):]:  # she finishes registering
        answer(chat)
    with Session(db) as session:
        [summary] = inbox_views.listing(session)
        assert summary.name == "Rossi Maria" and summary.code and summary.registration_id
    reply(db, conversation.id, "Va bene così.", at=NOW)
    chat.say("Grazie")
    assert conversations(db)[0].registration_id == summary.registration_id  # written with her next message


def test_in_the_middle_of_a_form_what_the_question_refuses_answers_the_office(chat, db):
    reach(chat, "birth_date")
    chat.say("/office")
    chat.say("Non ricordo la data esatta")
    reply(db, conversations(db)[0].id, "Va bene anche solo l'anno, poi la correggiamo.", at=NOW)
    chat.say("Grazie mille!")  # not a date: the answer to the operator
    assert chat.replies[0].text == "Thank you, I passed your message to the office."
    assert "date of birth" in chat.replies[-1].text and step_of(db) == "birth_date"
    assert messages(db)[-1] == ("person", "Grazie mille!")
    chat.say("05/03/1990")  # a date: the form's answer
    assert step_of(db) == "tax_code" and messages(db)[-1] == ("person", "Grazie mille!")


def test_without_an_open_reply_a_refused_answer_is_asked_again_as_before(chat, db):
    reach(chat, "birth_date")
    chat.say("/office")
    chat.say("Non ricordo la data esatta")
    chat.say("Grazie mille!")  # nobody answered yet
    assert "Thank you, I passed" not in chat.text and step_of(db) == "birth_date"
    assert len(messages(db)) == 1
