"""Builds the pieces from settings: database (migrated), engine, conversation service, and
the bot's background work (outbox senders, planners, their scheduler); ``serve`` runs them
(bot.channels)."""
from __future__ import annotations

import datetime as dt
import logging

from conversations.commands import build_engine
from services import database
from services.conversation import ConversationService
from services.outbox import Planner

from bot.settings import ReminderSettings, Settings

log = logging.getLogger(__name__)


def build_service(settings: Settings) -> ConversationService:
    db_engine = database.open_database(settings.database_url)
    cutoff = dt.timedelta(hours=settings.booking.cutoff_hours)
    return ConversationService(db_engine, build_engine(), booking_cutoff=cutoff)


def planners(settings: ReminderSettings) -> list[Planner]:
    """What turns the database into outbox rows, on the scheduler's planner tick: reminders
    (services.reminders) and the broadcasts whose time has come (services.broadcasts)."""
    from services import broadcasts, reminders

    def reminders_plan(session, now: dt.datetime) -> int:
        return reminders.plan(session, now=now, settings=settings)

    def broadcasts_due(session, now: dt.datetime) -> int:
        return broadcasts.queue_due(session, now=now)
    return [reminders_plan, broadcasts_due]


def telegram_limits(settings: Settings):
    """The Telegram outbox sender's pace (OUTBOX_*)."""
    from services.outbox_sender import Limits

    outbox = settings.outbox
    return Limits(per_second=outbox.telegram_per_second, per_chat_per_second=outbox.telegram_per_chat_per_second,
                  max_attempts=outbox.max_attempts, lease=outbox.lease_seconds, concurrency=outbox.concurrency)


def telegram_background(settings: Settings, db):
    """For build_application: given the running Bot, a scheduler that sends Telegram's outbox
    (tests; ``python -m bot run`` has one scheduler for every channel, bot.channels)."""
    from handlers.telegram_outbox import sender

    from bot.scheduler import BotScheduler

    limits = telegram_limits(settings)

    def start(bot) -> BotScheduler:
        return BotScheduler(db=db, senders=[sender(bot, db, limits)], planners=planners(settings.reminders))
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
