"""Documents from job seekers (#15): "My registration" -> "Send my CV" asks for a file; a file sent at
any other moment is kept as well, and the question under way asked again.

The adapters fetch the file, services.documents checks its content (type and size) and keeps it
before the step; the engine only sees an ``Upload`` (name, type, size, hash, or why it was refused).
See documents.md for the diagram.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import office
from .flow import Ctx, Flow, Invalid, Step
from .i18n import N_
from .messages import Outbound

if TYPE_CHECKING:
    from .engine import Engine

NAME = "document"
# Translators: a button; WhatsApp shows at most 20 characters
SEND_LABEL = N_("Send my CV")
MB = 1024 * 1024


def _prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    return _("Send me your CV or another document now: a PDF, a Word file or a photo of the pages. "
             "Attach it with the paperclip (📎) or the camera. Write /cancel to stop.")


def _not_a_file(text: str, ctx: Ctx):
    raise Invalid(ctx.t.gettext("I am waiting for a file, not a message."))


FLOW = Flow(NAME, (Step("file", _prompt, parse=_not_a_file, max_length=1000),), diagram="documents.md")


def start(engine: "Engine", ctx: Ctx) -> list[Outbound]:
    return engine.start(ctx, NAME)


def received(engine: "Engine", ctx: Ctx) -> list[Outbound]:
    """A file arrived: kept and thanked for, or refused politely; then the question under way again
    (or the menu). Inside "Send my CV" the flow is over once a file is kept; written to the office
    (its question, or its conversation open to answers), it is a message there too."""
    upload = ctx.inbound.upload
    _ = ctx.t.gettext
    if upload is None or upload.problem:
        return [Outbound(refusal(ctx, upload.problem if upload else "unreadable", upload.limit if upload else 0))] \
            + _again(engine, ctx)
    if not ctx.store.may_keep_documents():  # its file goes too (services.conversation)
        if office.written_to(ctx):  # someone in difficulty may write to the office all the same
            return [Outbound(_("I can keep documents only once you have accepted the privacy notice, when you "
                               "register. You can write your message to the office in words."))] + _again(engine, ctx)
        return [Outbound(_("I can keep documents only once you have accepted the privacy notice. "
                           "Let's do that first; then send it again."))] + engine.reprompt(ctx)
    document_id = ctx.store.save_document(upload, ctx.inbound.channel)
    if (to_office := office.document(engine, ctx, upload.name, document_id)) is not None:
        return to_office
    # Translators: {name}: the file's name as it was sent ("cv.pdf")
    thanks = Outbound(_("Thank you: I received {name}. The office's operators will find it with your data.").format(
        name=ctx.t.isolate(upload.name)))
    if ctx.state.flow == NAME:
        engine.finish(ctx)
        return [thanks, engine.commands.menu(engine, ctx)]
    return [thanks] + engine.reprompt(ctx)


def _again(engine: "Engine", ctx: Ctx) -> list[Outbound]:
    """The question under way, or the menu; nothing in a conversation with the office outside any
    flow (its answers come without the menu: conversations.office)."""
    if ctx.state.flow is None and ctx.store.office_thread_open():
        return []
    return engine.reprompt(ctx)


def refusal(ctx: Ctx, problem: str | None, limit: int) -> str:
    _ = ctx.t.gettext
    if problem == "too_big":
        return _("This file is too big for me: at most {size} MB, please. A photo of each page, or a PDF "
                 "saved again smaller, will do.").format(size=max(limit // MB, 1))
    if problem == "type":
        return _("I cannot accept this kind of file. Please send a PDF, a Word document or a photo "
                 "(JPEG or PNG).")
    return _("I could not receive this file. Please try again in a few minutes.")


def lines(ctx: Ctx) -> list[str]:
    """For "see my data": the documents sent, with their day."""
    found = ctx.store.documents()
    if not found:
        return []
    _ = ctx.t.gettext
    return ["", _("Documents you sent:")] + [
        # Translators: {name}: a file's name; {date}: the day it was sent
        _("{name}, sent on {date}").format(name=ctx.t.isolate(d.name), date=ctx.t.isolate(ctx.t.format_date(d.sent_at)))
        for d in found]
