"""Talking to the office (#15): "Write to the office" (menu, /office, or asked for in words),
the person's answers to an operator's reply going to the same conversation (a file they send
then too), and the office's reply as the person reads it. The flow itself is
conversations.flows.office.
"""
from __future__ import annotations

import re
import unicodedata

from .describe import Reader
from .engine import Engine
from .flow import Ctx
from .flows import office as flow
from .messages import Kind, Outbound
from .payload import WriteToOffice, action_button

SHORT = 6  # words: a message this short asking for a person is a request, wherever it comes
KEPT = 4000  # characters of one message kept for the office (Telegram's messages reach 4,096)

# What people write when they want a human, in the nine languages (compared without case,
# accents or punctuation, as whole words): a small list, not a classifier.
ASKING_FOR_A_PERSON = {
    "it": ("operatore", "operatrice", "parlare con una persona", "parlare con qualcuno", "parlare con l ufficio",
           "scrivere all ufficio", "scrivi all ufficio", "persona vera", "persona reale", "assistenza umana"),
    "en": ("operator", "talk to a person", "speak to a person", "talk to someone", "speak to someone",
           "talk to a human", "speak to a human", "real person", "write to the office", "contact the office"),
    "fr": ("operateur", "parler a quelqu un", "parler a une personne", "parler avec une personne", "conseiller",
           "ecrire au bureau", "une vraie personne"),
    "es": ("operador", "operadora", "hablar con una persona", "hablar con alguien", "persona real",
           "escribir a la oficina"),
    "ar": ("موظف", "موظفة", "التحدث مع شخص", "التكلم مع شخص", "اتكلم مع شخص", "شخص حقيقي", "الكتابة للمكتب"),
    "uk": ("оператор", "оператором", "поговорити з людиною", "жива людина", "живою людиною", "написати в офіс",
           "консультант"),
    "ro": ("operator", "operatorul", "vorbesc cu o persoana", "vorbesc cu cineva", "persoana reala",
           "scriu la birou"),
    "ur": ("آپریٹر", "کسی انسان سے بات", "کسی سے بات", "دفتر سے بات", "دفتر کو لکھنا"),
    "bn": ("অপারেটর", "মানুষের সাথে কথা", "কারো সাথে কথা", "অফিসে লিখতে", "অফিসের সাথে কথা"),
}


def _plain(text: str) -> str:
    """Lower case, no accents or marks, punctuation as spaces: "Vorrei parlare con l'Ufficio!" ->
    "vorrei parlare con l ufficio"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


_PHRASES = tuple(dict.fromkeys(_plain(p) for phrases in ASKING_FOR_A_PERSON.values() for p in phrases))


def asks_for_a_person(text: str) -> bool:
    padded = f" {_plain(text)} "
    return any(f" {phrase} " in padded for phrase in _PHRASES)


def as_command(text: str) -> str | None:
    """A short message asking for a person ("operatore", "vorrei parlare con un operatore") is
    /office at any step, so that a newcomer in the middle of the registration gets there too. A
    longer one ("ho lavorato come operatore ecologico per 5 anni") is an answer like any other."""
    return "/office" if len(text.split()) <= SHORT and asks_for_a_person(text) else None


def menu_button(ctx: Ctx):
    _ = ctx.t.gettext
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    return action_button(_("Write to the office"), WriteToOffice())


def help_line(ctx: Ctx) -> str:
    return ctx.t.gettext("/office - write a message to the office")


def write(engine: Engine, ctx: Ctx) -> list[Outbound]:
    """The question for the message; a flow under way waits beneath it (a question asked aside
    over it is dropped, the flow beneath that kept). Words asking for a person typed as the
    message itself are the message, and typed to an open conversation they go to it."""
    state, typed = ctx.state, _typed(ctx)
    if state.flow == flow.NAME:
        return engine.answer(ctx) if typed else engine.reprompt(ctx)
    if typed and state.flow is None and ctx.store.office_thread_open():
        return _to_the_conversation(ctx, typed)
    current = engine.flows.get(state.flow or "")
    if current is None:
        beneath = None
    elif current.aside:
        beneath = state.paused
    elif state.step == current.first.name and not state.answers:
        beneath = None  # not started (a newcomer at the language question): the menu after, not that
    else:
        beneath = {key: value for key, value in state.to_dict().items()
                   if key in ("flow", "step", "answers", "scratch", "editing")}
    replies = engine.start(ctx, flow.NAME)
    state.paused = beneath
    return replies


def idle(engine: Engine, ctx: Ctx) -> list[Outbound] | None:
    """Text outside any flow: to the office's conversation while an operator's reply is open to
    answers, or the office's question when the person asks for a person; None otherwise."""
    inbound = ctx.inbound
    text = inbound.text.strip() if inbound.kind is Kind.TEXT else ""
    if not text:
        return None
    if ctx.store.office_thread_open():
        return _to_the_conversation(ctx, text)
    return write(engine, ctx) if asks_for_a_person(text) else None


