"""Self-registration: language, consent, personal details, profile, summary, saved.

See registration.md for the diagram.
"""
from __future__ import annotations

import datetime as dt

from .. import languages, validators
from ..engine import normalize
from ..flow import Ctx, Flow, Invalid, Option, Outcome, Step
from ..i18n import N_
from ..messages import Outbound, offers_contact_button
from .. import municipalities
from ..payload import BookInterview, Menu, Workshops, action_button
from . import choices

NAME = "reg"
NOTICE_VERSION = "2026-11"
# How a registration's status reads to the person (operators move it along later issues' path).
STATUS_LABELS = {"new": N_("received, an operator will review it")}


def _welcome(ctx: Ctx) -> str:
    return ctx.t.gettext("Welcome to Insieme per il lavoro! 👋\nWhich language do you prefer?")


def _typed_language(text: str, ctx: Ctx) -> str:
    """A language named rather than tapped: "inglese", "English", "Italian" (any registry language's
    name for it, or its own)."""
    typed = normalize(text)
    for language in languages.ALL:
        if typed in {normalize(name) for name in language.names()}:
            return language.code
    raise Invalid(ctx.t.gettext("Please tap one of the buttons, or type its number (1 to {count}).").format(
        count=len(languages.ALL)))


def _after_language(ctx: Ctx, value: str) -> None:
    ctx.state.language = value


