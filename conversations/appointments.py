"""Menu actions around bookings: book, move or cancel the interview, workshops,
"my appointments", giving a workshop seat back (which may promote somebody waiting).
They arrive decoded (conversations.payload's action types) and are dispatched by type."""
from __future__ import annotations

from . import describe, reminders
from .engine import Engine
from .flow import Ctx
from .flows import interview, workshop
from .messages import Button, Outbound
from .payload import (Action, Appointments, BookInterview, CancelInterview, DropSeat, GiveBackSeat, Menu,
                      MoveInterview, Register, ReminderAnswer, Workshops, action_button)
from .store import BookingFailed



# the actions that need a registration; any other is not for this module
_MINE = (Appointments, BookInterview, MoveInterview, CancelInterview, Workshops, GiveBackSeat, DropSeat,
         ReminderAnswer)


def run(engine: Engine, ctx: Ctx, action: Action) -> list[Outbound] | None:
    """The replies for an action around bookings; None if it is not one of them."""
    _ = ctx.t.gettext
    if not isinstance(action, _MINE):
        return None
    if ctx.store.registration_code() is None:
        return [Outbound(_("First you need to register: it takes a few minutes."),
                         # Translators: an option in a list; WhatsApp shows at most 21 characters
                         (action_button(_("Register"), Register()), action_button(_("Menu"), Menu())))]
    if isinstance(action, Appointments):
        return [my_appointments(ctx)]
    if isinstance(action, Workshops):
        return engine.start(ctx, workshop.NAME)
    if isinstance(action, GiveBackSeat):
        return _ask_give_back(engine, ctx, action.registration_id)
    if isinstance(action, DropSeat):
        return give_back(ctx, action.registration_id)
    if isinstance(action, ReminderAnswer):
        return _reminder(engine, ctx, action)
    return _interview(engine, ctx, action)


def _reminder(engine: Engine, ctx: Ctx, pressed: ReminderAnswer) -> list[Outbound]:
    """A reminder's button acts only on the booking it was about, while that is still ahead;
    "I'll be there" leaves the person where they were in a flow."""
    _ = ctx.t.gettext
    booking_id, is_interview = pressed.booking_id, pressed.kind == reminders.INTERVIEW
    if is_interview:
        current = ctx.store.current_interview()
        active = current is not None and current.booking_id == booking_id
    else:
        active = any(seat.registration_id == booking_id and seat.status == "registered"
                     and seat.workshop.starts_at > ctx.now for seat in ctx.store.seats())
    if active and pressed.verb == reminders.CONFIRM:
        active = ctx.store.confirm_interview(booking_id) if is_interview else ctx.store.confirm_seat(booking_id)
    if not active:
        return [Outbound(_("This booking is no longer active.")), my_appointments(ctx)]
    if pressed.verb == reminders.CONFIRM:
        thanks = _("Thank you for letting us know. See you there!")
        if engine.current(ctx.state):
            return [Outbound(thanks)] + engine.reprompt(ctx)
        # Translators: a button; WhatsApp shows at most 20 characters
        return [Outbound(thanks, (action_button(_("My appointments"), Appointments()),
                                  # Translators: a button; WhatsApp shows at most 20 characters
                                  action_button(_("Menu"), Menu())))]
    if is_interview:
        return _interview(engine, ctx, MoveInterview() if pressed.verb == reminders.MOVE else CancelInterview())
    if pressed.verb == reminders.CANCEL:
        return _ask_give_back(engine, ctx, booking_id)
    return engine.start(ctx, workshop.NAME, move_from=booking_id)  # the old seat goes once the new one is held


