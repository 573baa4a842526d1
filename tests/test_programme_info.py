"""Programme information in the chat (#15), on the demo texts: questions typed freely are
answered in the language they are written in (or the person's), newcomers get the answer before
being offered to register, the menu lists the topics, questions at a step keep the step, text
nobody understood offers the office; and the matching itself (typos, look-alike words)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlmodel import Session

from conversations import info_match, payload
from conversations.info_store import InfoEntry, InfoTopic
from services import demo_info, info
from store.models import InfoText
from tests.conftest import NOW, Chat
from tests.registration_helpers import answers_of, reach, step_of

ITALIAN_MENU = ["Iscriviti", "Sono già iscritto", "Scrivi all'ufficio", "Informazioni", "Privacy e i miei dati", "Lingua",
                "Aiuto"]


@pytest.fixture
def topics(db) -> None:
    with Session(db) as session, session.begin():
        assert demo_info.load(session, now=NOW) == len(demo_info.TOPICS)
        assert demo_info.load(session, now=NOW) == 0  # once


@pytest.mark.parametrize("question, title, part", [
    ("quando apre l'ufficio?", "Orari e telefono", "dalle 9:00 alle 13:00"),
    ("Quando aprite??", "Orari e telefono", "Telefono: 051 000 0000"),
    ("qundo apre l uficio", "Orari e telefono", "dalle 9:00 alle 13:00"),  # typos
    ("dove siete", "Dove siamo", "https://www.openstreetmap.org/"),
    ("cosa devo portare al colloquio", "Documenti da portare", "codice fiscale"),
    ("chi può iscriversi?", "Chi può iscriversi", "55 comuni"),
    ("chi puo iscriversi", "Chi può iscriversi", "nazionalità non conta"),
    ("ho perso il lavoro, cosa posso fare?", "Cos'è il programma", "È gratuito"),
    ("cosa sono i laboratori della bussola", "I laboratori (bussola)", "lista d'attesa"),
    ("i miei dati", "Privacy e dati", "/privacy"),
])
def test_a_newcomers_question_is_answered_then_registering_is_offered(chat, db, topics, question, title, part):
    chat.say(question)
    answer, menu = chat.replies
    assert answer.text.startswith(title + "\n\n") and part in answer.text
    assert [b.label for b in menu.buttons] == ITALIAN_MENU  # "Iscriviti" first
    assert step_of(db) is None  # no registration started behind their back
    chat.press("Iscriviti")
    assert step_of(db) == "language"


@pytest.mark.parametrize("question, title", [
    ("When are you open?", "Opening hours, phone"),
    ("where is the office", "Where we are"),
    ("I lost my job, what can I do?", "What the programme is"),
    ("quels sont vos horaires ?", "Horaires, téléphone"),
    ("¿dónde están?", "Dónde estamos"),
    ("متى تفتحون؟", "المواعيد والهاتف"),
    ("що взяти з собою на співбесіду?", "Що взяти з собою"),
    ("unde sunteți?", "Unde suntem"),
    ("دفتر کہاں ہے؟", "ہم کہاں ہیں"),
    ("অফিস কোথায়?", "আমরা কোথায়"),
])
def test_a_question_gets_the_text_of_the_language_it_is_written_in(chat, topics, question, title):
    chat.say(question)
    assert chat.replies[0].text.startswith(title + "\n\n")


@pytest.mark.parametrize("first", ["ciao", "Buongiorno!", "voglio lavorare", "xyz"])
def test_a_newcomers_greeting_or_other_text_still_starts_the_registration(chat, db, topics, first):
    chat.say(first)
    assert step_of(db) == "language"


def test_a_registered_person_asks_in_their_language_and_gets_the_menu(chat, topics):
    reach(chat)  # in English
    chat.say("what time do you open?")
    assert chat.replies[0].text.startswith("Opening hours, phone\n\n")
    assert "About the programme" in [b.label for b in chat.replies[-1].buttons]
    chat.say("orari?")  # only Italian words know it: written in Italian, answered in Italian
    assert chat.replies[0].text.startswith("Orari e telefono\n\n")


def test_text_nobody_understood_offers_the_office_and_the_menu(chat, topics):
    reach(chat)
    chat.say("the weather is nice today")
    sorry, menu = chat.replies
    assert "did not understand" in sorry.text
    [office] = sorry.buttons
    assert office.label == "Write to the office"
    assert payload.decode_action(payload.decode(office.payload).value) == payload.WriteToOffice()
    assert "My appointments" in [b.label for b in menu.buttons]
    chat.say("hello")  # a greeting is no question
    assert chat.replies[0].text == "Here is what I can do for you."


def test_the_menu_lists_the_topics_and_a_topic_shows_its_answer_and_the_menu(chat, topics):
    reach(chat)
    chat.say("/menu")
    chat.press("About the programme")
    [listing] = chat.replies
    assert chat.labels == ["What the programme is", "Who can join", "After registering", "Workshops (bussola)",
                           "Where we are", "Opening hours, phone", "What to bring", "Privacy and data", "Menu"]
    chat.press("What to bring")
    answer, menu = chat.replies
    assert answer.text.startswith("What to bring\n\n") and "identity document" in answer.text
    assert "Book an interview" in [b.label for b in menu.buttons]
    chat.say("7")  # typed numbers work: the menu's 7th entry, then the list's 6th topic
    assert chat.labels[0] == "What the programme is"
    chat.say("6")
    assert chat.replies[0].text.startswith("Opening hours, phone")


def test_a_language_without_its_own_text_gets_the_italian_one(chat, db, topics):
    with Session(db) as session, session.begin():
        session.execute(delete(InfoText).where(InfoText.topic == "hours", InfoText.language == "en"))
    reach(chat)
    chat.say("/menu")
    chat.press("About the programme")
    assert "Orari e telefono" in chat.labels and "Where we are" in chat.labels
    chat.press("Orari e telefono")
    assert chat.replies[0].text.startswith("Orari e telefono\n\n") and "dalle 9:00" in chat.replies[0].text


def test_a_question_in_the_middle_of_the_registration_keeps_the_step(chat, db, topics):
    reach(chat, "birth_date")
    question = chat.replies[-1]
    before = answers_of(db)
    chat.say("what should I bring to the interview?")
    answer, again = chat.replies
    assert answer.text.startswith("What to bring") and again == question
    assert step_of(db) == "birth_date" and answers_of(db) == before
    chat.say("31/02/1990")  # a wrong date is still a wrong date
    assert "What to bring" not in chat.text and step_of(db) == "birth_date"
    chat.say("05/03/1990")
    assert step_of(db) == "tax_code"


def test_words_of_the_steps_own_question_point_to_no_topic_there(chat, db, topics):
    reach(chat, "tax_code")
    chat.say("which codice fiscale?")  # "codice fiscale" points to "What to bring" elsewhere
    assert "What to bring" not in chat.text and step_of(db) == "tax_code"
    chat.say("what should I bring?")  # a question of its own is still answered
    assert chat.replies[0].text.startswith("What to bring") and step_of(db) == "tax_code"


def test_a_question_at_a_step_with_buttons_keeps_the_step(chat, db, topics):
    reach(chat, "situation")
    chat.say("where are you?")
    assert chat.replies[0].text.startswith("Where we are") and step_of(db) == "situation"
    chat.press("Looking for work")
    assert step_of(db) == "education"


def test_without_any_topic_the_menu_entry_says_so(chat):
    reach(chat)
    chat.say("/menu")
    chat.press("About the programme")
    assert "has not written this information yet" in chat.replies[0].text
    chat.say("when are you open?")
    assert "did not understand" in chat.replies[0].text


def test_the_offices_edit_is_what_the_next_question_gets(chat, db, topics):
    with Session(db) as session, session.begin():
        info.save(session, topic="hours", language="it", title="Orari di dicembre", answer="Chiusi dal 24 al 26.",
                  keywords="orari\nnatale", position=None, by="otto", now=NOW)
    chat.say("siete aperti a natale?")
    assert chat.replies[0].text == "Orari di dicembre\n\nChiusi dal 24 al 26."


def test_a_stale_topic_button_is_stale(chat, db, topics):
    reach(chat)
    chat.say("/menu")
    chat.press("About the programme")
    with Session(db) as session, session.begin():
        session.execute(delete(InfoText).where(InfoText.topic == "who"))
    chat.press("Who can join")
    assert "no longer active" in chat.replies[0].text


# -- the matching itself ----------------------------------------------------------------------
TOPICS = [InfoTopic("where", {"it": InfoEntry("Dove", "...", ("dove", "indirizzo"))}),
          InfoTopic("documents", {"it": InfoEntry("Documenti", "...", ("documenti", "cosa portare")),
                                  "en": InfoEntry("Documents", "...", ("bring", "documents"))})]


@pytest.mark.parametrize("text, key", [
    ("dove", "where"), ("dovee", "where"), ("indirizo", "where"), ("cosa devo portare", "documents"),
    ("documneti", "documents"), ("DOCUMENTI!", "documents"), ("deve", None), ("being late", None),
    ("", None), ("ciao", None), ("grazie, buongiorno", None), ("portare", None),
])
def test_typos_are_forgiven_but_look_alike_words_are_not_matched(text, key):
    found = info_match.find(text, TOPICS, "it")
    assert (found.topic.key if found else None) == key


def test_the_answer_language_is_the_persons_when_their_words_found_it_too():
    assert info_match.find("what should I bring", TOPICS, "it").language == "en"  # only English words found it
    assert info_match.find("cosa devo portare", TOPICS, "en").language == "it"
    both = [InfoTopic("d", {"it": InfoEntry("D", ".", ("privacy",)), "en": InfoEntry("D", ".", ("privacy",))})]
    assert info_match.find("privacy", both, "en").language == "en"
    assert info_match.find("privacy", both, "fr").language == "it"  # neither is theirs: Italian first


def test_the_first_start_loads_the_demo_topics_even_with_an_agenda(db):
    from services import database
    from tests.booking_flow_helpers import add_slot, days_ahead
    add_slot(db, days_ahead(1, 9))
    assert database.load_demo_if_empty(db) is False  # the agenda is the office's: left alone
    with Session(db) as session:
        assert [t.key for t in info.topics(session)] == list(demo_info.TOPICS)
        assert {len(t.texts) for t in info.topics(session)} == {9}
