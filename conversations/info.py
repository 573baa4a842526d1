"""Programme information in the chat (#15): the menu's "About the programme" with the topics the
office wrote as buttons, a topic's answer, and the answer to a question typed freely (matched by
conversations.info_match). Texts come from the office (Store.info_topics), in the person's
language, else in Italian; what the bot says around them goes through gettext.

Outside any flow (Commands.idle) a matched question is answered with the menu after it; a
newcomer then finds "Register" first in that menu. At a step of a flow, a question that the step
does not take as its answer is answered and the step's question asked again (Engine.answer)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import info_match
from .flow import Ctx
from .info_store import InfoEntry
from .messages import Button, Kind, Outbound
from .payload import Action, InfoAbout, InfoTopicAnswer, Menu, WriteToOffice, action_button

if TYPE_CHECKING:
    from .engine import Engine

SHOWN_TOPICS = 9  # with "Menu", one WhatsApp list of 10 rows


def menu_button(ctx: Ctx) -> Button:
    _ = ctx.t.gettext
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    return action_button(_("About the programme"), InfoAbout())


def run(engine: "Engine", ctx: Ctx, action: Action) -> list[Outbound] | None:
    """The replies to a programme information button; None when the action is not one of these."""
    if isinstance(action, InfoAbout):
        return topics_list(engine, ctx)
    if isinstance(action, InfoTopicAnswer):
        topic = next((t for t in ctx.store.info_topics() if t.key == action.key), None)
        entry = topic.entry(ctx.state.language) if topic else None
        if entry is None:
            return engine.stale(ctx)
        return [Outbound(_text(entry)), engine.commands.menu(engine, ctx)]
    return None


def topics_list(engine: "Engine", ctx: Ctx) -> list[Outbound]:
    _ = ctx.t.gettext
    shown = [(topic.key, entry) for topic in ctx.store.info_topics()
             if (entry := topic.entry(ctx.state.language))][:SHOWN_TOPICS]
    if not shown:
        return [Outbound(_("The office has not written this information yet. Please ask at the "
                           "Insieme per il lavoro office.")), engine.commands.menu(engine, ctx)]
    buttons = tuple(action_button(entry.title, InfoTopicAnswer(key)) for key, entry in shown)
    return [Outbound(_("What would you like to know about Insieme per il lavoro?"),
                     buttons + (action_button(_("Menu"), Menu()),))]


def answer_typed(ctx: Ctx, asked: Outbound | None = None) -> list[Outbound]:
    """The answer to a typed question about the programme, or nothing when it asks none. ``asked``:
    the question of the step the text came at; words of its own (its text, its buttons) point to no
    topic there: "non ho il codice fiscale" at the codice fiscale's question is about that question."""
    text = _typed(ctx)
    if len(text) > 500 or info_match.is_greeting(text):  # nothing asked: not even a read of the topics
        return []
    if asked is not None:
        theirs = set(info_match.words(" ".join([asked.text, *(b.label for b in asked.buttons)])))
        text = " ".join(word for word in info_match.words(text) if word not in theirs)
    found = info_match.find(text, ctx.store.info_topics(), ctx.state.language)
    if found is None:
        return []
    entry = found.topic.texts.get(found.language) or found.topic.entry(ctx.state.language)
    return [Outbound(_text(entry))] if entry else []


def idle(engine: "Engine", ctx: Ctx) -> list[Outbound] | None:
    """A message outside any flow: a question about the programme is answered, with the menu;
    anything else from a registered person (greetings aside) is not understood: they can write to
    the office. None: a newcomer's greeting or unknown text, or a registered person's greeting."""
    answered = answer_typed(ctx)
    if answered:
        return answered + [engine.commands.menu(engine, ctx)]
    if ctx.store.registration_code() is None or info_match.is_greeting(_typed(ctx)):
        return None
    _ = ctx.t.gettext
    return [Outbound(_("Sorry, I did not understand. You can choose from the menu, or write your "
                       "question to the office: a person will answer you."),
                     # Translators: a button; WhatsApp shows at most 20 characters
                     (action_button(_("Write to the office"), WriteToOffice()),)),
            engine.commands.menu(engine, ctx)]


def _typed(ctx: Ctx) -> str:
    """What the person typed, if this message is typed text (a command such as /start is not)."""
    text = ctx.inbound.text.strip() if ctx.inbound.kind is Kind.TEXT else ""
    return "" if text.startswith("/") else text


def _text(entry: InfoEntry) -> str:
    return f"{entry.title}\n\n{entry.answer}"
