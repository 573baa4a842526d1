"""Opting out of notices (/stop, or STOP typed alone) and back in (/start), and /settings:
reminders, notices and job offers on or off. None of it moves the person from the step they are on."""
from __future__ import annotations

import string

from .engine import Engine
from .flow import Ctx
from .messages import Outbound
from .payload import Menu, Toggle, action_button
from .store import Preferences

_STOP_WORDS = {"stop"}


def as_command(text: str) -> str | None:
    """STOP typed alone ("stop", "Stop!", " STOP. ") is the /stop command, at any step."""
    return "/stop" if text.strip().strip(string.punctuation + " ").casefold() in _STOP_WORDS else None


def stop(engine: Engine, ctx: Ctx) -> list[Outbound]:
    _ = ctx.t.gettext
    ctx.store.set_notices(False)
    said = Outbound(_("You will no longer receive notices from Insieme per il lavoro. You will still get "
                      "reminders of the appointments you booked: you can turn them off with /settings. "
                      "To receive notices again, write /start."))
    return [said] + _back(engine, ctx)


def notices_back_on(ctx: Ctx) -> list[Outbound]:
    """For /start: notices on again if they were off, and a line saying so."""
    if ctx.store.preferences().notices:
        return []
    ctx.store.set_notices(True)
    return [Outbound(ctx.t.gettext("Notices are on again: you will receive the news of Insieme per il lavoro."))]


def settings(engine: Engine, ctx: Ctx) -> list[Outbound]:
    return [_settings_message(ctx)] + _back(engine, ctx)


def toggle(engine: Engine, ctx: Ctx, pressed: Toggle) -> list[Outbound]:
    """A settings button: it says which way (an old one pressed again changes nothing)."""
    _ = ctx.t.gettext
    on = pressed.on
    if pressed.setting == "reminders":
        ctx.store.set_reminders(on)
        said = _("Reminders are on.") if on else _("Reminders are off: I will not remind you of your appointments.")
    elif pressed.setting == "offers":
        ctx.store.set_offers(on)
        said = _("Job offers are on.") if on else _("Job offers are off: the office will not send you job offers.")
    else:
        ctx.store.set_notices(on)
        said = _("Notices are on.") if on else _("Notices are off: you will not receive the office's news.")
    return [_settings_message(ctx, said, edit=True)] + _back(engine, ctx)


def lines(ctx: Ctx, chosen: Preferences | None = None) -> list[str]:
    """The settings as they read in /settings and in "my data"."""
    _ = ctx.t.gettext
    chosen = chosen or ctx.store.preferences()
    state = {True: _("on"), False: _("off")}
    return [_("Reminders of your appointments: {state}").format(state=state[chosen.reminders]),
            _("Notices from Insieme per il lavoro: {state}").format(state=state[chosen.notices]),
            _("Job offers: {state}").format(state=state[chosen.offers])]


def _settings_message(ctx: Ctx, said: str | None = None, *, edit: bool = False) -> Outbound:
    _ = ctx.t.gettext
    chosen = ctx.store.preferences()
    buttons = (
        # Translators: a button; WhatsApp shows at most 20 characters
        action_button(_("Turn reminders off") if chosen.reminders else
                      # Translators: a button; WhatsApp shows at most 20 characters
                      _("Turn reminders on"), Toggle("reminders", not chosen.reminders)),
        # Translators: a button; WhatsApp shows at most 20 characters
        action_button(_("Turn notices off") if chosen.notices else
                      # Translators: a button; WhatsApp shows at most 20 characters
                      _("Turn notices on"), Toggle("notices", not chosen.notices)),
        # Translators: a button; WhatsApp shows at most 20 characters
        action_button(_("Turn job offers off") if chosen.offers else
                      # Translators: a button; WhatsApp shows at most 20 characters
                      _("Turn job offers on"), Toggle("offers", not chosen.offers)),
        action_button(_("Menu"), Menu()))
    text = "\n".join(([said, ""] if said else []) + [_("Your settings:")] + lines(ctx, chosen))
    return Outbound(text, buttons, edit=edit)


def _back(engine: Engine, ctx: Ctx) -> list[Outbound]:
    """The current question again, if a flow is under way."""
    return engine.reprompt(ctx) if engine.current(ctx.state) else []
