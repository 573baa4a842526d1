"""How the broadcasts' pages word things, in the operator's language: the audience's filters,
a broadcast's status, the count of recipients, the previews, and the refusals of
services.broadcasts."""
from __future__ import annotations

from services import broadcasts
from services.audience import Audience, Plan
from services.office_pages.broadcast_lookups import Named

from backoffice.forms.broadcast import LANGUAGE_NAMES, no_default_text
from backoffice.i18n import L_, _, format_datetime
from backoffice.views.broadcasts import STATUSES
from conversations import languages

CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": L_("Terminal"), "web": L_("Web chat")}


def previews(texts: dict[str, str]) -> list[tuple[str, str, str]]:
    """(language, its name, the message) as each person reads it: the outbox's own text."""
    return [(language, str(LANGUAGE_NAMES[language]), broadcasts.text_for(texts, language))
            for language in languages.CODES]


def count_line(plan: Plan) -> str:
    return (_("Recipients: %(count)s (left out: %(opted_out)s who do not want notices, %(unreachable)s not "
              "reachable)") % {"count": len(plan.recipients), "opted_out": plan.opted_out,
                               "unreachable": plan.unreachable})


def workshop_names(found: list[Named]) -> dict[int, str]:
    """Each workshop session as the audience names it: its title and time (✕: cancelled)."""
    return {row.id: f"{row.title} ({format_datetime(row.starts_at)})" + (" ✕" if row.cancelled else "")
            for row in found}


def describe(audience: Audience | dict, workshops: dict[int, str]) -> str:
    """The filters, in the operator's language: "not interviewed yet, language: English"."""
    try:
        a = Audience.of(audience)
    except (TypeError, ValueError):  # written by hand, not by these pages or the command line
        return str(audience)
    parts = []
    if a.not_interviewed:
        parts.append(_("not interviewed yet"))
    if a.workshop is not None:
        title = workshops.get(a.workshop) or f"#{a.workshop}"
        parts.append((_("seats at %(workshop)s and its waiting list") if a.with_waitlist
                       else _("seats at %(workshop)s")) % {"workshop": title})
    if a.language:
        parts.append(_("language: %(language)s") % {"language": LANGUAGE_NAMES.get(a.language, a.language)})
    if a.channel:
        parts.append(_("channel: %(channel)s") % {"channel": CHANNEL_NAMES.get(a.channel, a.channel)})
    if a.municipality:
        parts.append(_("comune: %(name)s") % {"name": a.municipality})
    return ", ".join(str(p) for p in parts) or _("everyone registered")


def status_label(status: str, pending: int, web_waiting: int = 0) -> str:
    """A queued broadcast is finished once every row is final (sent, failed, withdrawn); rows
    left only for web chat people wait for them to open the page: that is said, not "sending"."""
    if status == "queued" and not pending:
        return _("Completed")
    if status == "queued" and pending == web_waiting:
        return _("Sent; %(count)s waiting for the web chat to be opened") % {"count": web_waiting}
    return str(STATUSES.get(status, status))


def cancellable(status: str, pending: int) -> bool:
    """What broadcasts.cancel accepts: a scheduled one, or one under way with rows still to send."""
    return status == "scheduled" or (status == "queued" and pending > 0)


def refusal(problem: broadcasts.BroadcastError) -> str:
    return {"no_italian": no_default_text(),
            "too_long": _("Text too long: at most %(max)s characters.") % {"max": broadcasts.MAX_TEXT},
            "past": _("That time is already past."),
            "not_found": _("Not found."),
            "cancelled": _("This broadcast is already cancelled."),
            "finished": _("This broadcast has already gone to everyone: there is nothing left to cancel.")}.get(
        problem.reason, problem.reason)


def short(value: str, limit: int = 60) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
