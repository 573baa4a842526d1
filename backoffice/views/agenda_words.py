"""How the agenda's and the workshop sessions' pages word times and refusals, in the
operator's language (times in Rome's)."""
from __future__ import annotations

import datetime as dt

from backoffice.i18n import L_, _
from conversations.i18n import TIMEZONE
from services.clock import aware

WEEKDAYS = (L_("Mon"), L_("Tue"), L_("Wed"), L_("Thu"), L_("Fri"), L_("Sat"), L_("Sun"))


def when(value: dt.datetime) -> str:
    return aware(value).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")


def hour(value: dt.datetime) -> str:
    return aware(value).astimezone(TIMEZONE).strftime("%H:%M")


def local_day(value: dt.datetime) -> str:
    return aware(value).astimezone(TIMEZONE).date().isoformat()


def refusal(reason: str, **special: str) -> str:
    """services.agenda.AgendaError's reasons; ``special`` words a reason the page's own way."""
    return special.get(reason) or {"past": _("That time is already past."),
            "exists": _("The interviewer already has a slot at that time."),
            "not_found": _("Not found."),
            "cancelled": _("Already cancelled."),
            "order": _("The end comes before the start."),
            "capacity": _("The seats cannot be fewer than the seats already taken."),
            "address": _("An interview in person needs an address."),
            "outcome": _("Choose attended or no-show.")}.get(reason, reason)


def skipped(holidays: str) -> str:
    """What a weekly pattern left out: "Public holidays skipped: 8/12/2026 (Immacolata Concezione)."."""
    return _("Public holidays skipped: %(days)s.") % {"days": holidays} if holidays else ""
