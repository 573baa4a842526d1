"""Menu actions around bookings: book, move or cancel the interview, workshops,
"my appointments", giving a workshop seat back (which may promote somebody waiting)."""
from __future__ import annotations

from . import describe, reminders
from .payload import action_button
from .engine import Engine
from .flow import Ctx
from .flows import interview, workshop
from .messages import Button, Outbound
from .store import BookingFailed



def run(engine: Engine, ctx: Ctx, action: str, argument: str) -> list[Outbound] | None:
    """The replies for an ``int:``/``ws:``/``appts``/``rem:`` action; None if it is not one of them."""
    _ = ctx.t.gettext
    if action in ("int", "ws", "appts", reminders.ACTION) and ctx.store.registration_code() is None:
        return [Outbound(_("First you need to register: it takes a few minutes."),
                         (action_button(_("Register"), "register"), action_button(_("Menu"), "menu")))]
    if action == "appts":
        return [my_appointments(ctx)]
    if action == "int":
        return _interview(engine, ctx, argument)
    if action == "ws":
        verb, _sep, number = argument.partition(":")
        if verb == "list":
            return engine.start(ctx, workshop.NAME)
        if verb in ("cancel", "drop") and number.isdecimal():
            return _drop_seat(engine, ctx, int(number), confirmed=verb == "drop")
    if action == reminders.ACTION:
        pressed = reminders.parse(argument)
        return _reminder(engine, ctx, pressed) if pressed else None
    return None


def _reminder(engine: Engine, ctx: Ctx, pressed: reminders.Pressed) -> list[Outbound]:
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
        return [Outbound(thanks, (action_button(_("My appointments"), "appts"), action_button(_("Menu"), "menu")))]
    if is_interview:
        return _interview(engine, ctx, "move" if pressed.verb == reminders.MOVE else "cancel")
    if pressed.verb == reminders.CANCEL:
        return _drop_seat(engine, ctx, booking_id, confirmed=False)
    return engine.start(ctx, workshop.NAME, move_from=booking_id)  # the old seat goes once the new one is held


def _interview(engine: Engine, ctx: Ctx, verb: str) -> list[Outbound] | None:
    _ = ctx.t.gettext
    current = ctx.store.current_interview()
    if verb == "book" and current:
        return [Outbound(_("You already have an interview booked:") + "\n\n"
                         + describe.slot_text(ctx, current.slot), _interview_buttons(ctx))]
    if verb in ("move", "cancel") and current is None:
        return [Outbound(_("You have no interview booked."),
                         (action_button(_("Book an interview"), "int:book"), action_button(_("Menu"), "menu")))]
    if verb == "book":
        return engine.start(ctx, interview.NAME)
    if verb == "move":
        return engine.start(ctx, interview.NAME, reschedule=True)
    if verb == "cancel":
        return engine.start(ctx, interview.CANCEL)
    return None


def _interview_buttons(ctx: Ctx) -> tuple[Button, ...]:
    _ = ctx.t.gettext
    return (action_button(_("Change day or time"), "int:move"), action_button(_("Cancel the interview"), "int:cancel"),
            action_button(_("Menu"), "menu"))


def my_appointments(ctx: Ctx) -> Outbound:
    _ = ctx.t.gettext
    current, seats = ctx.store.current_interview(), ctx.store.seats()
    lines, buttons = [], []
    if current:
        lines += [_("Your orientation interview:"), describe.slot_text(ctx, current.slot), ""]
        buttons += _interview_buttons(ctx)[:2]
    else:
        lines += [_("You have no interview booked."), ""]
        buttons.append(action_button(_("Book an interview"), "int:book"))
    for seat in seats:
        status = (_("waiting list, number {position}").format(position=seat.position)
                  if seat.status == "waitlisted" else _("signed up"))
        lines += [_("Workshop ({status}):").format(status=status), describe.workshop_text(ctx, seat.workshop), ""]
        buttons.append(action_button(_("Cancel {day}").format(day=ctx.t.day_label(seat.workshop.starts_at)),
                               f"ws:cancel:{seat.registration_id}"))
    if not seats:
        lines.append(_("You are not signed up for any workshop."))
    buttons += [action_button(_("Workshops"), "ws:list"), action_button(_("Menu"), "menu")]
    return Outbound("\n".join(lines).strip(), tuple(buttons))


def _drop_seat(engine: Engine, ctx: Ctx, registration_id: int, *, confirmed: bool) -> list[Outbound]:
    _ = ctx.t.gettext
    seat = next((s for s in ctx.store.seats() if s.registration_id == registration_id), None)
    if seat is None:
        return [Outbound(_("This booking is no longer active.")), my_appointments(ctx)]
    if not confirmed:
        return [Outbound(_("Do you want to give up your place at this workshop?") + "\n\n"
                         + describe.workshop_text(ctx, seat.workshop),
                         (action_button(_("Yes, give it up"), f"ws:drop:{registration_id}"),
                          action_button(_("No, keep my seat"), "appts")))]
    try:
        ctx.store.give_up_seat(registration_id)  # the store tells whoever gets the seat
    except BookingFailed:
        return [Outbound(_("This booking is no longer active.")), my_appointments(ctx)]
    return [Outbound(_("Done: you are no longer signed up for this workshop. Thank you for telling us."),
                     (action_button(_("My appointments"), "appts"), action_button(_("Menu"), "menu")))]


def cancel_everything(ctx: Ctx) -> None:
    """Before erasing a person: free their interview slot and seats (promoting who waits)."""
    if ctx.store.current_interview():
        ctx.store.cancel_interview("erased by the person")
    for seat in ctx.store.seats():
        ctx.store.give_up_seat(seat.registration_id)

