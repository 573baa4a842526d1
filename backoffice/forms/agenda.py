"""The agenda's and the workshop sessions' forms: a slot, a weekly pattern, an interview's
outcome, cancelling, a session and its attendance."""
from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import BooleanField
from wtforms.validators import ValidationError

from backoffice.forms.fields import Choice, Day, OfficeForm, Text, Time, Weekdays, Whole
from backoffice.i18n import L_, _
from conversations import languages
from conversations.i18n import TIMEZONE
from services import agenda

MAX_PATTERN_DAYS = 366
LARGEST_ID = 2**62


class SlotFields(OfficeForm):
    """What every interview slot has: its mode, interviewer, address, minutes and places."""

    mode = Choice(choices=agenda.MODES, message=L_("Choose the mode of the interview."))
    operator = Text(limit=80, required=L_("Write the interviewer's name."))
    address = Text(limit=200)
    duration = Whole(low=5, high=480, what=L_("Minutes"))
    capacity = Whole(low=1, high=50, what=L_("Places"), empty=1)

    def validate_address(self, field) -> None:
        if self.mode.data == "in_person" and not field.data:
            raise ValidationError(_("An interview in person needs an address."))

    def slot(self) -> dict[str, Any]:
        """The keyword arguments services.agenda takes for a slot."""
        return {"mode": self.mode.data, "operator": self.operator.data, "address": self.address.data or None,
                "duration_minutes": self.duration.data, "capacity": self.capacity.data}


class SlotForm(SlotFields):
    day = Day()
    time = Time()

    def starts_at(self) -> dt.datetime:
        return agenda.local(self.day.data, self.time.data)


class PatternForm(SlotFields):
    """The weekly pattern: the chosen weekdays from ``first`` to ``last``, ``opens`` to ``closes``."""

    weekday = Weekdays()
    first = Day()
    last = Day()
    opens = Time()
    closes = Time()
    holidays = BooleanField()  # ticked: public holidays get slots too (skipped otherwise)

    def validate_last(self, field) -> None:
        if field.data is None or self.first.data is None:
            return
        if field.data < self.first.data:
            raise ValidationError(_("The last day comes before the first."))
        if (field.data - self.first.data).days > MAX_PATTERN_DAYS:
            raise ValidationError(_("At most one year at a time."))
        if field.data < self.now.astimezone(TIMEZONE).date():
            raise ValidationError(_("Those days are already past."))

    def hours(self) -> str:
        """Why nothing fits (services.agenda.AgendaError hours or window)."""
        return (_("No interview fits between %(opens)s and %(closes)s.")
                % {"opens": f"{self.opens.data:%H:%M}", "closes": f"{self.closes.data:%H:%M}"})


class CancelSlotForm(OfficeForm):
    slot = Whole(low=1, high=LARGEST_ID, what=L_("Slot"))


class OutcomeForm(OfficeForm):
    booking = Whole(low=1, high=LARGEST_ID, what=L_("Booking"))
    status = Choice(choices=agenda.OUTCOMES, message=L_("Choose attended or no-show."))
    note = Text(limit=2000)


class WorkshopChoiceForm(OfficeForm):
    """The session a POST acts on (cancel, attendance)."""

    session = Whole(low=1, high=LARGEST_ID, what=L_("Session"))


class WorkshopSessionForm(OfficeForm):
    """A new session (no ``session`` field) or changes to one."""

    title = Text(limit=200, required=L_("Write the title."))
    day = Day()
    start = Time()
    end = Time()
    language = Choice(choices=languages.CODES, message=L_("Choose the language."), empty=languages.DEFAULT)
    description = Text(limit=2000)
    place = Text(limit=200)
    capacity = Whole(low=1, high=1000, what=L_("Seats"))
    session = Whole(low=1, high=LARGEST_ID, what=L_("Session"), empty=0)

    def validate_end(self, field) -> None:
        if None in (self.day.data, self.start.data, field.data):
            return
        if self.ends_at() <= self.starts_at():
            raise ValidationError(_("The end comes before the start."))
        if self.starts_at() <= self.now:
            raise ValidationError(_("That time is already past."))

    def starts_at(self) -> dt.datetime:
        return agenda.local(self.day.data, self.start.data)

    def ends_at(self) -> dt.datetime:
        return agenda.local(self.day.data, self.end.data)

    def fields(self) -> dict[str, Any]:
        """The keyword arguments of services.agenda.add_workshop and attendance.edit_workshop."""
        return {"title": self.title.data, "description": self.description.data, "starts_at": self.starts_at(),
                "ends_at": self.ends_at(), "place": self.place.data, "language": self.language.data,
                "capacity": self.capacity.data}
