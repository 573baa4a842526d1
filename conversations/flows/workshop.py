"""Signing up to a session of the "bussola" workshops: pick a session -> confirm (or waitlist);
and giving a seat back (``wsg``): are you sure? -> given back, the first waiting promoted.

See workshop.md for the diagram. Seats are counted by the database; when a session is
full the person may join its waiting list, and a freed seat goes to the first in line.
"""
from __future__ import annotations

from .. import describe
from ..payload import Appointments, Menu, action_button
from ..flow import Ctx, Flow, Option, Outcome, Step
from ..i18n import N_
from ..messages import Outbound
from ..store import BookingFailed, Seat

NAME = "ws"
GIVE_BACK = "wsg"  # asked aside: a flow under way goes on after
MENU, OTHER, YES, KEEP = "menu", "other", "yes", "keep"



def seat_message(ctx: Ctx, seat: Seat) -> Outbound:
    _ = ctx.t.gettext
    buttons = (action_button(_("My appointments"), Appointments()), action_button(_("Menu"), Menu()))
    if seat.status == "waitlisted":
        text = _("You are on the waiting list, number {position}. If a seat frees up, it goes to the "
                 "first in line and we tell you at once.").format(position=seat.position)
        return Outbound(text + "\n\n" + describe.workshop_text(ctx, seat.workshop), buttons)
    text = _("Done: you are signed up. See you there!") + "\n\n" + describe.workshop_text(ctx, seat.workshop)
    return Outbound(text, buttons, file=describe.workshop_file(ctx, seat.registration_id, seat.workshop))


def _pick_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    workshops = ctx.store.workshops()
    intro = _("Free workshops «{cycle}», in small groups.").format(cycle=_(describe.WORKSHOP_CYCLE))
    if ctx.answers.get("move_from"):
        intro += "\n" + _("Choose another session: once you have a seat there, we give your current seat back.")
    if not workshops:
        return intro + "\n\n" + _("No sessions are planned at the moment. Please look again in a few days.")
    lines = [f"• {ctx.t.day_label(w.starts_at)} {ctx.t.time_label(w.starts_at)} - {w.title} "
             f"({describe.seats_text(ctx, w)})" for w in workshops]
    return intro + "\n\n" + "\n".join(lines) + "\n\n" + _("Choose a session:")


def _pick_options(ctx: Ctx) -> tuple[Option, ...]:
    mine = {seat.workshop.id for seat in ctx.store.seats()}
    options = []
    for workshop in ctx.store.workshops():
        mark = "✅ " if workshop.id in mine else ""
        options.append(Option(str(workshop.id), f"{mark}{ctx.t.day_label(workshop.starts_at)} "
                                                 f"{ctx.t.time_label(workshop.starts_at)}"))
    return tuple(options) + (Option(MENU, N_("Menu")),)


def _after_pick(ctx: Ctx, value: str) -> Outcome | None:
    if value == MENU:
        return Outcome(end=True, menu=True)
    if int(value) in {seat.workshop.id for seat in ctx.store.seats()}:
        return Outcome(goto="pick", messages=(Outbound(ctx.t.gettext(
            "You are already signed up for this session. Choose another one, or tap Menu.")),))
    return None


def _chosen(ctx: Ctx):
    return ctx.store.workshop(int(ctx.answers["pick"]))


def _confirm_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    workshop = _chosen(ctx)
    if workshop is None:
        return _("This session is no longer available.")
    # "Yes" means what was asked: a seat, or a place in the queue (see _after_confirm)
    ctx.state.scratch["waitlist"] = workshop.seats_left == 0
    text = describe.workshop_text(ctx, workshop) + "\n\n"
    if workshop.seats_left == 0:
        return text + _("This session is full. Do you want to join the waiting list? "
                        "If a seat frees up, we tell you at once.")
    # one sentence pair to translate, not two joined with ". " (Arabic and Bengali end sentences otherwise)
    return text + ctx.t.ngettext("{count} seat left. Do you want to sign up?",
                                 "{count} seats left. Do you want to sign up?",
                                 workshop.seats_left).format(count=workshop.seats_left)


