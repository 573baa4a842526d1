"""The figures the dashboard shows for a semester (services.figures): the semester against the
same one a year before and all time, the semesters with data, registrations per month, and the
shares and rates of the last semesters ending with the chosen one."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from services import figures, job_figures
from services.figures import Semester


def report(sql_session: Session, semester: Semester, *, now: dt.datetime) -> dict[str, Any]:
    """The semester report (and all time): what the CSV holds."""
    return {"report": figures.compare(sql_session, semester, now=now),
            "all_time": figures.figures(sql_session, now=now),
            "jobs": job_figures.report(sql_session, semester)}


def board(sql_session: Session, semester: Semester, *, today: dt.date, now: dt.datetime,
          history: int) -> dict[str, Any]:
    """Everything the dashboard draws; ``history`` semesters in the charts of shares and rates."""
    semesters = [semester]
    while len(semesters) < history:
        semesters.insert(0, semesters[0].previous())
    found = report(sql_session, semester, now=now)
    compared = found["report"]
    known = {semester: compared.figures, semester.year_before(): compared.year_before}
    return {
        "semester": semester, **found,
        "semesters": sorted(set(figures.semesters_with_data(sql_session, today=today)) | {semester}, reverse=True),
        "months": figures.registrations_per_month(sql_session, today=today),
        "shares": figures.permanent_shares(sql_session, semesters),
        "rates": [(s, known.get(s) or figures.figures(sql_session, now=now, semester=s)) for s in semesters],
    }
