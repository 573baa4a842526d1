"""The outbox sender's side of the database: claiming rows, writing their outcomes in batches,
renewing the leases on those it holds, handing back what it did not start (services.outbox).
A part of ``Sender`` (services/outbox_sender.py)."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlmodel import Session

from services.outbox_claim import claim, renew, take_over_the_dead
from services.outbox_pacing import _Job
from services.outbox_results import Outcome, record
from services.outbox_rows import Pending
from services.outbox_transport import Rejected

log = logging.getLogger("services.outbox_sender")


@dataclass(frozen=True)
class _Claimed:
    limit: int
    rows: list[Pending]


class Holding:
    """The rows a Sender holds (whose __init__ sets the attributes used here)."""

    def _claim(self, wanted: int) -> "_Claimed":
        """In a worker thread: claim up to ``wanted`` rows."""
        now = self.time.clock()
        with Session(self.db_engine) as sql_session, sql_session.begin():
            if not self._took_over:  # once, at start: what a killed process of ours left held
                self._took_over = True
                if taken := take_over_the_dead(sql_session, channel=self.channel, worker=self.worker, now=now):
                    log.info("%s: %d outbox rows of a process that died are sent again", self.channel, taken)
            claimed = claim(sql_session, channel=self.channel, now=now, worker=self.worker, limit=wanted,
                                   lease=dt.timedelta(seconds=self.limits.lease),
                                   chat_gap=dt.timedelta(seconds=self._chat_interval))
        return _Claimed(wanted, claimed)

    def _add(self, claimed: "_Claimed") -> int:
        """Queue the claimed rows' calls; how many rows."""
        for pending in claimed.rows:
            if pending.id not in self._jobs:  # held already (a reply whose lease ran out by another clock)
                self._take(pending)
        return len(claimed.rows)

    def _take(self, pending: Pending, *, urgent: bool = False, done: asyncio.Future | None = None) -> None:
        """A row this sender holds becomes a job in its chat's line (failed at once if the channel
        cannot send it)."""
        try:
            calls = self.transport.calls(pending)
        except Rejected as error:  # the channel's rules forbid it (e.g. WhatsApp's window)
            calls, reason = [], error.reason
        except Exception as error:  # noqa: BLE001 - content the channel cannot express
            calls, reason = [], f"cannot be sent: {error}"
        else:
            reason = "nothing to send"
        job = _Job(pending, calls, urgent=urgent, done=done)
        if calls:
            self._enqueue(job)
        else:
            self._jobs[pending.id] = job
            self._finish(job, "failed", reason)

    async def _flush(self) -> None:
        """Write the outcomes gathered so far, in a worker thread."""
        if not self._outcomes:
            return
        batch, self._outcomes = self._outcomes, []
        try:
            await asyncio.to_thread(self._record, batch)
        except Exception:  # noqa: BLE001 - kept, written at the next flush
            log.exception("%s: could not record %d outbox outcomes; trying again", self.channel, len(batch))
            self._outcomes[:0] = batch

    def _record(self, batch: list[Outcome]) -> None:
        with Session(self.db_engine) as sql_session, sql_session.begin():
            record(sql_session, batch, worker=self.worker, now=self.time.clock(),
                   max_attempts=self.limits.max_attempts)

    async def _renew(self) -> None:
        """Extend the leases of the rows held; forget those withdrawn meanwhile."""
        ids = set(self._jobs) | {o.pending.id for o in self._outcomes}
        if not ids:
            return
        until = self.time.clock() + dt.timedelta(seconds=self.limits.lease)
        try:
            held = await asyncio.to_thread(self._renew_leases, ids, until)
        except Exception:  # noqa: BLE001 - tried again at the next renewal
            log.exception("%s: could not renew the outbox leases", self.channel)
            return
        for row_id in set(self._jobs) - held:
            job = self._jobs.get(row_id)
            if job is not None and not job.in_flight and row_id in ids:
                log.info("%s: outbox row %s was withdrawn before it went out", self.channel, row_id)
                self._drop(job)

    def _renew_leases(self, ids: set[int], until: dt.datetime) -> set[int]:
        with Session(self.db_engine) as sql_session, sql_session.begin():
            return renew(sql_session, worker=self.worker, until=until, ids=ids)

    def _release(self) -> None:
        """On stop: the rows held and not started go back to pending. A message stopped between
        its parts (a long text's first part, or the text before its .ics) is not sent again from
        the start: it fails, saying what went out, rather than repeat what the person has."""
        for job in [j for j in self._jobs.values() if not j.in_flight]:
            if job.index:
                self._finish(job, "failed", f"stopped after part {job.index} of {len(job.calls)}",
                             message_id=job.message_id)
            else:
                self._drop(job)
                self._outcomes.append(Outcome(job.pending, "released"))
        self._ready.clear()
        self._urgent.clear()
        self._slots.clear()