def refused_answer(ctx: Ctx) -> list[Outbound]:
    """Text a form's step refused (engine.answer) while an operator's reply is open to answers: most
    likely the answer to it ("grazie, arrivo"), so it goes to the conversation and the form's
    question is asked again after. [] otherwise (the office's own question included)."""
    typed = _typed(ctx)
    if not typed or ctx.state.flow == flow.NAME or not ctx.store.office_thread_open():
        return []
    return _to_the_conversation(ctx, typed)


def _typed(ctx: Ctx) -> str:
    """The text the person typed, unless it is a command."""
    text = ctx.inbound.text.strip() if ctx.inbound.kind is Kind.TEXT else ""
    return "" if text.startswith("/") else text


def written_to(ctx: Ctx) -> bool:
    """The person is writing to the office: at its question, or outside any flow while an
    operator's reply is open to answers."""
    return ctx.state.flow == flow.NAME or (ctx.state.flow is None and ctx.store.office_thread_open())


def document(engine: Engine, ctx: Ctx, name: str, document_id: int) -> list[Outbound] | None:
    """A file kept (conversations.documents) while the person writes to the office (written_to): a
    message of that conversation, pointing at the document. At the office's question it is the
    message: the flow ends as with words. None when the office is not being written to."""
    if ctx.state.flow == flow.NAME:
        receipt = ctx.store.office_write(name, ctx.inbound.channel, document_id)
        engine.finish(ctx)
        return [flow.confirmation(ctx, receipt.opens_at)] + engine.reprompt(ctx)
    if written_to(ctx):
        ctx.store.office_write(name, ctx.inbound.channel, document_id)
        # Translators: {name}: the file's name as it was sent ("cv.pdf")
        return [Outbound(ctx.t.gettext("Thank you: I received {name} and passed it to the office.").format(
            name=ctx.t.isolate(name)))]
    return None


def _to_the_conversation(ctx: Ctx, text: str) -> list[Outbound]:
    ctx.store.office_write(text[:KEPT], ctx.inbound.channel)
    return [Outbound(ctx.t.gettext("Thank you, I passed your message to the office."))]


def data_lines(ctx: Ctx) -> list[str]:
    """"See my data": the person's messages to the office and its replies."""
    lines = ctx.store.office_lines()
    if not lines:
        return []
    _ = ctx.t.gettext
    shown = ["", _("Your messages to the office and its replies:")]
    for line in lines:
        when = ctx.t.isolate(ctx.t.format_datetime(line.at))
        # Translators: one message in "see my data": "4 dicembre 2026, 10:45 - you: <their text>"
        said = _("{date} - you: {text}") if line.kind == "person" else _("{date} - the office: {text}")
        shown.append(said.format(date=when, text=ctx.t.isolate(("📎 " if line.document else "") + line.text)))
    return shown


def reply(*, language: str, text: str, now) -> Outbound:
    """An operator's reply as the person reads it (services.inbox queues it)."""
    _ = Reader(language, now).t.gettext
    return Outbound(_("Message from the Insieme per il lavoro office:") + "\n\n" + text + "\n\n"
                    + _("To answer, just write here."))
