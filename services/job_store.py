"""The job half of the engine's Store: one person's proposals, and their answers, inside the
transaction of the message being handled (services.candidacy does the writing)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Optional

from sqlalchemy import select

from conversations.i18n import TIMEZONE
from conversations.store import Job

from services import candidacy
from services.proposals import job_view
from store.models import Candidate, Company, Vacancy


class JobStoreMixin:
    contact_id: int
    now: dt.datetime

    def _candidacies(self, candidate_id: Optional[int] = None):
        query = (select(Candidate, Vacancy, Company).join(Vacancy, Vacancy.id == Candidate.vacancy_id)
                 .outerjoin(Company, Company.id == Vacancy.company_id)
                 .where(Candidate.contact_id == self.contact_id)
                 .order_by(Candidate.created_at.desc(), Candidate.id.desc()))
        if candidate_id is not None:
            query = query.where(Candidate.id == candidate_id)
        return list(self.sql_session.execute(query))

    def jobs(self) -> list[Job]:
        return [job_view(*row) for row in self._candidacies()]

    def job(self, candidate_id: int) -> Job | None:
        rows = self._candidacies(candidate_id)
        return job_view(*rows[0]) if rows else None

    def job_interested(self, candidate_id: int) -> Job | None:
        rows = self._candidacies(candidate_id)
        today = self.now.astimezone(TIMEZONE).date()
        taken = candidacy.interested(self.sql_session, rows[0][0], now=self.now, today=today) if rows else None
        return None if taken is None else replace(job_view(*rows[0]), next_step=taken)

    def job_declined(self, candidate_id: int, reason: str, text: str | None = None) -> Job | None:
        rows = self._candidacies(candidate_id)
        if not rows or not candidacy.declined(self.sql_session, rows[0][0], reason=reason, text=text, now=self.now):
            return None
        return job_view(*rows[0])
