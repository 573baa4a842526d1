"""Why a job proposal is not right (``jobno``): the reason -> (other: in their words) -> noted.

Asked aside (``Flow.aside``) from the proposal's "No, thanks": a flow under way is paused
beneath it and comes back after. The reasons are the programme's mismatch figures. See job.md.
"""
from __future__ import annotations

from ..flow import Ctx, Flow, Option, Outcome, Step
from ..i18n import N_
from ..messages import Outbound

NAME = "jobno"
OTHER = "other"
# Translators: options in a list, why a job offer is not right; WhatsApp shows at most 21 characters
REASONS = (
    Option("too_far", N_("Too far")),
    Option("hours", N_("The hours")),
    Option("contract", N_("Contract type")),
    Option("kind_of_work", N_("Kind of work")),
    Option("pay", N_("The pay")),
    Option("found_work", N_("I found a job")),
    Option(OTHER, N_("Other reason")),
)


def _decline(ctx: Ctx, reason: str, text: str | None = None) -> Outcome:
    _ = ctx.t.gettext
    job = ctx.store.job_declined(int(ctx.answers["candidate"]), reason, text)
    if job is None:
        said = _("You already answered this proposal.")
    elif reason == "found_work":
        said = _("Good news! Thank you for telling us. We wish you the best in your new job.")
    else:
        said = _("Thank you, we noted it. We will look for offers that fit you better.")
    return Outcome(end=True, resume=True, messages=(Outbound(said),))


def _after_why(ctx: Ctx, value: str) -> Outcome | None:
    return None if value == OTHER else _decline(ctx, value)


def _after_other(ctx: Ctx, value: str) -> Outcome:
    return _decline(ctx, OTHER, value)


FLOW = Flow(NAME, (
    Step("why", N_("OK. Why is this job not right for you? Your answer helps us find better offers."),
         options=REASONS, after=_after_why, next="other"),
    Step("other", N_("Please write the reason in a few words."), parse=lambda text, ctx: text,
         max_length=300, after=_after_other),
), diagram="job.md", aside=True)
