"""Builds the pieces from settings: database (migrated), engine, conversation service, and
the bot's background work (outbox senders, planners, their scheduler); ``serve`` runs them
(bot.channels)."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from conversations.commands import build_engine
from services import database
from services.conversation import ConversationService
from services.documents import Documents
from services.clock import utcnow
from services.outbox import Planner
from services.outbox_sender import Limits, Sender

from bot.settings import ReminderSettings, Settings

log = logging.getLogger(__name__)


def build_service(settings: Settings) -> ConversationService:
    db_engine = database.open_database(settings.database_url)
    cutoff = dt.timedelta(hours=settings.booking.cutoff_hours)
    documents = Documents(settings.documents.dir, settings.documents.max_bytes)
    return ConversationService(db_engine, build_engine(), booking_cutoff=cutoff, documents=documents)


def planners(settings: ReminderSettings) -> list[Planner]:
    """What turns the database into outbox rows, on the scheduler's planner tick: reminders
    (services.reminders) and the broadcasts whose time has come (services.broadcasts)."""
    from services import broadcasts, reminders

    def reminders_plan(sql_session, now: dt.datetime) -> int:
        return reminders.plan(sql_session, now=now, settings=settings)

    def broadcasts_due(sql_session, now: dt.datetime) -> int:
        return broadcasts.queue_due(sql_session, now=now)
    return [reminders_plan, broadcasts_due]


def telegram_limits(settings: Settings) -> Limits:
    """The Telegram outbox sender's pace (OUTBOX_*)."""
    outbox = settings.outbox
    return Limits(per_second=outbox.telegram_per_second, per_chat_per_second=outbox.telegram_per_chat_per_second,
                  max_attempts=outbox.max_attempts, lease=outbox.lease_seconds, concurrency=outbox.concurrency)


def whatsapp_limits(settings: Settings) -> Limits:
    """The WhatsApp outbox sender's pace (WHATSAPP_PER_SECOND, WHATSAPP_PER_USER_PER_SECOND, OUTBOX_*)."""
    return Limits(per_second=settings.whatsapp.per_second, per_chat_per_second=settings.whatsapp.per_user_per_second,
                  max_attempts=settings.outbox.max_attempts, lease=settings.outbox.lease_seconds,
                  concurrency=settings.outbox.concurrency)


def whatsapp_sender(client, db_engine, limits: Limits, *, clock: Callable[[], dt.datetime] = utcnow,
                    **options) -> Sender:
    """The outbox sender of the WhatsApp channel, through ``client`` (handlers.whatsapp.WhatsAppClient,
    whose settings name the templates); the window is read on ``clock``."""
    from handlers.whatsapp_outbox import WhatsAppTransport

    return Sender(db_engine, WhatsAppTransport(client, clock), limits, clock=clock, **options)


def telegram_background(settings: Settings, db_engine):
    """For build_application: given its outbox sender, a scheduler that ticks it and runs the
    planners (tests; ``python -m bot run`` has one scheduler for every channel, bot.channels)."""
    from bot.scheduler import BotScheduler

    def start(sender: Sender) -> BotScheduler:
        return BotScheduler(db_engine=db_engine, senders=[sender], planners=planners(settings.reminders))
    return start


def demo_for_newcomers(db_engine) -> bool:
    """On the embedded default with an empty agenda, load the demo data so that a newcomer's
    first chat can try every flow; True if it did."""
    return database.load_demo_if_empty(db_engine)


def serve(settings: Settings, service: ConversationService) -> int:
    """``python -m bot run``: the ASGI application on OFFICE_HOST:OFFICE_PORT with every channel
    the settings turn on (bot.channels); the exit status."""
    from bot.channels import run
    return run(settings, service)
