"""What the bot tells a person about a change somebody else made: a seat freed for them on a
waiting list, an interview slot or a workshop session the office cancelled, a session moved.

Pure builders: each takes the person's language and what changed, and returns the message.
services.notices queues them, in the transaction of the change (the person is not the one
talking, so the texts are in *their* language, through describe.Reader)."""
from __future__ import annotations

import datetime as dt

from . import describe
from .messages import Outbound
from .payload import BookInterview, DropSeat, Menu, action_button
from .store import Seat, Slot, Workshop

MOVED, CANCELLED = "moved", "cancelled"  # what the office did to a workshop session


def promoted(*, language: str, seat: Seat, now: dt.datetime) -> Outbound:
    """The first person waiting got the freed seat."""
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    text = (_("Good news: a seat has freed up and it is yours now!") + "\n\n"
            + describe.workshop_text(reader, seat.workshop) + "\n\n"
            + _("If you can no longer come, give the seat back so that somebody else can have it."))
    # Translators: a button; WhatsApp shows at most 20 characters
    return Outbound(text, (action_button(_("Give the seat back"), DropSeat(seat.registration_id)),),
                    file=describe.workshop_file(reader, seat.registration_id, seat.workshop))


def slot_cancelled(*, language: str, slot: Slot, now: dt.datetime) -> Outbound:
    """The office cancelled the slot of the person's interview."""
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    text = (_("We are sorry: the office had to cancel your orientation interview.") + "\n\n"
            + describe.slot_text(reader, slot) + "\n\n"
            + _("You can choose another day and time now."))
    return Outbound(text, (action_button(_("Book an interview"), BookInterview()), action_button(_("Menu"), Menu())))


def workshop_changed(*, language: str, workshop: Workshop, now: dt.datetime, kind: str) -> Outbound:
    """The office cancelled (``CANCELLED``) or moved (``MOVED``: ``workshop`` holds the new
    time) a session the person has a seat or a waiting place at."""
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    if kind == CANCELLED:
        head = _("We are sorry: the office had to cancel a workshop session you signed up for.")
    else:
        head = _("The office moved a workshop session you signed up for. The new time:")
    return Outbound(head + "\n\n" + describe.workshop_text(reader, workshop), (action_button(_("Menu"), Menu()),))
