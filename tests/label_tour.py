"""A tour of every screen with buttons, in one language: registration (the edit menu, the
WhatsApp number question, the skips), the menus, settings, privacy, booking and cancelling an
interview, a workshop seat and a waiting place, giving a seat back, the programme information and
text not understood, linking, erasing, and the
messages the bot starts itself (reminders, notices). Buttons are pressed by their value, not
their label, so the tour runs in any language. tests/test_platform_limits.py checks what it saw."""
from __future__ import annotations


from conversations import notices, payload, reminders
from conversations.describe import Reader
from conversations.flow import DONE, SKIP
from conversations.messages import Inbound, Kind, Outbound
from conversations.store import Seat, Slot, Workshop
from services.conversation import ConversationService
from tests.booking_flow_helpers import add_slot, add_workshop, days_ahead
from tests.conftest import NOW


class Tourist:
    """One person on one channel who keeps every reply they were sent."""

    def __init__(self, service: ConversationService, language: str, channel: str = "console",
                 external_id: str = "tour", channel_phone: str | None = None):
        self.service, self.language, self.channel = service, language, channel
        self.external_id, self.channel_phone = external_id, channel_phone
        self.replies: list[Outbound] = []
        self.seen: list[Outbound] = []

    def _send(self, **fields) -> None:
        self.replies = self.service.handle(Inbound(channel=self.channel, external_id=self.external_id,
                                                   channel_phone=self.channel_phone, **fields))
        self.seen += self.replies

    def say(self, text: str) -> None:
        self._send(kind=Kind.TEXT, text=text)

    def press(self, value: str | type[payload.Action], nth: int = 0) -> None:
        """The ``nth`` button among the last replies whose value is ``value`` (a step's option
        value, or a global action's type)."""
        found = [b for reply in self.replies for b in reply.buttons if _is(b.payload, value)]
        assert len(found) > nth, (value, [b.label for r in self.replies for b in r.buttons])
        self._send(kind=Kind.BUTTON, payload=found[nth].payload)


def _is(data: str, value) -> bool:
    pressed = payload.decode(data)
    if isinstance(value, str):
        return not pressed.is_global and (pressed.value == value or pressed.value.startswith(value + ":"))
    return pressed.is_global and isinstance(payload.decode_action(pressed.value), value)


def agenda(db) -> None:
    """Interview slots over more days than one page shows, a workshop with seats and a full one."""
    for day in range(1, 9):
        add_slot(db, days_ahead(day, 9), duration_minutes=45)
        add_slot(db, days_ahead(day, 11), duration_minutes=45, mode="phone")
    add_workshop(db, days_ahead(3, 15))
    add_workshop(db, days_ahead(4, 15), capacity=2, registered=2, title="Incontro 2 - Il curriculum")
    from sqlmodel import Session
    from services import demo_info
    with Session(db) as sql_session, sql_session.begin():  # the programme information's topics (#15)
        demo_info.load(sql_session, now=NOW)


def register(person: Tourist) -> None:
    person.say("/start")
    person.press(person.language)
    person.press("yes")
    for answer in ("Maria", "Rossi", "05/03/1990"):
        person.say(answer)
    person.press(SKIP)
    person.say("Bologna")
    if person.channel_phone:
        person.press("other")  # the number WhatsApp gives: "Another number"
    person.say("347 123 4567")
    person.press(SKIP)
    for value in ("unemployed", "upper_secondary", "good"):
        person.press(value)
    for value in ("cleaning", "office", DONE):
        person.press(value)
    person.press("licence")
    for value in ("part_time", DONE):
        person.press(value)
    person.press("edit")
    person.press("first_name")
    person.say("Maria")
    person.press("confirm")


