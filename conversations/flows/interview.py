"""Booking (or moving) the orientation interview: day -> time -> confirm; and cancelling it.

See interview.md for the diagram. The database decides who gets a slot: a button for a
slot taken meanwhile, past or too close gets a clear message and fresh options.
"""
from __future__ import annotations

import datetime as dt

from .. import describe
from ..payload import Appointments, BookInterview, Menu, action_button
from ..flow import Ctx, Flow, Option, Outcome, Step
from ..i18n import N_
from ..messages import Outbound
from ..store import BookingFailed, Interview

NAME = "int"
CANCEL = "intc"
DAYS_PER_PAGE = 5
MORE, LESS, BACK, MENU = "more", "less", "back", "menu"

FAILURES = {
    "taken": N_("Sorry, somebody has just booked that time. Here are the free times now."),
    "past": N_("Sorry, that time has already passed. Here are the free times now."),
    "too_late": N_("Sorry, that time is too close to book now. Here are the free times now."),
    "cancelled": N_("Sorry, that time was cancelled by the office. Here are the free times now."),
    "not_found": N_("Sorry, that time is no longer available. Here are the free times now."),
}



def booked_message(ctx: Ctx, interview: Interview, *, moved: bool = False) -> Outbound:
    _ = ctx.t.gettext
    head = _("Done: your interview is moved.") if moved else _("Done: your orientation interview is booked.")
    text = "\n\n".join([head, describe.slot_text(ctx, interview.slot),
                        _("We have attached a calendar file. If you can't come, tell us here: "
                          "write /menu and choose \"My appointments\".")])
    return Outbound(text, (action_button(_("My appointments"), Appointments()), action_button(_("Menu"), Menu())),
                    file=describe.interview_file(ctx, interview.booking_id, interview.slot))


# -- day ---------------------------------------------------------------------------------
def _day_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    if not ctx.store.interview_days():
        return _("Sorry, there are no free dates at the moment. Please try again in a few days.")
    if ctx.answers.get("reschedule"):
        return _("Choose a new day for your interview:")
    return _("Let's book your orientation interview with an operator. Choose a day:")


