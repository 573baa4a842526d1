"""The SQL of services.matching: one CASE that says why a registration is left out (or "" when the
person fits), used both to count the people left out by reason and to pick the people who fit;
and the score and distance as SQL expressions, so the database ranks 20,000 people and only the
rows a page or a command shows come to Python. Counts and list agree by construction: they are
the same expression.

Answers stored as JSON lists are read as their text: a quoted code inside it is the answer
("%\\"cleaning\\"%"), on SQLite and PostgreSQL alike; the distance is a CASE over the 55 comuni
(conversations.coordinates, worked out once per vacancy)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Text, and_, case, cast, false, func, literal, or_, select, true

from conversations.coordinates import distance_km
from conversations.municipalities import COMUNI

from services.placement_words import ACTIVE_STATES
from store.models import Candidate, Contact, Registration

MAX_KM = 50.0
OPEN_STAGES = ("new", "registered", "interviewed", "in_selection")
INTERVIEWED = ("interviewed", "in_selection")
FAR = 999.0  # the distance of an unknown comune: last


def places(workplace: str) -> dict[str, tuple[float, int]]:
    """comune -> (km to the workplace, points for the distance: 25 at the same comune, 0 from MAX_KM)."""
    found = {}
    for comune in COMUNI:
        km = distance_km(comune, workplace)
        if km is not None:
            found[comune] = (km, round(25 * max(0.0, 1 - km / MAX_KM)))
    return found


class Ranking:
    """The expressions for one vacancy, its requirements (``failing``: requirement, column, the
    answers that miss it) and the operator's filters."""

    def __init__(self, vacancy, failing: list[tuple[str, Any, list[str]]], known: list, filters):
        near = places(vacancy.municipality)
        contacts = lambda flag: select(Contact.id).where(flag.is_not(None))  # noqa: E731
        sector_ok = func.coalesce(cast(Registration.sectors, Text).like(f'%"{vacancy.sector}"%'), false())
        hours_ok = func.coalesce(cast(Registration.availability, Text).like(f'%"{vacancy.hours}"%'), false())
        interviewed = Registration.status.in_(INTERVIEWED)
        busy = select(Candidate.contact_id).where(Candidate.vacancy_id != vacancy.id,
                                                  Candidate.state.in_(ACTIVE_STATES))
        other = or_(Registration.contact_id.in_(busy), Registration.status == "in_selection")
        self.km = case(*((Registration.municipality == comune, literal(km)) for comune, (km, _p) in near.items()),
                       else_=literal(FAR)).label("km")
        points = case(*((Registration.municipality == comune, p) for comune, (_km, p) in near.items() if p), else_=0)
        self.score = (case((sector_ok, 30), else_=0) + case((hours_ok, 20), else_=0) + points
                      + case((interviewed, 10), else_=0) + case((other, 0), else_=10)
                      + case((and_(true(), *known), 5), else_=0)).label("score")
        why = [
            (or_(Registration.erased_at.is_not(None), Registration.status == "erased",
                 Registration.contact_id.in_(contacts(Contact.erased_at))), "erased"),
            (Registration.status == "merged", "merged"), (Registration.status == "placed", "placed"),
            (Registration.status == "closed", "closed"), (Registration.status.not_in(OPEN_STAGES), "closed"),
            (Registration.contact_id.in_(contacts(Contact.notices_off_at)), "stopped"),
            (Registration.contact_id.in_(contacts(Contact.offers_off_at)), "offers_off"),
            (Registration.contact_id.in_(select(Candidate.contact_id).where(Candidate.vacancy_id == vacancy.id)),
             "already_here"),
        ]
        if filters.strict:
            why += [(column.in_(values), requirement) for requirement, column, values in failing]
        if filters.max_km is not None:
            within = [comune for comune, (km, _p) in near.items() if km <= filters.max_km]
            why.append((or_(Registration.municipality.is_(None), Registration.municipality.not_in(within)), "far"))
        if filters.sector_only:
            why.append((~sector_ok, "sector"))
        if filters.hours_only:
            why.append((~hours_ok, "hours"))
        if filters.interviewed_only:
            why.append((~interviewed, "not_interviewed"))
        if filters.free_only:
            why.append((other, "busy"))
        self.reason = case(*why, else_="")

    def counts(self):
        """(reason, how many): "" is the people who fit."""
        return select(self.reason, func.count()).select_from(Registration).group_by(self.reason)

    def ranked(self, limit: int | None):
        query = (select(Registration.contact_id, Registration.code, Registration.first_name, Registration.last_name,
                        Registration.municipality, Registration.education, Registration.italian,
                        cast(Registration.sectors, Text), Registration.driving, cast(Registration.availability, Text),
                        Registration.status, self.score, self.km)
                 .where(self.reason == "")
                 .order_by(self.score.desc(), self.km, Registration.created_at, Registration.code))
        return query.limit(limit) if limit else query
