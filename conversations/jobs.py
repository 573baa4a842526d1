"""Job proposals in the chat: the proposal an operator sends (a pure builder: services.proposals
queues it in the person's language), its two buttons, and "My applications" in the menu.

"I'm interested" and "No, thanks" are global actions (payload.JobAnswer): they work from any
step, and a flow under way is asked again after. "No, thanks" asks why aside (flows.job).
"""
from __future__ import annotations

from . import describe
from .engine import Engine
from .flow import Ctx
from .flows import job as job_flow
from .flows.choices import AVAILABILITY
from .i18n import N_
from .messages import Outbound
from .payload import BookInterview, JobAnswer, Menu, MyJobs, action_button
from .store import Job

SHOWN = 10  # proposals listed in "My applications", newest first
CONTRACTS = {
    "permanent": N_("permanent contract"),
    "fixed_term": N_("fixed-term contract"),
    "apprenticeship": N_("apprenticeship"),
    "internship": N_("internship (tirocinio)"),
    "agency": N_("agency work (somministrazione)"),
    "other": N_("other contract"),
}
STATES = {
    "proposed": N_("waiting for your answer"),
    "interested": N_("you are interested: the office will call you"),
    "declined": N_("you said no"),
    "put_forward": N_("sent to the company"),
    "hired": N_("hired"),
    "not_selected": N_("not selected"),
    "withdrew": N_("withdrawn"),
    "refused_contract": N_("you refused the contract"),
}


def job_text(ctx, job: Job) -> str:
    """What the job is, where, the contract and the hours (and the company, when shown)."""
    _ = ctx.t.gettext
    hours = next((_(o.label) for o in AVAILABILITY if o.value == job.hours), job.hours)
    lines = [_("Job: {role}").format(role=ctx.t.isolate(job.role)),
             _("Where: {place}").format(place=ctx.t.isolate(job.municipality)),
             _("Contract: {contract}").format(contract=_(CONTRACTS.get(job.contract, CONTRACTS["other"]))),
             _("Hours: {hours}").format(hours=hours)]
    if job.company:
        lines.append(_("Company: {name}").format(name=ctx.t.isolate(job.company)))
    if job.start_date:
        lines.append(_("Start: {date}").format(date=ctx.t.isolate(ctx.t.format_date(job.start_date))))
    if job.description:
        lines.append(ctx.t.isolate(job.description))
    return "\n".join(lines)


def proposal(*, language: str, job: Job, now) -> Outbound:
    """The proposal an operator sends: the job, and two buttons."""
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    text = (_("Insieme per il lavoro has a job offer that may fit you.") + "\n\n" + job_text(reader, job) + "\n\n"
            + _("Are you interested? If you say yes, an operator will call you."))
    return Outbound(text, (
        # Translators: a button; WhatsApp shows at most 20 characters
        action_button(_("I'm interested"), JobAnswer("yes", job.candidate_id)),
        # Translators: a button; WhatsApp shows at most 20 characters
        action_button(_("No, thanks"), JobAnswer("no", job.candidate_id))))


def template_params(*, language: str, job: Job, now) -> list[str]:
    """WhatsApp's job template outside the 24-hour window: {{1}} the job, {{2}} where, {{3}} contract and hours."""
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    hours = next((_(o.label) for o in AVAILABILITY if o.value == job.hours), job.hours)
    contract = _(CONTRACTS.get(job.contract, CONTRACTS["other"]))
    return [job.role, job.municipality, f"{contract}, {hours}"]


def run(engine: Engine, ctx: Ctx, action) -> list[Outbound] | None:
    """The job actions; None for any other."""
    if isinstance(action, MyJobs):
        return [my_jobs(ctx)] + _back(engine, ctx)
    if not isinstance(action, JobAnswer):
        return None
    _ = ctx.t.gettext
    job = ctx.store.job(action.candidate_id)
    if job is None:
        return engine.stale(ctx)
    if action.verb == "no":
        if job.state != "proposed":
            return [_answered(ctx, job)] + _back(engine, ctx)
        return engine.start(ctx, job_flow.NAME, candidate=job.candidate_id)
    taken = ctx.store.job_interested(job.candidate_id)
    if taken is None and job.closed:
        return [Outbound(_("Sorry, this job offer is closed now. We will write to you when there are others."),
                         _buttons(ctx))] + _back(engine, ctx)
    if taken is None:
        return [_answered(ctx, job)] + _back(engine, ctx)
    text = _("Thank you! You are in the selection for this job.") + "\n\n" + job_text(ctx, taken) + "\n\n"
    if taken.next_step == "interview":
        return [_interview_first(ctx, text)] + _back(engine, ctx)
    text += _("What happens next: an operator of Insieme per il lavoro will call you in the next days "
              "to prepare the interview with the company.")
    return [Outbound(text, _buttons(ctx))] + _back(engine, ctx)


def _interview_first(ctx: Ctx, text: str) -> Outbound:
    """Interested before the orientation interview: every selection starts from it."""
    _ = ctx.t.gettext
    text += _("What happens next: every selection starts from the orientation interview with "
              "Insieme per il lavoro, and you have not had yours yet.") + " "
    booked = ctx.store.current_interview()
    if booked is not None:
        text += _("Yours is on {when}: there we will talk about this job too.").format(
            when=ctx.t.isolate(describe.when(ctx, booked.slot.starts_at)))
        return Outbound(text, _buttons(ctx))
    text += _("Book it now: after the interview an operator will call you about this job.")
    return Outbound(text, (action_button(_("Book an interview"), BookInterview()),) + _buttons(ctx))


def my_jobs(ctx: Ctx) -> Outbound:
    """"My applications": each proposal and where it stands."""
    _ = ctx.t.gettext
    jobs = ctx.store.jobs()
    if not jobs:
        return Outbound(_("You have no job proposals yet. When the office has an offer that fits you, "
                          "we write to you here."), (action_button(_("Menu"), Menu()),))
    lines = [_("Your job proposals:"), ""]
    for job in jobs[:SHOWN]:
        state = _(STATES.get(job.state, STATES["proposed"]))
        # Translators: one line of "My applications": "Addetta pulizie in Imola: waiting for your answer"
        lines.append("• " + _("{role} in {place}: {state}").format(
            role=ctx.t.isolate(job.role), place=ctx.t.isolate(job.municipality), state=state))
    buttons = []
    waiting = [job for job in jobs if job.state == "proposed" and not job.closed][:1]
    for job in waiting:  # the newest open one, whole, and its answer here too
        lines += ["", job_text(ctx, job)]
        buttons += [action_button(_("I'm interested"), JobAnswer("yes", job.candidate_id)),
                    action_button(_("No, thanks"), JobAnswer("no", job.candidate_id))]
    return Outbound("\n".join(lines), tuple(buttons) + (action_button(_("Menu"), Menu()),))


def _answered(ctx: Ctx, job: Job) -> Outbound:
    _ = ctx.t.gettext
    state = _(STATES.get(job.state, STATES["proposed"]))
    return Outbound(_("You already answered this proposal. State: {state}").format(state=state), _buttons(ctx))


def _buttons(ctx: Ctx) -> tuple:
    _ = ctx.t.gettext
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    return (action_button(_("My applications"), MyJobs()), action_button(_("Menu"), Menu()))


def _back(engine: Engine, ctx: Ctx) -> list[Outbound]:
    return engine.reprompt(ctx) if engine.current(ctx.state) else []