def _interview(engine: Engine, ctx: Ctx, action: Action) -> list[Outbound]:
    _ = ctx.t.gettext
    current = ctx.store.current_interview()
    if isinstance(action, BookInterview) and current:
        return [Outbound(_("You already have an interview booked:") + "\n\n"
                         + describe.slot_text(ctx, current.slot), _interview_buttons(ctx))]
    if current is None and not isinstance(action, BookInterview):
        return [Outbound(_("You have no interview booked."),
                         # Translators: a button; WhatsApp shows at most 20 characters
                         (action_button(_("Book an interview"), BookInterview()), action_button(_("Menu"), Menu())))]
    if isinstance(action, BookInterview):
        return engine.start(ctx, interview.NAME)
    if isinstance(action, MoveInterview):
        return engine.start(ctx, interview.NAME, reschedule=True)
    return engine.start(ctx, interview.CANCEL)


def _interview_buttons(ctx: Ctx) -> tuple[Button, ...]:
    _ = ctx.t.gettext
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    return (action_button(_("Change day or time"), MoveInterview()),
            # Translators: an option in a list; WhatsApp shows at most 21 characters
            action_button(_("Cancel the interview"), CancelInterview()),
            action_button(_("Menu"), Menu()))


def my_appointments(ctx: Ctx) -> Outbound:
    _ = ctx.t.gettext
    current, seats = ctx.store.current_interview(), ctx.store.seats()
    lines, buttons = [], []
    if current:
        lines += [_("Your orientation interview:"), describe.slot_text(ctx, current.slot), ""]
        buttons += _interview_buttons(ctx)[:2]
    else:
        lines += [_("You have no interview booked."), ""]
        buttons.append(action_button(_("Book an interview"), BookInterview()))
    days = [ctx.t.day_label(seat.workshop.starts_at) for seat in seats]
    for seat, day in zip(seats, days):
        status = (_("waiting list, number {position}").format(position=seat.position)
                  if seat.status == "waitlisted" else _("signed up"))
        lines += [_("Workshop ({status}):").format(status=status), describe.workshop_text(ctx, seat.workshop), ""]
        if days.count(day) > 1:  # two sessions on one day: the time tells the buttons apart
            day = f"{day} {ctx.t.time_label(seat.workshop.starts_at)}"
        # Translators: a button that gives a workshop seat back; {day}: a short date ("Sat, 28 Nov"); WhatsApp shows at most 21 characters
        buttons.append(action_button(_("Cancel {day}").format(day=day), GiveBackSeat(seat.registration_id)))
    if not seats:
        lines.append(_("You are not signed up for any workshop."))
    # Translators: a button; WhatsApp shows at most 20 characters
    buttons += [action_button(_("Workshops"), Workshops()), action_button(_("Menu"), Menu())]
    return Outbound("\n".join(lines).strip(), tuple(buttons))


def _ask_give_back(engine: Engine, ctx: Ctx, registration_id: int) -> list[Outbound]:
    """"Do you want to give up your place?", asked aside of a flow under way (flows.workshop)."""
    if not any(s.registration_id == registration_id for s in ctx.store.seats()):
        return [Outbound(ctx.t.gettext("This booking is no longer active.")), my_appointments(ctx)]
    return engine.start(ctx, workshop.GIVE_BACK, seat=registration_id)


def give_back(ctx: Ctx, registration_id: int) -> list[Outbound]:
    """The seat given back (the first person waiting gets it); from the give-back question or
    from a promotion's own button."""
    _ = ctx.t.gettext
    if not any(s.registration_id == registration_id for s in ctx.store.seats()):
        return [Outbound(_("This booking is no longer active.")), my_appointments(ctx)]
    try:
        ctx.store.give_up_seat(registration_id)  # the store tells whoever gets the seat
    except BookingFailed:
        return [Outbound(_("This booking is no longer active.")), my_appointments(ctx)]
    return [Outbound(_("Done: you are no longer signed up for this workshop. Thank you for telling us."),
                     (action_button(_("My appointments"), Appointments()), action_button(_("Menu"), Menu())))]


def cancel_everything(ctx: Ctx) -> None:
    """Before erasing a person: free their interview slot and seats (promoting who waits)."""
    if ctx.store.current_interview():
        ctx.store.cancel_interview("erased by the person")
    for seat in ctx.store.seats():
        ctx.store.give_up_seat(seat.registration_id)

