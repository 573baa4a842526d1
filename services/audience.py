"""Who an operators' notice reaches: registered people chosen by filters that combine (AND),
each with the channel the notice would go out on.

One query reads the audience with its channel identities; the choice of channel is made
here, so that counting before sending and queueing give the same figures.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields

from sqlalchemy import and_, exists, select

from store.models import ChannelIdentity, Contact, InterviewBooking, Registration, WorkshopRegistration, aware

CHANNELS = ("telegram", "whatsapp", "console", "web")
_EPOCH = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
_contact, _identity = Contact.__table__, ChannelIdentity.__table__
_registration, _booking, _seat = Registration.__table__, InterviewBooking.__table__, WorkshopRegistration.__table__


@dataclass(frozen=True)
class Audience:
    """The filters; none at all means everyone with a current registration."""

    not_interviewed: bool = False    # no interview booking with status attended
    workshop: int | None = None      # a seat at this workshop session
    with_waitlist: bool = False      # with ``workshop``: its waiting list too
    language: str | None = None      # the language the person chats in
    channel: str | None = None       # has an identity on this channel (and is reached there)
    municipality: str | None = None  # the comune of their registration

    def to_dict(self) -> dict:
        """What is stored in Broadcast.audience: only the filters in use."""
        return {key: value for key, value in asdict(self).items() if value not in (None, False)}

    @classmethod
    def of(cls, value: "Audience | dict | None") -> "Audience":
        if isinstance(value, Audience):
            return value
        known = {f.name for f in fields(cls)}
        unknown = set(value or {}) - known
        if unknown:
            raise ValueError(f"unknown audience filters: {sorted(unknown)}")
        audience = cls(**(value or {}))
        if audience.channel is not None and audience.channel not in CHANNELS:
            raise ValueError(f"unknown channel {audience.channel!r}")
        if audience.with_waitlist and audience.workshop is None:
            raise ValueError("with_waitlist needs a workshop")
        return audience


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    language: str
    channel: str


@dataclass(frozen=True)
class Plan:
    """The audience split into who gets the notice and who is left out, and why."""

    recipients: list[Recipient]
    opted_out: int     # wrote /stop or STOP
    unreachable: int   # blocked the bot (or gone) on every channel the notice could use

    @property
    def excluded(self) -> int:
        return self.opted_out + self.unreachable

    @property
    def total(self) -> int:
        return len(self.recipients) + self.excluded


def plan(sql_session, audience: Audience | dict | None, now: dt.datetime) -> Plan:
    """Everyone the filters select, never an erased person, each once."""
    audience = Audience.of(audience)
    c, i = _contact.c, _identity.c
    reachable_on = i.contact_id == c.id
    if audience.channel:
        reachable_on = and_(reachable_on, i.scheme == audience.channel)
    query = (select(c.id, c.language, c.notices_off_at, i.id.label("identity_id"), i.scheme, i.unreachable_at,
                    i.last_inbound_at)
             .select_from(_contact.join(_registration, and_(_registration.c.contact_id == c.id,
                                                            _registration.c.erased_at.is_(None)))
                          # with a channel, only people who have it; otherwise every identity
                          .join(_identity, reachable_on, isouter=not audience.channel))
             .where(c.erased_at.is_(None)))
    query = _filtered(query, audience).order_by(c.id)
    people: dict[int, list] = {}
    for row in sql_session.execute(query):
        people.setdefault(row.id, []).append(row)
    recipients, opted_out, unreachable = [], 0, 0
    for contact_id, rows in people.items():
        if rows[0].notices_off_at is not None:
            opted_out += 1
            continue
        channel = _channel(rows, now)
        if channel is None:
            unreachable += 1
        else:
            recipients.append(Recipient(contact_id, rows[0].language, channel))
    return Plan(recipients, opted_out, unreachable)


def _filtered(query, audience: Audience):
    c = _contact.c
    if audience.not_interviewed:
        query = query.where(~exists().where(_booking.c.contact_id == c.id, _booking.c.status == "attended"))
    if audience.workshop is not None:
        statuses = ("registered", "waitlisted") if audience.with_waitlist else ("registered",)
        query = query.where(exists().where(_seat.c.contact_id == c.id, _seat.c.session_id == audience.workshop,
                                           _seat.c.status.in_(statuses)))
    if audience.language:
        query = query.where(c.language == audience.language)
    if audience.municipality:
        query = query.where(_registration.c.municipality == audience.municipality)
    return query


def _channel(rows: list, now: dt.datetime) -> str | None:
    """The reachable channel the person wrote on last (the newest identity when nobody knows)."""
    usable = [row for row in rows if row.scheme is not None
              and (row.unreachable_at is None or aware(row.unreachable_at) > now)]
    if not usable:
        return None
    best = max(usable, key=lambda row: (aware(row.last_inbound_at) if row.last_inbound_at else _EPOCH,
                                        row.identity_id))
    return best.scheme
