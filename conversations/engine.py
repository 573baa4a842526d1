"""The engine: (stored state, inbound message) -> (new state, outbound messages).

It sends nothing and opens no connection: the caller loads the state, passes a
``Store`` for the few things a flow must persist, saves the state and delivers
the returned messages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from . import choosing, payload
from .choosing import match as _match, normalize  # noqa: F401  (normalize: imported from here elsewhere)
from .flow import DONE, DONE_LABEL, SHARE_NUMBER, SKIP, Ctx, Flow, Invalid, Outcome, State, Step
from .messages import Button, Inbound, Kind, Outbound, offers_contact_button
from .store import Store
from .typed import plain_inbound

MAX_TEXT = 1000  # longer messages are refused whatever the step says

class Engine:
    def __init__(self, flows: list[Flow], commands: "CommandSet"):
        self.flows = {f.name: f for f in flows}
        self.commands = commands

    # -- entry point ---------------------------------------------------------
    def handle(self, state: State, inbound: Inbound, store: Store, now: dt.datetime) -> list[Outbound]:
        replies = self._dispatch(Ctx(state=state, store=store, inbound=plain_inbound(inbound), now=now))
        with_buttons = [reply for reply in replies if reply.buttons]
        if with_buttons:
            state.buttons = [[b.label, b.payload] for b in with_buttons[-1].buttons]
        elif replies:
            state.buttons = []
        return replies

    def _dispatch(self, ctx: Ctx) -> list[Outbound]:
        state, inbound = ctx.state, ctx.inbound
        if inbound.kind is Kind.VOICE:
            return self.voice(ctx)
        if inbound.kind is Kind.DOCUMENT:  # a file or a photo (conversations.documents)
            return self.commands.document(self, ctx)
        if inbound.kind is Kind.TEXT:
            inbound = ctx.inbound = self._typed_global_button(state, inbound)
        if inbound.kind is Kind.TEXT and inbound.text.strip().startswith("/"):
            return self.commands.run_command(self, ctx, inbound.text.strip())
        if inbound.kind is Kind.TEXT and (command := self.commands.as_command(inbound.text)):
            return self.commands.run_command(self, ctx, command)
        if inbound.kind is Kind.BUTTON:  # decoded here once; steps read ctx.button
            try:
                data = ctx.button = payload.decode(inbound.payload)
            except payload.PayloadError:
                return self.stale(ctx)
            if data.is_global:
                action = payload.decode_action(data.value)
                return self.commands.run_action(self, ctx, action) if action else self.stale(ctx)
            if data.scope != self.scope(state) and self._aside(state) and data.scope == _scope_of(state.paused):
                self.finish(ctx)  # a button of the question beneath: the question aside is dropped
            if data.scope != self.scope(state):
                return self.stale(ctx)
        return self._go_on(ctx)

    def _go_on(self, ctx: Ctx) -> list[Outbound]:
        return self.answer(ctx) if ctx.state.flow is not None else self.commands.idle(self, ctx)

    def _typed_global_button(self, state: State, inbound: Inbound) -> Inbound:
        """A number or label typed for a menu-like message counts as pressing that button."""
        chosen = _match([(data, label) for label, data in state.buttons], inbound.text)
        if chosen is None or not chosen.startswith(payload.encode_global("")):
            return inbound
        return replace(inbound, kind=Kind.BUTTON, payload=chosen, text="")

    # -- helpers the commands and flows use --------------------------------
    def scope(self, state: State) -> str:
        return f"{state.flow}.{state.step}"

    def _aside(self, state: State) -> bool:
        flow = self.flows.get(state.flow or "")
        return bool(flow and flow.aside)

    def current(self, state: State) -> tuple[Flow, Step] | None:
        flow = self.flows.get(state.flow or "")
        step = flow.step(state.step) if flow else None
        return (flow, step) if flow and step else None

    def start(self, ctx: Ctx, flow_name: str, **answers) -> list[Outbound]:
        """Begin a flow at its first step; ``answers`` are known beforehand (e.g. rescheduling)."""
        state = ctx.state
        if not self.flows[flow_name].aside:
            state.paused = None
        elif state.flow is not None and not self._aside(state):  # a question asked aside: keep this
            state.paused = {key: value for key, value in state.to_dict().items()
                            if key in ("flow", "step", "answers", "scratch", "editing")}
        state.flow, state.answers, state.scratch, state.editing = flow_name, dict(answers), {}, False
        return self.enter(ctx, self.flows[flow_name].first.name)

    def leave(self, ctx: Ctx) -> None:
        """Out of every flow, the one paused beneath a question aside too."""
        ctx.state.flow = ctx.state.step = ctx.state.paused = None
        ctx.state.answers, ctx.state.scratch, ctx.state.editing = {}, {}, False

    def finish(self, ctx: Ctx) -> None:
        """The current flow is over: back to the one it was asked aside of, if any."""
        paused, state = ctx.state.paused, ctx.state
        self.leave(ctx)
        if paused:
            state.flow, state.step = paused.get("flow"), paused.get("step")
            state.answers, state.scratch = dict(paused.get("answers") or {}), dict(paused.get("scratch") or {})
            state.editing = bool(paused.get("editing"))

    def enter(self, ctx: Ctx, step_name: str) -> list[Outbound]:
        ctx.state.step = step_name
        ctx.state.scratch = {}
        flow, step = self.current(ctx.state)
        if step.multi:
            ctx.state.scratch["selected"] = list(ctx.state.answers.get(step.name) or [])
        return [self.prompt(ctx)]

    def reprompt(self, ctx: Ctx) -> list[Outbound]:
        """The current question again, or the menu when there is none."""
        if self.current(ctx.state) is None:
            self.leave(ctx)
            return [self.commands.menu(self, ctx)]
        return [self.prompt(ctx)]

    def stale(self, ctx: Ctx) -> list[Outbound]:
        _ = ctx.t.gettext
        return [Outbound(_("That button is no longer active. Here is where we are now."))] + self.reprompt(ctx)

    def voice(self, ctx: Ctx) -> list[Outbound]:
        """A voice note: nobody listens to them here, so say how to answer, and ask again. The
        office's phone and hours are not in the bot's data: the office itself is the way out."""
        _ = ctx.t.gettext
        sorry = Outbound(_("I cannot listen to voice messages. Please write your answer here. If writing "
                           "is hard for you, come to the Insieme per il lavoro office: we will help you there."))
        return [sorry] + (self.reprompt(ctx) if self.current(ctx.state) else self.commands.idle(self, ctx))

    def prompt(self, ctx: Ctx, *, edit: bool = False) -> Outbound:
        flow, step = self.current(ctx.state)
        text = step.prompt(ctx) if callable(step.prompt) else ctx.t.gettext(step.prompt)
        scope = self.scope(ctx.state)
        buttons = tuple(Button(label, payload.encode(scope, value)) for value, label in self.choices(ctx, step))
        offered = step.request_phone and offers_contact_button(ctx.inbound.channel)
        phone_button = ctx.t.gettext(SHARE_NUMBER) if offered else None
        return Outbound(text, buttons, phone_button=phone_button, edit=edit)

    def choices(self, ctx: Ctx, step: Step) -> list[tuple[str, str]]:
        """(value, shown label) of the step's buttons, in order: typed numbers follow it."""
        _ = ctx.t.gettext
        selected = ctx.state.scratch.get("selected", [])
        shown = [(o.value, ("✅ " if step.multi and o.value in selected else "") + _(o.label))
                 for o in step.options_for(ctx)]
        if step.multi:
            shown.append((DONE, _(DONE_LABEL)))
        if step.skip_label:
            shown.append((SKIP, _(step.skip_label)))
        return shown

    # -- answering the current step ----------------------------------------
    def answer(self, ctx: Ctx) -> list[Outbound]:
        flow, step = self.current(ctx.state) or (None, None)
        if step is None:
            return self.reprompt(ctx)
        try:
            value = self.parse(ctx, step)
        except Invalid as bad:
            if flow.aside and ctx.inbound.kind is not Kind.BUTTON:
                self.finish(ctx)  # not an answer to the question aside: it is for what lies beneath
                return self._go_on(ctx)
            # not an answer, but maybe a question about the programme: answered, the step stays
            aside = self.commands.question(self, ctx) if ctx.inbound.kind is Kind.TEXT else []
            return (aside or [Outbound(bad.message)]) + [self.prompt(ctx)]
        if value is _Toggled:
            return [self.prompt(ctx, edit=True)]
        if isinstance(value, _Added):
            return [Outbound(str(value)), self.prompt(ctx)]
        ctx.state.answers[step.name] = value
        outcome = (step.after(ctx, value) if step.after else None) or Outcome()
        messages = list(outcome.messages)
        if outcome.end:
            self.finish(ctx)
            if outcome.resume:
                return messages + self.reprompt(ctx)
            return messages + ([self.commands.menu(self, ctx)] if outcome.menu else [])
        goto = outcome.goto
        if goto is None:
            goto = "summary" if ctx.state.editing and flow.step("summary") else step.next
            ctx.state.editing = False
        if goto is None:
            self.finish(ctx)
            return messages
        return messages + self.enter(ctx, goto)

    def parse(self, ctx: Ctx, step: Step):
        inbound = ctx.inbound
        _ = ctx.t.gettext
        if inbound.kind is Kind.CONTACT and step.request_phone:
            # A shared contact's number is international, but Telegram and WhatsApp give it
            # without "+": parsed as Italian, 447911123456 would be refused, 33612345678 misread.
            shared = (inbound.phone or "").strip()
            return step.parse(shared if not shared or shared.startswith("+") else "+" + shared, ctx)
        if inbound.kind in (Kind.UNSUPPORTED, Kind.CONTACT):
            raise Invalid(_("I can only read text here. Please type your answer or tap a button."))
        if inbound.kind is Kind.BUTTON:
            return self._pressed(ctx, step, ctx.button.value)
        text = inbound.text.strip()
        limit = min(step.max_length, MAX_TEXT)
        if len(text) > limit:
            raise Invalid(_("That is too long: at most {limit} characters, please.").format(limit=limit))
        if not text:
            raise Invalid(_("Please write your answer."))
        if step.multi:
            return self._typed_multi(ctx, step, text)
        choice = _match(self.choices(ctx, step), text)
        if choice is not None:
            return self._pressed(ctx, step, choice)
        if step.parse is not None:
            return step.parse(text, ctx)
        raise Invalid(_("Please tap one of the buttons, or type its number (1 to {count}).").format(
            count=len(self.choices(ctx, step))))

    def _pressed(self, ctx: Ctx, step: Step, value: str):
        _ = ctx.t.gettext
        if value == SKIP and step.skip_label:
            return None
        values = [o.value for o in step.options_for(ctx)]
        if step.multi and value == DONE:
            selected = ctx.state.scratch.get("selected", [])
            if not selected:
                raise Invalid(_("Please choose at least one option, then tap \"Done\"."))
            return [v for v in values if v in selected]
        if value not in values:
            if callable(step.stale):
                raise Invalid(step.stale(ctx, value))
            raise Invalid(_(step.stale) if step.stale else
                          _("That button is no longer active. Here is where we are now."))
        if step.multi:
            selected = ctx.state.scratch.setdefault("selected", [])
            selected.remove(value) if value in selected else selected.append(value)
            return _Toggled
        return value

    def _typed_multi(self, ctx: Ctx, step: Step, text: str):
        """Typed choices ("1, 3", "2 5", labels): conversations.choosing says what they do."""
        _ = ctx.t.gettext
        choices = self.choices(ctx, step)
        picked = choosing.typed_values(choices, text)
        if picked is None:
            example = ", ".join(str(i) for i in range(1, min(3, len(choices) - 1) + 1))
            raise Invalid(_("Please tap the buttons, or type the numbers of your choices, "
                            "for example: {example}.").format(example=example))
        typed = choosing.add_typed(ctx.state.scratch.get("selected", []), picked)
        ctx.state.scratch["selected"] = typed.selected
        if typed.close:
            return self._pressed(ctx, step, DONE)
        labels = dict(choices)
        return _Added(_("Chosen so far: {choices}. Tap \"Done\" to go on, or choose more.").format(
            choices=", ".join(labels[v].removeprefix("✅ ") for v in typed.selected)))


class _ToggledType:
    """Marker: a multi-select toggle, the step stays the same."""


_Toggled = _ToggledType()


class _Added(str):
    """Typed choices added to the ticked ones: this line says so, and the step stays the same."""


def _scope_of(position: dict | None) -> str | None:
    """The payload scope of a stored position (``reg.phone``); None for none."""
    return f"{position.get('flow')}.{position.get('step')}" if position else None


class CommandSet:
    """Global commands and actions; see conversations.commands."""

    def run_command(self, engine: Engine, ctx: Ctx, text: str) -> list[Outbound]: ...
    def as_command(self, text: str) -> str | None:
        """The command a word typed alone stands for at any step (STOP is /stop), else None."""
        return None
    def run_action(self, engine: Engine, ctx: Ctx, action: payload.Action) -> list[Outbound]: ...
    def idle(self, engine: Engine, ctx: Ctx) -> list[Outbound]: ...
    def document(self, engine: Engine, ctx: Ctx) -> list[Outbound]: ...
    def question(self, engine: Engine, ctx: Ctx) -> list[Outbound]:
        """The answer to a question typed where a step wanted its answer; [] for none."""
        return []
    def menu(self, engine: Engine, ctx: Ctx) -> Outbound: ...

