"""Global commands (/start /menu /help /cancel /language /privacy /settings /stop) and menu actions.

They work from any step; where a flow is under way, its question is asked again after.
"""
from __future__ import annotations

from . import appointments, documents, info, jobs, office, preferences
from .engine import CommandSet, Engine
from .flow import Ctx
from .flows import erase, interview, job, linking, registration, workshop
from .flows import office as office_flow
from .flows.choices import LANGUAGE
from . import languages
from .messages import Outbound
from .payload import (Action, Appointments, BookInterview, Erase, Help, Languages, LinkApp, Menu, MyData, MyJobs,
                      Privacy, Register, SendDocument, SetLanguage, Settings, Toggle, Workshops,
                      action_button)



class Commands(CommandSet):
    def run_command(self, engine: Engine, ctx: Ctx, text: str) -> list[Outbound]:
        name = text.split()[0][1:].split("@")[0].lower()
        handler = {
            "start": self.start, "menu": self.show_menu, "help": self.help, "aiuto": self.help,
            "cancel": self.cancel, "annulla": self.cancel, "language": self.language,
            "lingua": self.language, "privacy": self.privacy, "settings": self.settings,
            "impostazioni": self.settings, "stop": preferences.stop,
            "link": linking.command, "collega": linking.command,
            "office": office.write, "ufficio": office.write, "operatore": office.write,
        }.get(name)
        if handler is None:
            _ = ctx.t.gettext
            shown = text.split()[0][:40]  # never echo a 4,000-character "command" (Telegram's limit is 4,096)
            return [Outbound(_("I don't know the command {command}. Write /help to see what I can do.").format(
                command=shown))] + engine.reprompt(ctx)
        return handler(engine, ctx)

    def as_command(self, text: str) -> str | None:
        return preferences.as_command(text) or office.as_command(text)

    def run_action(self, engine: Engine, ctx: Ctx, action: Action) -> list[Outbound]:
        if isinstance(action, SetLanguage):
            return self.set_language(engine, ctx, action.language) if action.language in languages.CODES \
                else engine.stale(ctx)
        if isinstance(action, Toggle):
            return preferences.toggle(engine, ctx, action)
        handler = {
            Menu: self.show_menu, Register: self.register, Help: self.help, Languages: self.language,
            Privacy: self.privacy, MyData: self.my_data, Erase: self.ask_erase, Settings: self.settings,
            LinkApp: linking.action, SendDocument: documents.start, office.WriteToOffice: office.write,
        }.get(type(action))
        if handler:
            return handler(engine, ctx)
        return (appointments.run(engine, ctx, action) or jobs.run(engine, ctx, action)
                or info.run(engine, ctx, action) or engine.stale(ctx))

    def idle(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        """A message outside any flow: an answer to the office's reply goes back to it (conversations.office);
        a question about the programme is answered (conversations.info); else newcomers start
        registering, others see the menu (or, for text not understood, the office)."""
        if (to_office := office.idle(engine, ctx)) is not None:  # the office inbox (#15)
            return to_office
        if (answered := info.idle(engine, ctx)) is not None:
            return answered
        if ctx.store.registration_code() is None:
            return engine.start(ctx, registration.NAME)
        _ = ctx.t.gettext
        return [Outbound(_("Here is what I can do for you.")), self.menu(engine, ctx)]

    def document(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        return documents.received(engine, ctx)

    def question(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        """What a step refused: an answer to the office's open reply, or a question about the programme."""
        return office.refused_answer(ctx) or info.answer_typed(ctx, asked=engine.prompt(ctx))

    def menu(self, engine: Engine, ctx: Ctx) -> Outbound:
        _ = ctx.t.gettext
        if ctx.store.registration_code() is not None:
            first = (action_button(_("My appointments"), Appointments()),
                     action_button(_("Book an interview"), BookInterview()),
                     action_button(_("Workshops"), Workshops()),
                     # Translators: an option in a list; WhatsApp shows at most 21 characters
                     action_button(_("My registration"), MyData()),
                     # Translators: an option in a list; WhatsApp shows at most 21 characters
                     action_button(_("My applications"), MyJobs()))
        else:
            first = (action_button(_("Register"), Register()),
                     # Translators: an option in a list; WhatsApp shows at most 21 characters
                     action_button(_("Already registered"), LinkApp()))
        first += (office.menu_button(ctx),)  # the office inbox (#15)
        return Outbound(_("Menu: choose what you need."), first + (info.menu_button(ctx),
            # Translators: an option in a list; WhatsApp shows at most 21 characters
            action_button(_("Privacy and my data"), Privacy()),
            # Translators: an option in a list; WhatsApp shows at most 21 characters
            action_button(_("Language"), Languages()),
            # Translators: an option in a list; WhatsApp shows at most 21 characters
            action_button(_("Help"), Help())), close_keyboard=True)

    # -- commands -----------------------------------------------------------
    def start(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        back_on = preferences.notices_back_on(ctx)
        if engine.current(ctx.state):
            _ = ctx.t.gettext
            return back_on + [Outbound(_("Let's go on from where we were."))] + engine.reprompt(ctx)
        return back_on + self.idle(engine, ctx)

    def show_menu(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        return [self.menu(engine, ctx)]

    def register(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        code = ctx.store.registration_code()
        if code:
            # Translators: {code}: the registration code, Latin letters and digits ("K7P-3QX")
            return [Outbound(_("You are already registered. Your code is {code}.").format(code=ctx.t.isolate(code))),
                    self.menu(engine, ctx)]
        if ctx.state.flow == registration.NAME:
            return engine.reprompt(ctx)
        return engine.start(ctx, registration.NAME)

    def help(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        text = _("I am the assistant of Insieme per il lavoro. You can answer by tapping a button "
                 "or by typing the number of an option.\n\n"
                 "/menu - what I can do\n/cancel - stop what we are doing\n"
                 "/language - change language\n/privacy - your data: see it or erase it\n"
                 "/settings - reminders and notices on or off\n/stop - no more notices\n/help - this message")
        text += "\n" + _("/link - use me on another app too (WhatsApp, Telegram)")
        text += "\n" + office.help_line(ctx)
        return [Outbound(text, close_keyboard=engine.current(ctx.state) is None)] + (
            engine.reprompt(ctx) if engine.current(ctx.state) else [self.menu(engine, ctx)])

    def settings(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        return preferences.settings(engine, ctx)

    def cancel(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        if engine.current(ctx.state) is None:
            return [Outbound(_("There is nothing to stop.")), self.menu(engine, ctx)]
        engine.leave(ctx)
        return [Outbound(_("OK, I stopped. The answers of this form were not saved; what you had "
                           "confirmed before stays as it is. Write /menu when you want to go on."),
                         close_keyboard=True)]

    def language(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        buttons = tuple(action_button(_(option.label), SetLanguage(option.value)) for option in LANGUAGE)
        return [Outbound(_("Which language do you prefer?"), buttons)]

    def set_language(self, engine: Engine, ctx: Ctx, language: str) -> list[Outbound]:
        ctx.state.language = language
        _ = ctx.t.gettext
        done = Outbound(_("Done: I will write to you in English."))
        return [done] + (engine.reprompt(ctx) if engine.current(ctx.state) else [self.menu(engine, ctx)])

    # -- privacy ------------------------------------------------------------
    def privacy(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        return [Outbound(registration.privacy_notice(ctx), (
            # Translators: a button; WhatsApp shows at most 20 characters
            action_button(_("See my data"), MyData()), action_button(_("Erase my data"), Erase()),
            action_button(_("Menu"), Menu())))]

    def my_data(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        data = ctx.store.personal_data()
        lines = [_("This is everything we keep about you:"), ""]
        language = next((o.label for o in LANGUAGE if o.value == data.language), data.language)
        lines.append(_("Language: {language}").format(language=_(language)))
        for channel, external_id in data.identities:
            name = _(linking.CHANNEL_NAMES.get(channel, channel))
            if channel in _ID_NOT_SHOWN:
                lines.append(_("Account: {channel}").format(channel=name))
            else:
                lines.append(_("Account: {channel} {id}").format(channel=name, id=ctx.t.isolate(external_id)))
        lines += preferences.lines(ctx)
        for version, given_at in data.consents:
            lines.append(_("Consent to the privacy notice {version}: {date}").format(
                version=ctx.t.isolate(version), date=ctx.t.isolate(ctx.t.format_datetime(given_at))))
        if data.registration:
            reg = data.registration
            # Translators: {code}: the registration code ("K7P-3QX"); {date}: the day it was made; {status}: how far the office got
            lines += ["", _("Registration {code} of {date}, status: {status}").format(
                code=ctx.t.isolate(reg["code"]), date=ctx.t.isolate(ctx.t.format_date(reg["created_at"])),
                status=_(registration.STATUS_LABELS.get(reg["status"], reg["status"])))]
            lines += registration.summary_lines(reg["answers"], ctx)
            lines += ["", appointments.my_appointments(ctx).text]
        lines += documents.lines(ctx)
        lines += office.data_lines(ctx)
        unfinished = _unfinished_registration(ctx)
        if unfinished:
            lines += ["", _("Answers of a form you have not finished yet:")]
            lines += registration.summary_lines(unfinished, ctx)
        # Translators: a button; WhatsApp shows at most 20 characters
        return [Outbound("\n".join(lines), (action_button(_(documents.SEND_LABEL), SendDocument()),
                                            action_button(_("Erase my data"), Erase()),
                                            action_button(_("Menu"), Menu())))]

    def ask_erase(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        return engine.start(ctx, erase.NAME)  # asked aside: "No" goes back to the form under way


# Channels whose id means nothing to the person (the web chat's is a hash of its cookie's secret):
# "see my data" names the channel only, so a screenshot shows no identifier at all.
_ID_NOT_SHOWN = frozenset({"web"})


def _unfinished_registration(ctx: Ctx) -> dict:
    """The answers of a registration under way, paused beneath a question aside or not."""
    position = ctx.state.paused or ctx.state.to_dict()
    return (position.get("answers") or {}) if position.get("flow") == registration.NAME else {}


def build_engine() -> Engine:
    """The engine with every flow this bot offers."""
    return Engine([registration.FLOW, interview.FLOW, interview.CANCEL_FLOW, workshop.FLOW,
                   workshop.GIVE_BACK_FLOW, erase.FLOW, linking.FLOW, job.FLOW, documents.FLOW, office_flow.FLOW],
                  Commands())
