"""Job proposals (#16): an operator's proposal reaches a person on Telegram (fake Bot API), on
WhatsApp (fake Graph API: inside the window as it is, outside as the proposal template) and in
the web chat; "I'm interested" puts them in the selection (the candidacy and the path's "in
selezione" step), "No, thanks" asks why, from any step, and the reason is stored and shown;
offers off and the weekly cap keep proposals away; hiring records the path's "placed" once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from bot import cli
from bot.wiring import whatsapp_sender
from handlers.whatsapp import WhatsAppClient
from services import candidacy, companies, programme, proposals
from services.outbox_sender import Limits
from store.models import Candidate, OutboxMessage, ProgrammeEvent, Registration
from tests.conftest import NOW, Chat
from tests.office_support import fast_hashes  # noqa: F401  (fixture)
from tests.fake_bot_api import FakeBotApi
from tests.fake_graph_api import PHONE_ID, TOKEN as WA_TOKEN, FakeGraphApi, settings_for
from tests.outbox_helpers import TOKEN, Clock, PaceTime, make_bot, make_sender
from tests.registration_helpers import reach

TEMPLATE = "offerta_lavoro"
HOUR = dt.timedelta(hours=1)
TODAY = NOW.date()


def vacancy(db, **fields) -> int:
    with Session(db) as session, session.begin():
        company = companies.create_company(session, now=NOW, name="Pulizie Emilia srl", vat_number="03123450375",
                                           sector="Pulizie", municipality="Imola")
        made = companies.create_vacancy(session, company_id=company.id, now=NOW, role="Addetta pulizie",
                                        sector="Pulizie", municipality="Imola", contract_type="determinato",
                                        hours="Turni", **fields)
        return made.id


def person(db, service, external_id: str, channel: str = "telegram", *, interviewed: bool = True) -> tuple[Chat, str]:
    """A person registered through the chat (the path at "interviewed" unless told), and their code."""
    chat = Chat(service, external_id, channel)
    reach(chat)
    with Session(db) as session, session.begin():
        registration = session.scalars(select(Registration).order_by(Registration.id.desc())).first()
        if interviewed:
            programme.record(session, registration=registration, kind="interviewed", on=TODAY, today=TODAY)
        return chat, registration.code


def propose(db, vacancy_id: int, *codes: str, **options) -> proposals.Proposed:
    with Session(db) as session, session.begin():
        return proposals.propose(session, vacancy_id=vacancy_id, codes=list(codes), now=NOW, created_by="anna",
                                 **options)


def candidacy_of(db, code: str) -> Candidate:
    with Session(db) as session:
        contact_id = session.scalar(select(Registration.contact_id).where(Registration.code == code))
        return session.scalar(select(Candidate).where(Candidate.contact_id == contact_id))


def events(db, kind: str) -> list[ProgrammeEvent]:
    with Session(db) as session:
        return list(session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.kind == kind)))


def receive(chat: Chat, db) -> None:
    """The proposal as the person's chat shows it: the outbox row's message is the last reply."""
    from services.outbox_rows import from_content
    from store.models import ChannelIdentity
    with Session(db) as session:
        mine = select(ChannelIdentity.contact_id).where(ChannelIdentity.external_id == chat.external_id)
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "proposal",
                                                          OutboxMessage.contact_id.in_(mine))
                              .order_by(OutboxMessage.id.desc())).first()
        chat.replies = [from_content(row.content)]


# -- Telegram -----------------------------------------------------------------------------------
@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


async def test_a_proposal_reaches_telegram_and_i_am_interested_puts_the_person_in_the_selection(db, service, api):
    chat, code = person(db, service, "5001")
    job = vacancy(db)
    assert propose(db, job, code).sent == [code]
    async with make_bot(api) as bot:
        assert await make_sender(bot, db, clock=Clock(NOW), pace=PaceTime()).drain() == 1
    [message] = api.sent()
    assert int(message["chat_id"]) == 5001
    text = message["text"]
    assert "Addetta pulizie" in text and "Imola" in text and "fixed-term contract" in text and "Shifts" in text
    assert "Pulizie Emilia" not in text  # the company is named once they are interested
    assert [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row] == [
        "I'm interested", "No, thanks"]

    # the person presses the button of the message they got, through the real application
    from telegram import Update
    from handlers.telegram import build_application
    interested = message["reply_markup"]["inline_keyboard"][0][0]
    application = build_application(token=TOKEN, api_url=api.url, service=service)
    async with application:
        update = api.push({"callback_query": {
            "id": "q1", "from": {"id": 5001, "is_bot": False, "first_name": "Maria"}, "chat_instance": "1",
            "data": interested["callback_data"], "message": api.messages(5001)[0]}})
        await application.process_update(Update.de_json(update, application.bot))
    said = "\n".join(m["text"] for m in api.sent()[1:])
    assert "You are in the selection" in said and "Company: Pulizie Emilia srl" in said
    assert "an operator of Insieme per il lavoro will call you" in said
    assert candidacy_of(db, code).state == "interested"
    [selection] = events(db, "selection")
    assert (selection.company, selection.source_key) == ("Pulizie Emilia srl",
                                                         f"candidate:{candidacy_of(db, code).id}:selection")
    chat.say("/menu")
    chat.press("My applications")
    assert "Addetta pulizie in Imola: you are interested: the office will call you" in chat.text
    receive(chat, db)
    chat.press("I'm interested")  # pressed again: answered already, nothing twice
    assert "You already answered this proposal" in chat.text and len(events(db, "selection")) == 1


def test_not_interviewed_yet_the_person_is_in_the_selection_and_books_the_interview_first(db, service):
    chat, code = person(db, service, "5002", interviewed=False)
    job = vacancy(db)
    propose(db, job, code)
    receive(chat, db)
    chat.press("I'm interested")
    assert "You are in the selection" in chat.text and "you have not had yours yet" in chat.text
    assert "Book it now" in chat.text and "will call you in the next days" not in chat.text
    assert candidacy_of(db, code).state == "interested" and events(db, "selection") == []
    chat.press("Book an interview")  # the button leads to the booking (no slots in this test's agenda)
    assert "there are no free dates at the moment" in chat.text

    # once interviewed, the office puts her forward: the path's "in selezione" step then, once
    with Session(db) as session, session.begin():
        registration = session.scalar(select(Registration).where(Registration.code == code))
        programme.record(session, registration=registration, kind="interviewed", on=TODAY, today=TODAY)
    for _twice in range(2):
        with Session(db) as session, session.begin():
            candidacy.outcome(session, vacancy_id=job, code=code, result="put_forward", now=NOW, today=TODAY)
    [selection] = events(db, "selection")
    assert (selection.company, selection.day, selection.source_key) == (
        "Pulizie Emilia srl", TODAY, f"candidate:{candidacy_of(db, code).id}:selection")


def test_interested_with_the_interview_booked_hears_its_day(db, service):
    from store.models import InterviewBooking
    from tests.booking_flow_helpers import add_slot, days_ahead
    chat, code = person(db, service, "5003", interviewed=False)
    slot = add_slot(db, days_ahead(3, 9, 30))
    with Session(db) as session, session.begin():
        contact_id = session.scalar(select(Registration.contact_id).where(Registration.code == code))
        session.add(InterviewBooking(slot_id=slot, contact_id=contact_id))
    propose(db, vacancy(db), code)
    receive(chat, db)
    chat.press("I'm interested")
    assert "you have not had yours yet" in chat.text and "there we will talk about this job too" in chat.text
    assert "Book it now" not in chat.text and candidacy_of(db, code).state == "interested"


# -- "No, thanks", from the middle of a flow -------------------------------------------------------
def test_no_thanks_asks_why_in_the_middle_of_a_booking_and_the_booking_goes_on(db, service):
    chat, code = person(db, service, "5003")
    propose(db, vacancy(db), code)
    chat.say("/menu")
    chat.press("Book an interview")
    asked = chat.replies[-1].text
    receive(chat, db)
    chat.press("No, thanks")
    assert "Why is this job not right for you?" in chat.text
    assert {"Too far", "The hours", "Contract type", "Kind of work", "The pay", "I found a job",
            "Other reason"} <= set(chat.labels)
    chat.press("Other reason")
    chat.say("Devo accudire mia madre la mattina")
    assert "we noted it" in chat.text and chat.replies[-1].text == asked  # the booking's question again
    found = candidacy_of(db, code)
    assert (found.state, found.reason, found.reason_text) == ("declined", "other", "Devo accudire mia madre la mattina")
    chat.say("/menu")
    chat.press("My applications")
    assert "you said no" in chat.text


def test_a_reason_button_is_stored_and_shown_to_the_office(db, service, db_url, monkeypatch, capsys):
    chat, code = person(db, service, "5004")
    job = vacancy(db)
    propose(db, job, code)
    receive(chat, db)
    chat.press("No, thanks")
    chat.press("Too far")
    assert (candidacy_of(db, code).state, candidacy_of(db, code).reason) == ("declined", "too_far")
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["vacancies", "candidates", str(job)], now=NOW) == 0
    out = capsys.readouterr().out
    assert code in out and "non interessata" in out and "troppo lontano" in out


# -- who gets none --------------------------------------------------------------------------------
def test_offers_off_in_settings_and_the_weekly_cap_keep_proposals_away(db, service):
    chat, code = person(db, service, "5005")
    chat.say("/settings")
    chat.press("Turn job offers off")
    assert "Job offers are off" in chat.text and "Job offers: off" in chat.text
    assert propose(db, vacancy(db), code).skipped == {code: "offers_off"}
    chat.press("Turn job offers on")
    with Session(db) as session, session.begin():
        company = companies.companies(session)[0].company.id
        jobs = [companies.create_vacancy(session, company_id=company, now=NOW, role=f"Ruolo {n}", sector="Pulizie",
                                         municipality="Imola", contract_type="altro", hours="Turni").id
                for n in range(3)]
    assert [propose(db, j, code, per_week=2).sent for j in jobs] == [[code], [code], []]
    assert propose(db, jobs[2], code, per_week=2).skipped == {code: "week"}
    assert propose(db, jobs[0], code, per_week=9).skipped == {code: "already"}


# -- WhatsApp: inside and outside the window -------------------------------------------------------
@pytest.fixture
def graph():
    with FakeGraphApi(token=WA_TOKEN, phone_id=PHONE_ID) as fake:
        fake.templates = {(TEMPLATE, "it"): 3}
        yield fake


@pytest.mark.parametrize("later", [HOUR, 25 * HOUR])
async def test_a_proposal_reaches_whatsapp_as_it_is_or_as_the_template(db, service, graph, later):
    wa_id = "393471234567"
    _chat, code = person(db, service, wa_id, "whatsapp")
    propose(db, vacancy(db), code)
    client = WhatsAppClient(settings_for(graph).model_copy(update={"proposal_template": TEMPLATE}))
    try:
        pace = PaceTime()
        await whatsapp_sender(client, db, Limits(per_second=80, per_chat_per_second=1), clock=Clock(NOW + later),
                              timer=pace, sleep=pace.sleep).drain()
    finally:
        await client.aclose()
    with Session(db) as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "proposal")).one()
    assert row.status == "sent", row.last_error
    [message] = [m for m in graph.sent if m["type"] in ("interactive", "template")]
    if later == HOUR:
        assert message["type"] == "interactive" and "Addetta pulizie" in message["interactive"]["body"]["text"]
        assert [b["reply"]["title"] for b in message["interactive"]["action"]["buttons"]] == [
            "I'm interested", "No, thanks"]
    else:
        [template] = graph.templates_sent()
        assert template["name"] == TEMPLATE
        params = [p["text"] for c in template["components"] for p in c["parameters"]]
        assert params == ["Addetta pulizie", "Imola", "fixed-term contract, Shifts"]


# -- the command line: propose, outcome ------------------------------------------------------------
@pytest.fixture
def run(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str, answer: str = ""):
        import io
        monkeypatch.setattr("sys.stdin", io.StringIO(answer))
        status = cli.main(list(argv), now=NOW)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def test_propose_shows_who_asks_and_hiring_records_placed_once(db, service, run):
    _a, first = person(db, service, "5006")
    _b, second = person(db, service, "5007")
    job = vacancy(db)
    status, out, _ = run("vacancies", "propose", str(job), "--to", f"{first},{second}", answer="n\n")
    assert status == 1 and first in out and "Riceveranno la proposta: 2 di 2." in out and "Nessuna proposta" in out
    assert candidacy_of(db, first) is None
    status, out, err = run("vacancies", "propose", str(job), "--to", f"{first.lower()}, {second}", "--yes")
    assert (status, err) == (0, "") and "Proposte in coda: 2" in out
    status, _, err = run("vacancies", "propose", str(job), "--to", "ZZZ-999", "--yes")
    assert status == 2 and "nessuna persona con il codice ZZZ-999" in err

    base = ("vacancies", "outcome", str(job), "--code", first)
    status, out, err = run(*base, "--result", "hired", "--start", "2026-12-14")
    assert (status, err) == (0, "") and "assunta" in out
    assert run(*base, "--result", "hired")[0] == 0  # recorded again: the same one step
    [placed] = events(db, "placement")
    assert (placed.company, placed.contract_type, placed.day) == ("Pulizie Emilia srl", "fixed_term",
                                                                  dt.date(2026, 12, 14))
    with Session(db) as session:
        assert session.scalar(select(Registration.status).where(Registration.code == first)) == "placed"
    status, _, err = run(*base, "--result", "withdrew")
    assert status == 2 and "già assunta" in err
    status, out, _ = run("vacancies", "outcome", str(job), "--code", second, "--result", "refused",
                         "--reason", "paga troppo bassa")
    assert status == 0
    found = candidacy_of(db, second)
    assert (found.state, found.reason_text) == ("refused_contract", "paga troppo bassa")
    status, _, err = run("vacancies", "outcome", str(job), "--code", second, "--result", "boh")
    assert status == 2 and "esito sconosciuto" in err


def test_hiring_without_an_interview_on_the_path_is_refused_in_italian(db, service):
    _chat, code = person(db, service, "5008", interviewed=False)
    job = vacancy(db)
    propose(db, job, code)
    with Session(db) as session, session.begin(), pytest.raises(candidacy.Invalid) as refused:
        candidacy.outcome(session, vacancy_id=job, code=code, result="hired", now=NOW, today=TODAY)
    assert "registra prima il colloquio" in str(refused.value)
    with Session(db) as session:
        assert session.scalar(select(func.count()).select_from(ProgrammeEvent)
                              .where(ProgrammeEvent.kind == "placement")) == 0


# -- the web chat ---------------------------------------------------------------------------------
def test_a_proposal_reaches_the_web_chat_and_its_answer_is_stored(db, fast_hashes):  # noqa: F811
    from fastapi.testclient import TestClient
    from store.models import ChannelIdentity
    from tests.test_webchat import Browser, make_app
    with TestClient(make_app(db)) as client:
        browser = Browser(client)
        browser.say("/start")
        with Session(db) as session, session.begin():
            contact_id = session.scalar(select(ChannelIdentity.contact_id)
                                        .where(ChannelIdentity.external_id == browser.person))
            session.add(Registration(contact_id=contact_id, code="WEB-111", status="interviewed", first_name="Ada"))
        propose(db, vacancy(db), "WEB-111")
        [shown] = client.get("/chat/messages").json()["messages"]
        # in Italian, the person's language here: the issue's own words
        assert "Lavoro: Addetta pulizie" in shown["text"] and "Contratto: contratto a tempo determinato" in shown["text"]
        assert [b["label"] for b in shown["buttons"]] == ["Mi interessa", "No, grazie"]
        browser.replies = [shown]
        browser.press("No, grazie")
        browser.press("Ho trovato lavoro")
        assert "Bella notizia!" in browser.text
    found = candidacy_of(db, "WEB-111")
    assert (found.state, found.reason) == ("declined", "found_work")


def test_a_closed_vacancy_or_somebody_elses_proposal_changes_nothing(db, service):
    from conversations import payload
    from tests.registration_helpers import press_payload
    chat, code = person(db, service, "5009")
    other, other_code = person(db, service, "5010")
    job = vacancy(db)
    propose(db, job, code, other_code)
    theirs = candidacy_of(db, other_code).id
    press_payload(chat, payload.encode_action(payload.JobAnswer("yes", theirs)))  # forged: not hers
    assert "no longer active" in chat.text and candidacy_of(db, other_code).state == "proposed"
    with Session(db) as session, session.begin():
        companies.get_vacancy(session, job).status = "closed_filled"
    receive(chat, db)
    chat.press("I'm interested")
    assert "this job offer is closed now" in chat.text and candidacy_of(db, code).state == "proposed"
    assert events(db, "selection") == []
