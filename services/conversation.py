"""Handle one inbound message in one transaction: dedupe, load state, run the engine, save."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

from sqlalchemy import Connection, Engine, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from conversations.engine import Engine as ConversationEngine
from conversations.flow import Ctx, State
from conversations.i18n import translator
from conversations.messages import Inbound, Outbound

from services import reply_rows, repository
from services.documents import Documents
from services.outbox_rows import Pending
from services.reply_rows import Hold
from store.hot_path import HotPath
from services.booking_store import DEFAULT_CUTOFF
from store.models import ChannelIdentity, ProcessedUpdate, utcnow

log = logging.getLogger(__name__)
KEEP_UPDATE_KEYS = dt.timedelta(days=2)  # Telegram keeps undelivered updates 24 hours
KEEP_WHATSAPP_KEYS = dt.timedelta(days=7)  # Meta retries an unacknowledged webhook for up to 7 days
# Channels that allow free-form messages only for a while after the person wrote (WhatsApp: 24
# hours): each message they write is noted on their identity (the outbox reads it).
WINDOW_CHANNELS = frozenset({"whatsapp"})
_processed, _identity = ProcessedUpdate.__table__, ChannelIdentity.__table__
_MARK_PROCESSED = insert(_processed)
# What a channel makes of the engine's replies before they are stored (handlers.telegram: the pressed
# message edited in place, or marked answered): a pure function.
Shape = Callable[[list[Outbound]], list[Outbound]]


class ConversationService:
    def __init__(self, db_engine: Engine, conversation_engine: ConversationEngine,
                 clock: Callable[[], dt.datetime] = utcnow,
                 booking_cutoff: dt.timedelta = DEFAULT_CUTOFF, documents: Documents | None = None):
        self.db_engine = db_engine
        self.documents = documents or Documents()  # the files people send: the adapters hand them here
        self.booking_cutoff = booking_cutoff
        self.conversation_engine = conversation_engine
        self.clock = clock
        self._handled = 0
        self._hot = HotPath(db_engine.dialect.name)

    def handle(self, inbound: Inbound) -> list[Outbound]:
        """The replies to one message, for the caller to send (the console, WhatsApp and the web
        chat for now). An update handled before is not handled again; it comes back only after a
        crash, when its replies may never have gone out, so the person gets the current question
        again."""
        try:
            return self._handle(inbound, _as_they_are)
        except _Duplicate:
            log.info("repeated update %s: not handled again, the current question is repeated",
                     inbound.update_key)
            return self._current_question(inbound, mark=False)
        except Exception:
            log.exception("error handling a %s message from %s:%s", inbound.kind.value,
                          inbound.channel, inbound.external_id)
            return self._apologize(inbound)
        finally:
            self._drop_unkept(inbound)

    def step(self, inbound: Inbound, hold: Hold, shape: Shape | None = None,
             pages: Callable[[Outbound], int] | None = None) -> list[Pending]:
        """Handle one message and write its replies in the same transaction, as outbox rows held by
        ``hold`` (services.reply_rows): the rows, for that sender to send at once. A repeated update
        (a crash came before Telegram heard it was handled) writes nothing: the replies of its
        first handling are rows already, and whatever of them was not confirmed sent is sent by
        the outbox once its lease has run out. ``pages``: the page of a long list each reply
        shows (WhatsApp: services.reply_rows)."""
        def keep(connection, contact_id, replies):
            return reply_rows.store(connection, contact_id=contact_id, channel=inbound.channel,
                                    external_id=inbound.external_id, replies=shape(replies) if shape else replies,
                                    update_key=inbound.update_key, hold=hold, now=self.clock(), pages=pages)
        try:
            return self._handle(inbound, keep)
        except _Duplicate:
            log.info("repeated update %s: its replies are in the outbox already", inbound.update_key)
            return []
        except Exception:
            log.exception("error handling a %s message from %s:%s", inbound.kind.value,
                          inbound.channel, inbound.external_id)
            try:
                return self._current_question(inbound, mark=True, sorry=True, keep=keep)
            except _Duplicate:
                return []
            except Exception:
                log.exception("error while apologizing to %s:%s", inbound.channel, inbound.external_id)
                return []
        finally:
            self._drop_unkept(inbound)

    def _handle(self, inbound: Inbound, keep: "_Keep") -> Any:
        # A Connection, not an ORM Session: the repository speaks Core (see its docstring).
        with self.db_engine.begin() as connection:
            now = self.clock()
            if inbound.update_key and not self._hot.mark_processed(connection, inbound.update_key, now):
                raise _Duplicate()
            known = self._hot.load(connection, inbound.channel, inbound.external_id)
            contact_id, language, stored = known or repository.load_contact(
                connection, inbound.channel, inbound.external_id)
            state = State.from_dict(language, stored)
            store = repository.SqlStore(connection, contact_id, now, self.booking_cutoff)
            replies = self.conversation_engine.handle(state, inbound, store, now)
            _note_window(connection, inbound, now)  # after the engine: a first message made the identity
            # Nothing to save once erased, or once this chat was linked to another contact (the
            # state loaded was the old contact's: dropped).
            if not store.erased and not store.linked:
                # The contact's row before the state's: services.bookings locks it first too (PostgreSQL
                # would otherwise deadlock two messages of one person taken at once).
                if state.language != language:
                    repository.set_language(connection, contact_id, state.language)
                data = state.to_dict()
                if data != stored and stored is not None:
                    self._hot.save_state(connection, contact_id, data, now)
                elif data != stored:
                    repository.save_state(connection, contact_id, data, existed=False)
            result = keep(connection, contact_id, replies)
        if store.dropped_files:  # an erasure committed: its documents' files go too
            self.documents.forget(self.db_engine, store.dropped_files)
        self._prune_now_and_then()
        return result

    def _drop_unkept(self, inbound: Inbound) -> None:
        """A file the adapter kept before the step and no row points at (the step did not keep it,
        or failed): removed. A failure here is logged, never the person's."""
        if inbound.upload is None or not inbound.upload.sha256:
            return
        try:
            self.documents.forget(self.db_engine, [inbound.upload.sha256])
        except Exception:  # noqa: BLE001
            log.exception("could not remove a document no row points at")

    def _apologize(self, inbound: Inbound) -> list[Outbound]:
        """After an unexpected error: say sorry, and ask the current question again."""
        try:
            return self._current_question(inbound, mark=True, sorry=True)
        except _Duplicate:
            return []
        except Exception:
            log.exception("error while apologizing to %s:%s", inbound.channel, inbound.external_id)
            return [Outbound(translator(None).gettext("Sorry, something went wrong on our side. "
                                                      "Please write again in a few minutes."))]

    def _current_question(self, inbound: Inbound, *, mark: bool, sorry: bool = False,
                          keep: "_Keep | None" = None) -> Any:
        with self.db_engine.begin() as connection:
            if mark and inbound.update_key:
                _mark_processed(connection, inbound.update_key)
            if sorry:  # they did write: their window starts again though the handling failed
                _note_window(connection, inbound, self.clock())
            contact_id, language, stored = repository.load_contact(
                connection, inbound.channel, inbound.external_id)
            now = self.clock()
            ctx = Ctx(state=State.from_dict(language, stored), inbound=inbound, now=now,
                      store=repository.SqlStore(connection, contact_id, now, self.booking_cutoff))
            apology = [Outbound(ctx.t.gettext("Sorry, something went wrong on our side. Let's try again."))]
            replies = (apology if sorry else []) + self.conversation_engine.reprompt(ctx)
            return keep(connection, contact_id, replies) if keep else replies

    def _prune_now_and_then(self) -> None:
        """Forget old update ids now and then; a failure here must not touch the replies."""
        self._handled += 1
        if self._handled % 1000:
            return
        try:
            with self.db_engine.begin() as connection:
                now = self.clock()
                connection.execute(delete(_processed).where(or_(
                    _processed.c.processed_at < now - KEEP_WHATSAPP_KEYS,
                    (_processed.c.processed_at < now - KEEP_UPDATE_KEYS) & ~_processed.c.key.startswith("whatsapp:"))))
                reply_rows.prune(connection, self.clock())
        except Exception:  # noqa: BLE001
            log.exception("could not prune old update ids; trying again later")


class _Duplicate(Exception):
    pass


_Keep = Callable[[Connection, int, list[Outbound]], Any]


def _as_they_are(_connection: Connection, _contact_id: int, replies: list[Outbound]) -> list[Outbound]:
    return replies


def _mark_processed(connection: Connection, key: str) -> None:
    try:
        connection.execute(_MARK_PROCESSED, {"key": key})
    except IntegrityError:
        raise _Duplicate() from None


def _note_window(connection: Connection, inbound: Inbound, now: dt.datetime) -> None:
    """The person wrote on a channel with a window (WINDOW_CHANNELS): it starts again now."""
    if inbound.channel in WINDOW_CHANNELS:
        connection.execute(update(_identity).where(_identity.c.scheme == inbound.channel,
                                                   _identity.c.external_id == inbound.external_id)
                           .values(last_inbound_at=now))