def privacy_notice(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    return _("About your data.\n\n"
             "Insieme per il lavoro (Città metropolitana di Bologna, Comune di Bologna and "
             "Arcidiocesi di Bologna) uses your answers only to help you find work: to invite you "
             "to an interview and to workshops, and to suggest job offers.\n"
             "We keep them while you take part in the programme. "
             "You can see or erase them at any time: write /privacy.")


def _consent_prompt(ctx: Ctx) -> str:
    return privacy_notice(ctx) + "\n\n" + ctx.t.gettext("Do you agree?")


def _after_consent(ctx: Ctx, value: str) -> Outcome | None:
    if value == "yes":
        ctx.store.record_consent(NOTICE_VERSION)
        return None
    _ = ctx.t.gettext
    return Outcome(end=True, messages=(Outbound(_(
        "No problem. Without your consent we cannot register you, and nothing about you "
        "has been saved. If you change your mind, write /start.")),))


def _municipality_suggestions(ctx: Ctx) -> tuple[Option, ...]:
    return tuple(Option(str(municipalities.COMUNI.index(name)), name)
                 for name in ctx.state.scratch.get("suggestions", []))


def _parse_municipality(text: str, ctx: Ctx) -> str:
    _ = ctx.t.gettext
    match = municipalities.find(text)
    ctx.state.scratch["suggestions"] = list(match.suggestions)
    if match.name:
        return match.name
    if match.suggestions:
        raise Invalid(_("I am not sure which comune you mean. Tap the right one, or write it again."))
    if match.outside:
        raise Invalid(_(
            "{comune} is outside the Città metropolitana di Bologna: this programme covers only "
            "its 55 comuni. Where you live, the public employment centre (Centro per l'impiego) "
            "can help you. If you do live in the Bologna area, write your comune.").format(comune=match.outside))
    raise Invalid(_("I can't find this comune in the Bologna area. Check how it is written, "
                    "for example: Casalecchio di Reno."))


def _after_municipality(ctx: Ctx, value: str) -> Outcome | None:
    if value.isdigit():  # a suggestion's button
        ctx.answers["municipality"] = municipalities.COMUNI[int(value)]
    if not ctx.state.editing and _channel_phone(ctx):
        return Outcome(goto="phone_confirm")
    return None


def _channel_phone(ctx: Ctx) -> str | None:
    """The number the channel says the person writes from (WhatsApp), in E.164, if valid."""
    given = (ctx.inbound.channel_phone or "").strip()
    if not given:
        return None
    try:
        # WhatsApp gives it without "+": parsed as Italian, 447911123456 would be refused
        return validators.phone(given if given.startswith("+") else "+" + given, ctx)
    except Invalid:
        return None


def _phone_prompt(ctx: Ctx) -> str:
    """The phone question names the "share my number" button only where the channel shows one."""
    _ = ctx.t.gettext
    if offers_contact_button(ctx.inbound.channel):
        return _("What is your phone number? Tap \"Share my number\" or type it, for example: 347 123 4567.")
    return _("What is your phone number? Please type it, for example: 347 123 4567.")


def _phone_confirm_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    phone = _channel_phone(ctx)
    if phone is None:  # not a channel that gives the number: the usual question
        return _phone_prompt(ctx)
    return _("You are writing to me from this number: {phone}\nCan we call you on it? "
             "If not, tap \"Another number\" or type it.").format(
        phone=ctx.t.isolate(validators.show_phone(phone, ctx)))


def _after_phone_confirm(ctx: Ctx, value: str) -> Outcome:
    """Yes: the channel's number; a typed number: that one; "Another number": the usual question."""
    ctx.answers.pop("phone_confirm", None)
    phone = _channel_phone(ctx) if value == "yes" else None if value == "other" else value
    if phone is None:
        return Outcome(goto="phone")
    ctx.answers["phone"] = phone
    return _after_phone(ctx, phone)


def _after_phone(ctx: Ctx, value: str) -> Outcome:
    _ = ctx.t.gettext
    shown = validators.show_phone(value, ctx)
    return Outcome(messages=(Outbound(_("Thank you: {phone}.").format(phone=ctx.t.isolate(shown)),
                                      close_keyboard=True),))


def _show_date(value: str, ctx: Ctx) -> str:
    return ctx.t.format_date(dt.date.fromisoformat(value), "long")


def _show_optional(value, ctx: Ctx) -> str:
    return value or ctx.t.gettext("not given")


def _show_option(options: tuple[Option, ...]):
    def show(value, ctx: Ctx) -> str:
        values = value if isinstance(value, list) else [value]
        return ", ".join(ctx.t.gettext(o.label) for o in options if o.value in values)
    return show


def summary_lines(answers: dict, ctx: Ctx) -> list[str]:
    """Bulleted "label: value" lines of the answers, as shown in the summary and in "my data"."""
    lines = []
    for step in EDITABLE:
        if step.name not in answers:
            continue
        value = answers[step.name]
        shown = step.show(value, ctx) if step.show else str(value)
        # bullets, not numbers: a typed number answers the buttons below the summary
        lines.append(f"• {ctx.t.gettext(step.summary_label)}: {ctx.t.isolate(shown)}")
    return lines


def _summary_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    return (_("Here is what you told me. Is everything right?") + "\n\n"
            + "\n".join(summary_lines(ctx.answers, ctx)))


def _after_summary(ctx: Ctx, value: str) -> Outcome:
    _ = ctx.t.gettext
    if value == "edit":
        return Outcome(goto="edit")
    code_ = ctx.answers.get("tax_code")
    if code_ and not validators.tax_code_matches(code_, ctx.answers["birth_date"]):
        ctx.state.editing = True
        return Outcome(goto="tax_code", messages=(Outbound(_(
            "Your codice fiscale does not match your date of birth. Please write it again."),),))
    code = ctx.store.save_registration(ctx.answers, ctx.state.language)
    # Translators: {name}: the first name; {code}: the registration code, Latin letters and digits ("K7P-3QX")
    done = _("Thank you, {name}! You are registered. Your code is {code}: keep it, "
             "the operators may ask for it.\n\nNext step: an orientation interview with an "
             "operator: you can book it now.").format(name=ctx.t.isolate(ctx.answers["first_name"]),
                                                       code=ctx.t.isolate(code))
    return Outcome(end=True, messages=(Outbound(done, (
        # Translators: a button; WhatsApp shows at most 20 characters
        action_button(_("Book my interview"), BookInterview()), action_button(_("Workshops"), Workshops()),
        action_button(_("Menu"), Menu()))),))


def _edit_options(ctx: Ctx) -> tuple[Option, ...]:
    return tuple(Option(step.name, step.summary_label) for step in EDITABLE)


def _after_edit(ctx: Ctx, value: str) -> Outcome:
    ctx.state.editing = True
    return Outcome(goto=value)


# Translators: a button; WhatsApp shows at most 20 characters
PHONE_CONFIRM = (Option("yes", N_("Yes, this number")),
                 # Translators: a button; WhatsApp shows at most 20 characters
                 Option("other", N_("Another number")))

EDITABLE = (
    Step("first_name", N_("What is your first name?"), parse=validators.person_name, max_length=60,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="last_name", summary_label=N_("First name")),
    Step("last_name", N_("And your last name?"), parse=validators.last_name, max_length=60,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="birth_date", summary_label=N_("Last name")),
    # Translators: keep 05/03/1990: day/month/year in digits, as dates are typed in every language
    Step("birth_date", N_("What is your date of birth? For example: 05/03/1990"),
         parse=validators.birth_date, max_length=40, next="tax_code",
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         summary_label=N_("Date of birth"), show=_show_date),
    Step("tax_code", N_("What is your codice fiscale? If you don't have one, tap \"I don't have one\"."),
         # Translators: a button; WhatsApp shows at most 20 characters
         parse=validators.tax_code, skip_label=N_("I don't have one"), max_length=40,
         # Translators: the Italian tax code's name, kept in Italian; an answer's name: at most 21 characters
         next="municipality", summary_label=N_("Codice fiscale"), show=_show_optional),
    Step("municipality", N_("In which comune do you live? For example: Bologna, Imola, San Lazzaro di Savena."),
         options=_municipality_suggestions, parse=_parse_municipality, after=_after_municipality,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="phone", summary_label=N_("Comune")),
    Step("phone", _phone_prompt,
         parse=validators.phone, request_phone=True, max_length=40, after=_after_phone,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="email", summary_label=N_("Phone"), show=validators.show_phone),
    Step("email", N_("What is your email address? It is optional: tap \"Skip\" if you prefer."),
         parse=validators.email, skip_label=N_("Skip"), max_length=254,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="situation", summary_label=N_("Email"), show=_show_optional),
    Step("situation", N_("What is your situation today?"), options=choices.SITUATION,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="education", summary_label=N_("Situation"), show=_show_option(choices.SITUATION)),
    Step("education", N_("What is the highest school title you have?"), options=choices.EDUCATION,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="italian", summary_label=N_("School"), show=_show_option(choices.EDUCATION)),
    Step("italian", N_("How well do you speak Italian?"), options=choices.ITALIAN,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="sectors", summary_label=N_("Italian"), show=_show_option(choices.ITALIAN)),
    Step("sectors", N_("In which sectors would you like to work? Tap all that interest you, then \"Done\"."),
         options=choices.SECTORS, multi=True, next="driving",
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         summary_label=N_("Sectors"), show=_show_option(choices.SECTORS)),
    Step("driving", N_("Do you have a driving licence and a car?"), options=choices.DRIVING,
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         next="availability", summary_label=N_("Driving"), show=_show_option(choices.DRIVING)),
    Step("availability", N_("When can you work? Tap all that fit, then \"Done\"."),
         options=choices.AVAILABILITY, multi=True, next="summary",
         # Translators: an answer's name, in the summary and as a list option; at most 21 characters
         summary_label=N_("Availability"), show=_show_option(choices.AVAILABILITY)),
)

FLOW = Flow(NAME, (
    Step("language", _welcome, options=choices.LANGUAGE, parse=_typed_language, after=_after_language, next="consent"),
    Step("consent", _consent_prompt, options=choices.CONSENT, after=_after_consent, next="first_name"),
    *EDITABLE,
    # On a channel that gives the number (WhatsApp), after the comune: confirm it, don't type it.
    Step("phone_confirm", _phone_confirm_prompt, options=PHONE_CONFIRM, parse=validators.phone,
         max_length=40, after=_after_phone_confirm, next="email"),
    Step("summary", _summary_prompt, options=choices.SUMMARY, after=_after_summary),
    Step("edit", N_("Which answer do you want to change?"), options=_edit_options, after=_after_edit),
), diagram="registration.md")
