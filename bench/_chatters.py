"""People chatting with the bot while it sends a broadcast: ``bench_broadcast --chatting N``.

Each of N people walks the registration of bench/bench_updates.py (``script``), pressing the
buttons the bot actually sent, and pushes the next update once the bot's whole answer to the
previous one has reached the fake server and a think time has passed (uniform between
``--think`` MIN and MAX seconds, seeded), as a person would; their first updates are spread over
one think time. One who finishes starts again as a new person (a new chat), so that N
conversations go on for as long as the broadcast lasts.

They are not among the broadcast's recipients: a broadcast message in their chat would be taken
for part of an answer, and the broadcast stays exactly ``--recipients`` messages. Registering is
the heaviest chatting there is (twenty steps, each writing to the database), and new people do
write while a broadcast goes out. (They finish registering after the broadcast was queued, so
they do not join it.)

How many calls (sends and edits to that chat) make the whole answer to each step is learnt
first, as bench/bench_latency.py does, from a bot of its own on a scratch database, with no
broadcast going on. Per update, measured from the outside: seconds from its push to the arrival
of the last call of its answer that the fake accepted (a call refused with 429 is not a message).
An update still without its whole answer at the end, after a grace period, is a reply lost.
"""
from __future__ import annotations

import heapq
import queue
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench._common import percentile
from bench.bench_latency import TOKEN, VARIANTS, Bot, Person, answered_calls, calibrate
from bench.bench_updates import script
from store import migrate
from store.engine import make_engine
from tests.fake_bot_api import LIMITED, Call, FakeBotApi

TARGET_P95_S = 1.0            # issue 12: reply p95 while 100 people chat during a 10k broadcast
SATURATED = 0.8               # the replies' share of the rate beyond which they wait for each other
FIRST_CHATTER = 500_000_000   # their chats: far from the recipients' (bench_broadcast.FIRST_CHAT)
STEPS = len(script(0))


def learn_answers(workdir: Path, cpu: int | None) -> list[list[int]]:
    """Calls per step, per variant of the script, from a bot of their own (no broadcast)."""
    db_path = workdir / "chatters-calibration.db"
    db = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(db)
    db.dispose()
    with FakeBotApi(token=TOKEN) as api:
        bot = Bot(api, db_path, workdir / "chatters-calibration.log", cpu)
        try:
            return calibrate(api, answered_calls(api), STEPS)
        except SystemExit as error:
            raise SystemExit(f"{error}\nthe calibration bot's log ends:\n{bot.tail()}") from None
        finally:
            bot.stop()


@dataclass
class Chatter(Person):
    number: int = 0      # which of the N
    round: int = 0       # how many times they registered already (each time a new chat)

    @classmethod
    def make(cls, number: int, round_: int, people: int, counts: list[list[int]]) -> "Chatter":
        index = number + round_ * people * VARIANTS  # same variant, another name, date and chat
        return cls(FIRST_CHATTER + index, script(index), counts[number % VARIANTS], number=number, round=round_)


