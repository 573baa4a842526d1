"""Possible duplicates: two live registrations of two different contacts sharing a codice fiscale
or a phone (the same person who registered from Telegram and from the web chat, say). The office
decides whether they are one person and merges them (services.merge)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from store.models import Registration

MATCHES = ("tax_code", "phone")


@dataclass(frozen=True)
class Pair:
    first: Registration  # the older registration
    second: Registration
    matches: tuple[str, ...]  # which of MATCHES they share


def shared(a: Registration, b: Registration) -> tuple[str, ...]:
    """Which of MATCHES two registrations share (none: nothing says they are one person)."""
    return tuple(name for name in MATCHES if getattr(a, name) and getattr(a, name) == getattr(b, name))


def pairs(sql_session: Session, *, registration_id: int | None = None, limit: int = 500) -> list[Pair]:
    """Every pair once (older first), newest pairs first; with ``registration_id``, only its own."""
    a, b = aliased(Registration), aliased(Registration)
    query = (select(a, b).join(b, and_(a.id < b.id, a.contact_id != b.contact_id, b.erased_at.is_(None), or_(
        and_(a.tax_code.is_not(None), a.tax_code != "", a.tax_code == b.tax_code),
        and_(a.phone.is_not(None), a.phone != "", a.phone == b.phone))))
             .where(a.erased_at.is_(None)).order_by(b.id.desc(), a.id.desc()).limit(limit))
    if registration_id is not None:
        query = query.where(or_(a.id == registration_id, b.id == registration_id))
    return [Pair(first, second, shared(first, second)) for first, second in sql_session.execute(query).all()]