def _confirm_options(ctx: Ctx) -> tuple[Option, ...]:
    workshop = _chosen(ctx)
    full = workshop is not None and workshop.seats_left == 0
    # the session rides in the value: a "yes" left on the question about another session is refused
    # Translators: a button; WhatsApp shows at most 20 characters
    return (Option(f"{YES}:{ctx.answers['pick']}", N_("Yes, waiting list") if full else
                   # Translators: a button; WhatsApp shows at most 20 characters
                   N_("Yes, sign me up")),
            # Translators: a button; WhatsApp shows at most 20 characters
            Option(OTHER, N_("Another session")))


FAILURES = {
    "full": N_("Sorry, the last seat has just been taken. You can join the waiting list."),
    "past": N_("Sorry, this session has already started."),
    "too_late": N_("Sorry, this session starts too soon to sign up here."),
    "cancelled": N_("Sorry, this session was cancelled."),
    "not_found": N_("Sorry, this session is no longer available."),
    "already_booked": N_("You are already signed up for this session."),
}


def _after_confirm(ctx: Ctx, value: str) -> Outcome:
    if value == OTHER:
        return Outcome(goto="pick")
    try:
        # "yes" means what was asked (a seat, or a place in the queue); a seat taken or freed
        # since then gets its own message, not "that button is no longer active"
        seat = ctx.store.sign_up(int(ctx.answers["pick"]), waitlist=bool(ctx.state.scratch.get("waitlist")))
    except BookingFailed as failed:
        message = Outbound(ctx.t.gettext(FAILURES.get(failed.reason, FAILURES["not_found"])))
        return Outcome(goto="confirm" if failed.reason == "full" else "pick", messages=(message,))
    return Outcome(end=True, messages=(seat_message(ctx, seat),) + _leave_old_seat(ctx, seat))


def _leave_old_seat(ctx: Ctx, seat: Seat) -> tuple[Outbound, ...]:
    """Moving from another seat (a reminder's "Reschedule"): the old seat is given back only
    once the new one is held, in the same transaction; a place on a waiting list keeps it."""
    _ = ctx.t.gettext
    old = next((s for s in ctx.store.seats() if s.registration_id == ctx.answers.get("move_from")), None)
    if old is None:  # given back meanwhile
        return ()
    day = ctx.t.isolate(ctx.t.day_label(old.workshop.starts_at))
    if seat.status != "registered":
        return (Outbound(_("You keep your seat on {day} until one frees up here. If you no longer need it, "
                           "give it back from \"My appointments\".").format(day=day)),)
    try:
        ctx.store.give_up_seat(old.registration_id)  # the store tells whoever gets the seat
    except BookingFailed:
        return ()
    return (Outbound(_("Your seat on {day} has been given back. Thank you!").format(day=day)),)


# -- giving a seat back: "Do you want to give up your place?" ---------------------------------
def _seat(ctx: Ctx) -> Seat | None:
    return next((s for s in ctx.store.seats() if s.registration_id == ctx.answers.get("seat")), None)


def _sure_prompt(ctx: Ctx) -> str:
    _ = ctx.t.gettext
    seat = _seat(ctx)
    if seat is None:
        return _("This booking is no longer active.")
    return (_("Do you want to give up your place at this workshop?") + "\n\n"
            + describe.workshop_text(ctx, seat.workshop))


def _sure_options(ctx: Ctx) -> tuple[Option, ...]:
    # the seat rides in the value: a "yes" left on the question about another seat gives back nothing
    # Translators: a button; WhatsApp shows at most 20 characters
    keep = Option(KEEP, N_("No, keep my seat"))
    seat = _seat(ctx)
    # Translators: a button; WhatsApp shows at most 20 characters
    return (Option(f"{YES}:{seat.registration_id}", N_("Yes, give it up")), keep) if seat else (keep,)


def _after_sure(ctx: Ctx, value: str) -> Outcome:
    from .. import appointments  # here: conversations.appointments imports this flow
    if value == KEEP:
        return Outcome(end=True, messages=(appointments.my_appointments(ctx),))
    return Outcome(end=True, messages=tuple(appointments.give_back(ctx, int(ctx.answers["seat"]))))


FLOW = Flow(NAME, (
    Step("pick", _pick_prompt, options=_pick_options, after=_after_pick, next="confirm",
         stale=N_("Sorry, that session is no longer open. Here are the sessions now.")),
    Step("confirm", _confirm_prompt, options=_confirm_options, after=_after_confirm),
), diagram="workshop.md")

GIVE_BACK_FLOW = Flow(GIVE_BACK, (
    Step("sure", _sure_prompt, options=_sure_options, after=_after_sure),
), diagram="workshop.md", aside=True)
