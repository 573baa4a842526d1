"""How interviews and workshops read to a person, and their calendar files."""
from __future__ import annotations

import datetime as dt

from .calendar import event_file
from .flow import Ctx
from .i18n import N_, translator
from .messages import Attachment
from .store import Slot, Workshop

WORKSHOP_CYCLE = N_("Come muoverti nel mondo del lavoro senza perdere la bussola")
MODES = {
    "in_person": N_("in person"),
    "phone": N_("by phone: we will call you"),
    "video": N_("by video call: you will get the link"),
}


class Reader:
    """What these functions need of a ctx, for writing to somebody other than the person
    talking (a promotion, an office notice): their language, and the time."""

    def __init__(self, language: str, now: dt.datetime):
        self.t, self.now = translator(language), now


def when(ctx: Ctx, starts_at: dt.datetime) -> str:
    """ "martedì 1 dicembre 2026, 09:30" / "Tuesday, 1 December 2026, 09:30" in the person's language and Rome's time."""
    return ctx.t.format_datetime(starts_at, "full")


def slot_text(ctx: Ctx, slot: Slot) -> str:
    _ = ctx.t.gettext
    duration = ctx.t.ngettext("{count} minute", "{count} minutes", slot.duration_minutes).format(
        count=slot.duration_minutes)
    mode = _(MODES.get(slot.mode, MODES["in_person"]))
    # Translators: an interview's length and how it goes, "30 minutes, by phone: we will call you"
    # (the comma as the language writes it: "،" in Arabic and Urdu)
    lines = [when(ctx, slot.starts_at), _("{duration}, {mode}").format(duration=duration, mode=mode)]
    if slot.mode == "in_person" and slot.address:
        lines.append(_("Where: {address}").format(address=ctx.t.isolate(slot.address)))
    return "\n".join(lines)


def slot_label(ctx: Ctx, slot: Slot) -> str:
    """A time button: "09:30", with the mode when it is not in person."""
    _ = ctx.t.gettext
    short = {"phone": _("phone"), "video": _("video")}.get(slot.mode)
    return f"{ctx.t.time_label(slot.starts_at)} · {short}" if short else ctx.t.time_label(slot.starts_at)


def seats_text(ctx: Ctx, workshop: Workshop) -> str:
    if workshop.seats_left == 0:
        return ctx.t.gettext("full: waiting list open")
    return ctx.t.ngettext("{count} seat left", "{count} seats left", workshop.seats_left).format(
        count=workshop.seats_left)


def workshop_text(ctx: Ctx, workshop: Workshop) -> str:
    _ = ctx.t.gettext
    lines = [f"«{workshop.title}»",
             ctx.t.day_and_hours(workshop.starts_at, workshop.ends_at)]
    if workshop.place:
        lines.append(_("Where: {address}").format(address=ctx.t.isolate(workshop.place)))
    if workshop.description:
        lines.append(workshop.description)
    return "\n".join(lines)


def interview_file(ctx: Ctx, booking_id: int, slot: Slot) -> Attachment:
    _ = ctx.t.gettext
    location = slot.address if slot.mode == "in_person" and slot.address else _(
        MODES.get(slot.mode, MODES["in_person"]))  # never _(""): that is the catalog's header
    return event_file(uid=f"interview-{booking_id}", title=_("Orientation interview - Insieme per il lavoro"),
                      starts_at=slot.starts_at, ends_at=slot.ends_at, location=location,
                      description=slot_text(ctx, slot), filename="colloquio.ics", stamp=ctx.now)


def workshop_file(ctx: Ctx, registration_id: int, workshop: Workshop) -> Attachment:
    return event_file(uid=f"workshop-{registration_id}", title=workshop.title,
                      starts_at=workshop.starts_at, ends_at=workshop.ends_at, location=workshop.place,
                      description=workshop_text(ctx, workshop), filename="laboratorio.ics", stamp=ctx.now)