def _day_options(ctx: Ctx) -> tuple[Option, ...]:
    days = ctx.store.interview_days()
    if not days:
        return (Option(MENU, N_("Menu")),)
    page = min(ctx.answers.get("page", 0), (len(days) - 1) // DAYS_PER_PAGE)
    shown = days[page * DAYS_PER_PAGE:(page + 1) * DAYS_PER_PAGE]
    options = [Option(day.isoformat(), ctx.t.day_label(day)) for day in shown]
    if page > 0:
        # Translators: an option in a list; WhatsApp shows at most 21 characters
        options.append(Option(LESS, N_("Earlier dates")))
    if (page + 1) * DAYS_PER_PAGE < len(days):
        # Translators: an option in a list; WhatsApp shows at most 21 characters
        options.append(Option(MORE, N_("Later dates")))
    return tuple(options)


def _after_day(ctx: Ctx, value: str) -> Outcome | None:
    if value == MENU:
        return Outcome(end=True, menu=True)
    if value in (MORE, LESS):
        ctx.answers["page"] = max(ctx.answers.get("page", 0) + (1 if value == MORE else -1), 0)
        return Outcome(goto="day")
    return None


# -- time --------------------------------------------------------------------------------
def _chosen_day(ctx: Ctx) -> dt.date:
    return dt.date.fromisoformat(ctx.answers["day"])


def _time_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    day = ctx.t.isolate(ctx.t.format_date(_chosen_day(ctx), "full"))
    if not ctx.store.interview_slots(_chosen_day(ctx)):
        return _("There are no free times left on {day}. Please choose another day.").format(day=day)
    return _("Free times on {day}:").format(day=day)


def _time_options(ctx: Ctx) -> tuple[Option, ...]:
    slots = ctx.store.interview_slots(_chosen_day(ctx))
    return tuple(Option(str(slot.id), describe.slot_label(ctx, slot)) for slot in slots) + (
        # Translators: a button; WhatsApp shows at most 20 characters
        Option(BACK, N_("Other days")),)


def _after_time(ctx: Ctx, value: str) -> Outcome | None:
    return Outcome(goto="day") if value == BACK else None


# -- confirm -----------------------------------------------------------------------------
def _confirm_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    slot = ctx.store.interview_slot(int(ctx.answers["time"]))
    head = _("Move your interview to this time?") if ctx.answers.get("reschedule") else _("Book this interview?")
    return head + "\n\n" + describe.slot_text(ctx, slot) if slot else head


def _after_confirm(ctx: Ctx, value: str) -> Outcome:
    if value == "other":
        return Outcome(goto="time")
    slot_id = int(ctx.answers["time"])
    try:
        if ctx.answers.get("reschedule"):
            interview = ctx.store.reschedule_interview(slot_id)
        else:
            interview = ctx.store.book_interview(slot_id)
    except BookingFailed as failed:
        return _failed(ctx, failed.reason)
    return Outcome(end=True, messages=(booked_message(ctx, interview, moved=bool(ctx.answers.get("reschedule"))),))


def _failed(ctx: Ctx, reason: str) -> Outcome:
    _ = ctx.t.gettext
    if reason == "already_booked":
        return Outcome(end=True, messages=(Outbound(
            _("You already have an interview booked."), (action_button(_("My appointments"), Appointments()),)),))
    if reason == "no_booking":  # moving an interview cancelled meanwhile (by the office, say)
        return Outcome(end=True, messages=(Outbound(
            _("You have no interview booked."), (action_button(_("Book an interview"), BookInterview()),
                                                 action_button(_("Menu"), Menu()))),))
    goto = "time" if ctx.store.interview_slots(_chosen_day(ctx)) else "day"
    return Outcome(goto=goto, messages=(Outbound(_(FAILURES.get(reason, FAILURES["not_found"]))),))


def _stale_time(ctx: Ctx, value: str) -> str:
    """A time button no longer offered: say why (taken, past, too close, cancelled)."""
    reason = ctx.store.slot_problem(int(value)) if value.isdecimal() else "not_found"
    return ctx.t.gettext(FAILURES.get(reason, FAILURES["not_found"]))


def _confirm_options(ctx: Ctx) -> tuple[Option, ...]:
    # the slot rides in the value: a "yes" left on the question about another time books nothing
    # Translators: a button; WhatsApp shows at most 20 characters
    return (Option(f"yes:{ctx.answers['time']}", N_("Yes, book it")),
            # Translators: a button; WhatsApp shows at most 20 characters
            Option("other", N_("Another time")))


FLOW = Flow(NAME, (
    Step("day", _day_prompt, options=_day_options, after=_after_day, next="time",
         stale=N_("Sorry, that day has no free times any more. Here are the free days now.")),
    Step("time", _time_prompt, options=_time_options, after=_after_time, next="confirm",
         stale=_stale_time),
    Step("confirm", _confirm_prompt, options=_confirm_options, after=_after_confirm),
), diagram="interview.md")


# -- cancelling --------------------------------------------------------------------------
def _sure_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    interview = ctx.store.current_interview()
    if interview is None:
        return _("You have no interview booked.")
    return _("Do you want to cancel this interview?") + "\n\n" + describe.slot_text(ctx, interview.slot)


def _after_sure(ctx: Ctx, value: str) -> Outcome | None:
    _ = ctx.t.gettext
    if ctx.store.current_interview() is None:  # cancelled meanwhile (by the office, say)
        return Outcome(end=True, messages=(Outbound(_("You have no interview booked."), (
            action_button(_("Book an interview"), BookInterview()), action_button(_("Menu"), Menu()))),))
    if value == "yes":
        return None
    return Outcome(end=True, messages=(Outbound(_("OK, your interview stays as it is."),
                                                (action_button(_("Menu"), Menu()),)),))


def _reason(text: str, ctx: Ctx) -> str:
    return " ".join(text.split())


def _after_reason(ctx: Ctx, reason: str | None) -> Outcome:
    _ = ctx.t.gettext
    try:
        ctx.store.cancel_interview(reason)
    except BookingFailed:
        return Outcome(end=True, messages=(Outbound(_("You have no interview booked.")),))
    return Outcome(end=True, messages=(Outbound(
        _("Your interview is cancelled. When you want, you can book another one."),
        (action_button(_("Book an interview"), BookInterview()), action_button(_("Menu"), Menu()))),))


# Translators: a button; WhatsApp shows at most 20 characters
SURE = (Option("yes", N_("Yes, cancel it")),
        # Translators: a button; WhatsApp shows at most 20 characters
        Option("no", N_("No, keep it")))

CANCEL_FLOW = Flow(CANCEL, (
    Step("sure", _sure_prompt, options=SURE, after=_after_sure, next="reason"),
    Step("reason", N_("Can you tell us why, in a few words? It helps us. You can also tap \"Skip\"."),
         # Translators: a button; WhatsApp shows at most 20 characters
         parse=_reason, skip_label=N_("Skip"), max_length=300, after=_after_reason),
), diagram="interview.md")
