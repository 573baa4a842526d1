"""What a reminder says, and its three buttons: "I'll be there", "Reschedule", "Cancel".

The buttons are global actions (``payload.ReminderAnswer``), so they work from any step;
conversations.appointments acts on them. services.reminders decides when a reminder is due.
"""
from __future__ import annotations

from . import describe
from .messages import Button, Outbound
from .payload import ReminderAnswer, action_button
from .store import Slot, Workshop

CONFIRM, MOVE, CANCEL = "ok", "move", "cancel"
INTERVIEW, WORKSHOP = "i", "w"  # an InterviewBooking id, or a WorkshopRegistration id


def _buttons(reader: describe.Reader, kind: str, booking_id: int) -> tuple[Button, ...]:
    _ = reader.t.gettext
    # WhatsApp allows 3 reply buttons of at most 20 characters: these fit in both languages
    return tuple(action_button(label, ReminderAnswer(verb, kind, booking_id)) for verb, label in (
        # Translators: a button; WhatsApp shows at most 20 characters
        (CONFIRM, _("I'll be there")),
        # Translators: a button (to choose another day); WhatsApp shows at most 20 characters
        (MOVE, _("Reschedule")),
        # Translators: a button (to cancel the appointment); WhatsApp shows at most 20 characters
        (CANCEL, _("Cancel"))))


def interview_reminder(reader: describe.Reader, booking_id: int, slot: Slot) -> Outbound:
    """The reminder of an orientation interview: when, how and where, in the reader's language."""
    _ = reader.t.gettext
    text = (_("Reminder: your orientation interview at Insieme per il lavoro.") + "\n\n"
            + describe.slot_text(reader, slot) + "\n\n" + _("Will you come? Tap a button to tell us."))
    return Outbound(text, _buttons(reader, INTERVIEW, booking_id))


def workshop_reminder(reader: describe.Reader, registration_id: int, workshop: Workshop) -> Outbound:
    """The reminder of a workshop seat: title, day and times, place (not the description: short)."""
    _ = reader.t.gettext
    lines = [_("Reminder: you have a seat at this workshop."), "", f"«{workshop.title}»",
             reader.t.day_and_hours(workshop.starts_at, workshop.ends_at)]
    if workshop.place:
        lines.append(_("Where: {address}").format(address=reader.t.isolate(workshop.place)))
    lines += ["", _("Will you come? Tap a button to tell us.")]
    return Outbound("\n".join(lines), _buttons(reader, WORKSHOP, registration_id))
