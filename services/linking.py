"""Linking a second chat app to a registered person with a one-time code.

A registered person asks for a code on one channel (``issue``) and sends it from another
(``redeem``): that channel's identity moves to the registered contact, so one person is never two
registrations. Codes are 6 digits, valid ``VALID`` (15 minutes), single use, stored as a salted
hash (a leaked table gives no usable code). Wrong codes are counted per contact that typed them:
``MAX_WRONG`` within ``VALID`` lock that contact out until the oldest of them is ``VALID`` old.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, func, insert, select, update

from conversations.store import LinkResult

from services import inbox_store

from store.models import (ChannelIdentity, Consent, Contact, ConversationState, LinkAttempt, LinkCode,
                          Registration, aware)

VALID = dt.timedelta(minutes=15)
MAX_WRONG = 5
DIGITS = 6


_code = LinkCode.__table__
_attempt = LinkAttempt.__table__
_identity = ChannelIdentity.__table__
_contact = Contact.__table__
_registration = Registration.__table__
_state = ConversationState.__table__
_consent = Consent.__table__


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _matches(row, code: str) -> bool:
    return hmac.compare_digest(row.code_hash, _hash(row.salt, code))


def issue(connection, *, contact_id: int, now: dt.datetime) -> str:
    """A new code for the contact; the codes they asked for before stop working."""
    connection.execute(delete(_code).where(_code.c.contact_id == contact_id))
    connection.execute(delete(_code).where(_code.c.expires_at < now - dt.timedelta(days=1)))  # old ones
    active = connection.execute(select(_code.c.salt, _code.c.code_hash).where(
        _code.c.used_at.is_(None), _code.c.expires_at > now)).all()
    while True:
        code = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
        if not any(_matches(row, code) for row in active):  # two live codes never alike
            break
    salt = secrets.token_hex(8)
    connection.execute(insert(_code).values(contact_id=contact_id, salt=salt, code_hash=_hash(salt, code),
                                            created_at=now, expires_at=now + VALID))
    return code


def _wrong_attempts(connection, contact_id: int, now: dt.datetime) -> int:
    return connection.execute(select(func.count()).select_from(_attempt).where(
        _attempt.c.contact_id == contact_id, _attempt.c.at > now - VALID)).scalar_one()


def _registration_code(connection, contact_id: int) -> str | None:
    return connection.execute(select(_registration.c.code).where(
        _registration.c.contact_id == contact_id, _registration.c.erased_at.is_(None))).scalar()


def redeem(connection, *, code: str, contact_id: int, scheme: str, external_id: str, now: dt.datetime) -> LinkResult:
    """``contact_id`` (writing on ``scheme`` as ``external_id``) sent ``code``. On success the
    identity belongs to the code's contact, and what the writing contact had half done (its
    conversation, its consent) is dropped; the result says whose it is now."""
    if _wrong_attempts(connection, contact_id, now) >= MAX_WRONG:
        return LinkResult("locked")
    recent = connection.execute(select(_code).where(_code.c.expires_at > now - dt.timedelta(days=1))).all()
    row = next((r for r in recent if _matches(r, code)), None)
    if row is None:
        connection.execute(insert(_attempt).values(contact_id=contact_id, at=now))
        return LinkResult("locked" if _wrong_attempts(connection, contact_id, now) >= MAX_WRONG else "wrong")
    if row.used_at is not None or aware(row.expires_at) <= now:
        return LinkResult("expired")
    owner = row.contact_id
    if owner == contact_id:
        return LinkResult("own")
    # The owner's row first, as every message of theirs does (services.repository): one change at a time.
    target = connection.execute(select(_contact.c.language, _contact.c.erased_at).where(_contact.c.id == owner)
                                .with_for_update(key_share=True)).first()
    owner_code = _registration_code(connection, owner)
    if target is None or target.erased_at is not None or owner_code is None:
        return LinkResult("expired")
    if _registration_code(connection, contact_id) is not None:
        return LinkResult("registered")
    taken = connection.execute(select(_identity.c.id).where(_identity.c.contact_id == owner,
                                                            _identity.c.scheme == scheme)).first()
    if taken:
        return LinkResult("taken")
    connection.execute(update(_code).where(_code.c.id == row.id).values(used_at=now))
    connection.execute(update(_identity).where(_identity.c.scheme == scheme, _identity.c.external_id == external_id)
                       .values(contact_id=owner))
    connection.execute(delete(_attempt).where(_attempt.c.contact_id == contact_id))
    connection.execute(delete(_state).where(_state.c.contact_id == contact_id))
    connection.execute(delete(_consent).where(_consent.c.contact_id == contact_id))
    inbox_store.relink(connection, gone=contact_id, owner=owner)  # their messages to the office (#15)
    return LinkResult("linked", contact_id=owner, language=target.language, registration_code=owner_code)


class LinkStoreMixin:
    """The engine's linking calls, for services.repository.SqlStore (``connection``, ``contact_id``, ``now``)."""

    linked = False  # set once this message moved its identity to another contact: save nothing

    def link_code(self) -> str:
        return issue(self.connection, contact_id=self.contact_id, now=self.now)

    def link_with(self, code: str, channel: str, external_id: str) -> LinkResult:
        result = redeem(self.connection, code=code, contact_id=self.contact_id, scheme=channel,
                        external_id=external_id, now=self.now)
        if result.status == "linked":
            self.linked = True
            self.contact_id = result.contact_id  # from here on the store speaks for the owner
        return result
