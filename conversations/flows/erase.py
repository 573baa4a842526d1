"""Erasing one's data (privacy > "Erase my data"): are you sure? -> erased, or nothing erased.

Asked aside (``Flow.aside``): a form under way is paused beneath the question, not dropped,
and is asked again after "No". See erase.md for the diagram.
"""
from __future__ import annotations

from .. import appointments
from ..flow import Ctx, Flow, Option, Outcome, Step
from ..i18n import N_
from ..messages import Outbound

NAME = "erase"
YES, NO = "yes", "no"  # conversations.payload maps the old global buttons onto these


def _after_sure(ctx: Ctx, value: str) -> Outcome:
    _ = ctx.t.gettext
    if value == NO:
        return Outcome(end=True, resume=True, messages=(Outbound(_("OK, nothing was erased.")),))
    appointments.cancel_everything(ctx)  # frees their slot and seats for others first
    ctx.store.erase_personal_data()
    ctx.state.paused = None  # nothing to go back to: the form's answers are gone with the rest
    return Outcome(end=True, messages=(Outbound(
        _("Your data has been erased. Thank you for contacting Insieme per il lavoro. "
          "If you want to register again, write /start."), close_keyboard=True),))


FLOW = Flow(NAME, (
    Step("sure", N_("Do you really want to erase your data? Your registration will be cancelled "
                    "and the operators will no longer see it. This cannot be undone."),
         # Translators: a button; WhatsApp shows at most 20 characters
         options=(Option(YES, N_("Yes, erase")),
                  # Translators: a button; WhatsApp shows at most 20 characters
                  Option(NO, N_("No, keep my data"))), after=_after_sure),
), diagram="erase.md", aside=True)