def tour(service: ConversationService, db, language: str) -> list[Outbound]:
    """Every reply of the tour in ``language``, the messages the bot starts itself included."""
    agenda(db)
    person = Tourist(service, language, channel="telegram")  # Telegram: the "share my number" button too
    register(person)
    for command in ("/menu", "/settings", "/privacy", "/language", "/help"):
        person.say(command)
    person.say("/settings")
    person.press(payload.Toggle)
    person.press(payload.Toggle, 1)
    person.say("/menu")
    person.press(payload.MyData)
    person.say("/menu")
    person.press(payload.BookInterview)
    person.press("more")
    person.press("less")
    person.press(_first_day(person))
    person.press("back")
    person.press(_first_day(person))
    person.press(_first_slot(person))
    person.press("other")
    person.press(_first_slot(person))
    person.press("yes")
    person.press(payload.Appointments)
    person.press(payload.CancelInterview)
    person.press("no")
    person.say("/menu")
    person.press(payload.Workshops)
    person.press(_workshop(person, 0))
    person.press("other")
    person.press(_workshop(person, 0))
    person.press("yes")
    person.press(payload.Appointments)
    person.press(payload.Workshops)
    person.press(_workshop(person, 1))
    person.press("yes")
    person.press(payload.Appointments)
    person.press(payload.GiveBackSeat)
    person.press("keep")
    person.say("/menu")
    person.press(payload.InfoAbout)
    person.press(payload.InfoTopicAnswer, 5)
    person.say("qwerty zxcv")  # not understood: "Write to the office" and the menu
    job_offer(db, person)
    person.say("/privacy")
    person.press(payload.Erase)
    person.press("no")
    person.say("/link")
    newcomer = Tourist(service, language, channel="whatsapp", external_id="393470000000",
                       channel_phone="393470000000")
    newcomer.say("/start")
    newcomer.press(language)
    newcomer.press("no")
    newcomer.say("/menu")
    newcomer.press(payload.LinkApp)
    newcomer.press(SKIP)
    neighbour = Tourist(service, language, channel="whatsapp", external_id="393471111111",
                        channel_phone="393471111111")
    register(neighbour)
    return person.seen + newcomer.seen + neighbour.seen + started_by_the_bot(language)


def job_offer(db, person: Tourist) -> None:
    """A proposal from the office (services.proposals), "No, thanks" and its reasons, "My applications"."""
    from sqlalchemy import select
    from sqlmodel import Session
    from services import companies, proposals
    from store.models import Registration
    person.say("/start")  # notices on again (the settings' tour turned them off): /stop would keep offers away
    with Session(db) as sql_session, sql_session.begin():
        company = companies.create_company(sql_session, now=NOW, name="Pulizie Emilia srl", vat_number="03123450375",
                                           sector="Pulizie", municipality="Imola")
        vacancy = companies.create_vacancy(sql_session, company_id=company.id, now=NOW, role="Addetta pulizie",
                                           sector="Pulizie", municipality="Imola", contract_type="determinato",
                                           hours="Turni")
        code = sql_session.scalars(select(Registration.code).order_by(Registration.id)).first()
        sent = proposals.propose(sql_session, vacancy_id=vacancy.id, codes=[code], now=NOW)
        assert sent.sent == [code], sent
        candidate_id = vacancy.id
    person.say("/menu")
    person.press(payload.MyJobs)
    person.press(payload.JobAnswer, 1)  # No, thanks
    person.press("other")
    person.say("Devo pensarci")
    person.press(payload.MyJobs)
    person.seen.append(proposal_message(person.language, candidate_id))


def proposal_message(language: str, candidate_id: int) -> Outbound:
    from conversations import jobs
    from conversations.store import Job
    job = Job(candidate_id, "Addetta pulizie", "Imola", "agency", "shifts", "proposed", company="Pulizie Emilia srl")
    return jobs.proposal(language=language, job=job, now=NOW)


def started_by_the_bot(language: str) -> list[Outbound]:
    reader = Reader(language, NOW)
    slot = Slot(1, days_ahead(2), 45, "in_person", "Via del Lavoro 1, Bologna", "Anna")
    workshop = Workshop(1, "Incontro 1", "", days_ahead(3, 15), days_ahead(3, 17), "Sala incontri", 10, 3, "it")
    return [reminders.interview_reminder(reader, 1, slot), reminders.workshop_reminder(reader, 1, workshop),
            notices.promoted(language=language, seat=Seat(1, "registered", None, workshop), now=NOW),
            notices.slot_cancelled(language=language, slot=slot, now=NOW),
            notices.workshop_changed(language=language, workshop=workshop, now=NOW, kind=notices.MOVED)]


def _values(person: Tourist) -> list[str]:
    return [payload.decode(b.payload).value for r in person.replies for b in r.buttons]


def _first_day(person: Tourist) -> str:
    return next(v for v in _values(person) if v[:1].isdigit() and "-" in v)


def _first_slot(person: Tourist) -> str:
    return next(v for v in _values(person) if v.isdigit())


def _workshop(person: Tourist, nth: int) -> str:
    return [v for v in _values(person) if v.isdigit()][nth]
