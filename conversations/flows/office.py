"""Writing to the office (``office``): the person's message -> stored in their conversation
with the office -> a confirmation saying when to expect an answer. See office.md.

Entered from the menu, /help's /office, or words such as "operatore" typed outside a flow
(conversations.office). A flow under way is kept beneath and asked again after; /cancel leaves.
A file sent at the question is the message (conversations.documents, conversations.office).

Someone who never accepted the privacy notice may write too (a person in difficulty must reach
the office); the question then says in one sentence what the office keeps, and /privacy.
"""
from __future__ import annotations

from ..flow import Ctx, Flow, Invalid, Outcome, Step
from ..i18n import N_
from ..messages import Outbound

NAME = "office"
MAX_LENGTH = 1000


def confirmation(ctx: Ctx, opens_at) -> Outbound:
    """Thanks, and when an answer may come (the office's hours: services.office_hours)."""
    _ = ctx.t.gettext
    if opens_at is None:
        return Outbound(_("Thank you, your message has reached the office. An operator will answer you here "
                          "during office hours, usually within one working day."))
    # Translators: {when}: the day and time the office opens again, "lunedì 7 dicembre 2026, 09:00"
    return Outbound(_("Thank you, your message has reached the office. The office is closed now: an operator "
                      "will answer you here from {when}.").format(
        when=ctx.t.isolate(ctx.t.format_datetime(opens_at, "full"))))


PROMPT = N_("Write your message for the office here, in one message: an operator of Insieme per il lavoro will "
            "read it and answer you in this chat. To go back without writing, send /cancel.")


def _prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    if ctx.store.may_keep_documents():  # the privacy notice accepted: it said all this already
        return _(PROMPT)
    return _(PROMPT) + "\n\n" + _("The office keeps your message and this chat's contact only to answer you; "
                                   "/privacy shows and erases them.")


def _parse(text: str, ctx: Ctx) -> str:
    if not any(c.isalnum() for c in text):  # only punctuation or emoji: nothing an operator can answer
        raise Invalid(ctx.t.gettext("Please write your message in words, so that the office can answer you."))
    return text


def _after(ctx: Ctx, text: str) -> Outcome:
    receipt = ctx.store.office_write(text, ctx.inbound.channel)
    return Outcome(end=True, resume=True, messages=(confirmation(ctx, receipt.opens_at),))


FLOW = Flow(NAME, (
    Step("message", _prompt, parse=_parse, max_length=MAX_LENGTH, after=_after),
), diagram="office.md")