class Chatters:
    """N people chatting, driven by a thread of this process; ``start``, then ``finish``."""

    def __init__(self, api: FakeBotApi, people: int, counts: list[list[int]], think: tuple[float, float],
                 seed: int = 1):
        self.api, self.people, self.counts, self.think = api, people, counts, think
        self.random = random.Random(seed)
        self.current = [Chatter.make(n, 0, people, counts) for n in range(people)]
        self.done: list[Chatter] = []             # conversations finished (registered)
        self.by_chat = {c.user_id: c for c in self.current}
        self.heard: queue.Queue[Call] = queue.Queue()
        self.due: list[tuple[float, int]] = []    # (push at, number): the next updates
        self.errors: list[str] = []
        self.reply_calls: list[float] = []        # arrival of every accepted call to a chatter's chat
        self._stopping = threading.Event()
        self._grace_until = float("inf")
        self._thread = threading.Thread(target=self._run, name="chatters", daemon=True)
        api.listen(self._hear)

    def _hear(self, call: Call) -> None:  # in the fake server's threads
        if call.status == 200 and call.method in LIMITED and (call.chat_id or 0) >= FIRST_CHATTER:
            self.heard.put(call)

    def start(self) -> "Chatters":
        now = time.monotonic()
        self.due = [(now + self.random.uniform(0, self.think[1]), n) for n in range(self.people)]
        heapq.heapify(self.due)
        self._thread.start()
        return self

    def finish(self, grace: float) -> None:
        """No more new updates; wait up to ``grace`` seconds for the answers still owed."""
        self._grace_until = time.monotonic() + grace
        self._stopping.set()
        self._thread.join()

    # -- the thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            now = time.monotonic()
            if self._stopping.is_set():
                self.due.clear()
                if not self._owed() or now >= self._grace_until:
                    return
            while self.due and self.due[0][0] <= now:
                self._push(self.current[heapq.heappop(self.due)[1]])
            wait = min(0.1, self.due[0][0] - now) if self.due else 0.1
            try:
                call = self.heard.get(timeout=max(0.001, wait))
            except queue.Empty:
                continue
            self.reply_calls.append(call.at)
            self._heard(call)

    def _push(self, chatter: Chatter) -> None:
        try:
            chatter.push(self.api)
        except (SystemExit, AssertionError, IndexError, KeyError) as error:  # no button to press: stuck
            self.errors.append(f"chat {chatter.user_id}, step {chatter.step}: {error}")

    def _heard(self, call: Call) -> None:
        chatter = self.by_chat.get(call.chat_id)
        if chatter is None or chatter.done or not chatter.pushed_at:
            return
        chatter.seen.append(call)
        if len(chatter.seen) < chatter.expected[chatter.step]:
            return
        chatter.first.append(chatter.seen[0].at - chatter.pushed_at)
        chatter.answer.append(chatter.seen[-1].at - chatter.pushed_at)
        chatter.pushed_at = 0.0
        chatter.step += 1
        if chatter.done:  # registered: a new person takes their place
            self.done.append(chatter)
            chatter = Chatter.make(chatter.number, chatter.round + 1, self.people, self.counts)
            self.current[chatter.number] = self.by_chat[chatter.user_id] = chatter
        heapq.heappush(self.due, (time.monotonic() + self.random.uniform(*self.think), chatter.number))

    def _owed(self) -> list[Chatter]:
        """People who pushed an update whose whole answer has not come."""
        return [c for c in self.current if c.pushed_at]

    # -- figures ---------------------------------------------------------------------------------
    def figures(self, first: float, last: float) -> dict:
        """Reply times of every update answered, replies lost, the replies' calls while the
        broadcast went out (between its first message and its last, monotonic seconds)."""
        everyone = self.done + self.current
        answers = sorted(s for c in everyone for s in c.answer)
        firsts = sorted(s for c in everyone for s in c.first)
        during = sum(1 for at in self.reply_calls if first <= at <= last)
        return {
            "chatting": self.people, "think_s": list(self.think), "updates": len(answers) + len(self._owed()),
            "answered": len(answers), "replies_lost": len(self._owed()), "registered": len(self.done),
            "reply_p50_s": percentile(answers, 0.50), "reply_p95_s": percentile(answers, 0.95),
            "reply_max_s": answers[-1] if answers else float("nan"),
            "reply_first_p50_s": percentile(firsts, 0.50),
            "reply_calls_during": during, "reply_calls_per_s": during / max(last - first, 1e-9),
            "stuck": self.errors[:5],
        }


def report(chat: dict, rate: float, shared_floor: float, ratio_shared: float) -> None:
    think = "-".join(f"{s:g}" for s in chat["think_s"])
    print(f"chatting: {chat['chatting']} people (think {think} s), {chat['updates']:,} updates, "
          f"{chat['answered']:,} answered, {chat['registered']} registrations done")
    print(f"reply time (push to whole answer)   p50 {chat['reply_p50_s']:.3f} s, p95 {chat['reply_p95_s']:.3f} s, "
          f"max {chat['reply_max_s']:.3f} s (first call p50 {chat['reply_first_p50_s']:.3f} s)")
    stuck = f"; stuck: {'; '.join(chat['stuck'])}" if chat["stuck"] else ""
    print(f"replies lost {chat['replies_lost']}, 429s in their chats {chat['429s']} "
          f"({chat['429s_per_chat_limit']} over 1/s per chat){stuck}")
    print(f"their replies took {chat['reply_calls_during']:,} calls while the broadcast went out "
          f"({chat['reply_calls_per_s']:.1f}/s, {chat['reply_calls_per_s'] / rate:.0%} of the rate): "
          f"shared floor {shared_floor:.1f} s, completion {ratio_shared:.3f}x that")
    if chat["reply_calls_per_s"] > SATURATED * rate:
        print(f"note: the replies alone took over {SATURATED:.0%} of the rate: the chat, not the broadcast, "
              f"sets the pace and the replies queue behind each other (a longer --think is more like people)")
