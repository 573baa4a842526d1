"""Using the bot on a second chat app: a registered person asks for a one-time code on one app
(/link, or "/link" in /help) and sends it from the other (``/link 123456``, or the code after
tapping "Already registered" in the menu). That app's chat then belongs to the same
registration. See linking.md for the diagram; services/linking.py keeps the codes.
"""
from __future__ import annotations

from ..flow import Ctx, Flow, Invalid, Outcome, Step
from ..i18n import N_
from ..messages import Kind, Outbound
from ..payload import Menu, action_button
from ..store import LinkResult

NAME = "link"
DIGITS = 6
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": N_("web chat"), "console": N_("terminal")}


def _code(text: str) -> str | None:
    code = "".join(text.replace("-", " ").split())
    return code if len(code) == DIGITS and code.isascii() and code.isdecimal() else None


def _bad_format(ctx: Ctx) -> str:
    # Translators: the one-time code to link a second chat app: 6 digits; keep 123456 in Latin digits
    return ctx.t.gettext("A code has 6 digits, for example: 123456. Please write it again.")


def channel_name(channel: str, ctx: Ctx) -> str:
    return ctx.t.gettext(CHANNEL_NAMES.get(channel, channel))


def _link(ctx: Ctx, code: str) -> tuple[LinkResult, str]:
    """Send the code; the result and what to tell the person (in their registration's language)."""
    result = ctx.store.link_with(code, ctx.inbound.channel, ctx.inbound.external_id)
    if result.status == "linked" and result.language:
        ctx.state.language = result.language
    _ = ctx.t.gettext
    messages = {
        "linked": _("Done! This chat is now linked to your registration {code}. "
                    "You can use me here and on your other app."),
        "wrong": _("This code is not right. Please check it and write it again."),
        "expired": _("This code is too old or was already used. On the app where you registered, "
                     "write /link to get a new one."),
        "locked": _("Too many wrong codes. Please wait 15 minutes, then ask for a new code with "
                    "/link on the app where you registered."),
        "own": _("This code is for this same chat. Write it on your other app, where you are not "
                 "registered yet."),
        "registered": _("This chat already has its own registration, so I cannot link it to another one. "
                        "Please contact the Insieme per il lavoro office: an operator will help you."),
        "taken": _("Your registration is already linked to another {channel} account. To change it, "
                   "please contact the Insieme per il lavoro office."),
    }
    text = messages[result.status].format(code=ctx.t.isolate(result.registration_code or ""),
                                          channel=channel_name(ctx.inbound.channel, ctx))
    return result, text


# -- the one-step flow: "write the code" ------------------------------------------------------
def _prompt(ctx: Ctx) -> str:
    return ctx.t.gettext("Are you already registered on another app (WhatsApp or Telegram)? There, write "
                         "/link: you will get a code of 6 digits. Write the code here.")


def _parse(text: str, ctx: Ctx) -> str:
    code = _code(text)
    if code is None:
        raise Invalid(_bad_format(ctx))
    return code


def _after(ctx: Ctx, code: str | None) -> Outcome:
    _ = ctx.t.gettext
    if code is None:
        return Outcome(end=True, menu=True, messages=(Outbound(_(
            "No problem. To get a code, open the app where you registered and write /link. "
            "If you have never registered, tap \"Register\".")),))
    result, text = _link(ctx, code)
    if result.status in ("wrong", "expired", "own"):
        return Outcome(goto="code", messages=(Outbound(text),))
    return Outcome(end=True, menu=True, messages=(Outbound(text),))


FLOW = Flow(NAME, (
    # Translators: a button; WhatsApp shows at most 20 characters
    Step("code", _prompt, parse=_parse, skip_label=N_("I have no code"), max_length=40, after=_after),
), diagram="linking.md")


# -- the command and the menu's button ----------------------------------------------------------
def command(engine, ctx: Ctx) -> list[Outbound]:
    """/link gives a code to a registered person and asks the others for one; /link 123456 sends it."""
    words = ctx.inbound.text.split() if ctx.inbound.kind is Kind.TEXT else []
    if len(words) > 1:
        return _send_now(engine, ctx, " ".join(words[1:]))
    return action(engine, ctx)


def action(engine, ctx: Ctx) -> list[Outbound]:
    if ctx.store.registration_code() is not None:
        return _give_code(engine, ctx)
    if ctx.state.flow == NAME:
        return engine.reprompt(ctx)
    return engine.start(ctx, NAME)


def _give_code(engine, ctx: Ctx) -> list[Outbound]:
    _ = ctx.t.gettext
    code = ctx.store.link_code()
    # Translators: {code}: 6 digits; keep /link as it is: it is a command the person types
    text = _("Your code: {code}\n\nTo use me also on another app (WhatsApp or Telegram): within 15 minutes, "
             "write there:\n/link {code}\n\nThe code works once. Do not give it to anybody.").format(code=ctx.t.isolate(code))
    if engine.current(ctx.state):
        return [Outbound(text)] + engine.reprompt(ctx)
    return [Outbound(text, (action_button(_("Menu"), Menu()),))]


def _send_now(engine, ctx: Ctx, typed: str) -> list[Outbound]:
    code = _code(typed)
    if code is None:
        return [Outbound(_bad_format(ctx))] + engine.reprompt(ctx)
    result, text = _link(ctx, code)
    if result.status != "linked":
        return [Outbound(text)] + engine.reprompt(ctx)
    engine.leave(ctx)  # what this chat had half done is gone with its old contact
    return [Outbound(text), engine.commands.menu(engine, ctx)]
