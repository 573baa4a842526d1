"""Builds the pieces from settings: database (migrated), engine, conversation service, and
the bot's background work (outbox senders, planners, their scheduler)."""
from __future__ import annotations

import datetime as dt
import logging

from conversations.commands import build_engine
from db import migrate
from db.conversation_service import ConversationService
from db.engine import make_engine
from db.outbox import Planner

from .settings import ReminderSettings, Settings

log = logging.getLogger(__name__)


def build_service(settings: Settings) -> ConversationService:
    db = make_engine(settings.database_url)
    migrate.upgrade(db)
    cutoff = dt.timedelta(hours=settings.booking.cutoff_hours)
    return ConversationService(db, build_engine(), booking_cutoff=cutoff)


def planners(settings: ReminderSettings) -> list[Planner]:
    """What turns the database into outbox rows, on the scheduler's planner tick: reminders
    (db.reminders) and the broadcasts whose time has come (db.broadcasts)."""
    from db import broadcasts, reminders

    def reminders_plan(session, now: dt.datetime) -> int:
        return reminders.plan(session, now=now, settings=settings)

    def broadcasts_due(session, now: dt.datetime) -> int:
        return broadcasts.queue_due(session, now=now)
    return [reminders_plan, broadcasts_due]


def telegram_background(settings: Settings, db):
    """For build_application: given the running Bot, the scheduler that sends the outbox."""
    from handlers.outbox_sender import Limits
    from handlers.telegram_outbox import sender

    from .scheduler import BotScheduler

    outbox = settings.outbox
    limits = Limits(per_second=outbox.telegram_per_second,
                    per_chat_per_second=outbox.telegram_per_chat_per_second, max_attempts=outbox.max_attempts,
                    lease=outbox.lease_seconds, concurrency=outbox.concurrency)

    def start(bot) -> BotScheduler:
        return BotScheduler(db=db, senders=[sender(bot, db, limits)], planners=planners(settings.reminders))
    return start


def run_telegram(settings: Settings, service: ConversationService) -> int:
    """Long polling, or webhook mode when TELEGRAM_WEBHOOK_URL is set."""
    from telegram.error import InvalidToken

    from handlers.telegram import build_application, run_polling

    telegram = settings.telegram
    application = build_application(token=telegram.bot_token.get_secret_value(),
                                    api_url=telegram.api_url, handle=service.handle,
                                    background=telegram_background(settings, service.db))
    if not telegram.webhook_url:
        log.info("Telegram: long polling on %s", telegram.api_url)
        try:
            run_polling(application)
        except InvalidToken:  # its message quotes the token: not for the log
            log.error("Telegram refused TELEGRAM_BOT_TOKEN (at %s): check it with @BotFather",
                      telegram.api_url)
            return 2
        return 0
    if telegram.webhook_secret is None:
        log.error("webhook mode needs TELEGRAM_WEBHOOK_SECRET")
        return 2
    import uvicorn

    from .webhook import create_app
    app = create_app(application, secret=telegram.webhook_secret.get_secret_value(),
                     public_url=telegram.webhook_url)
    # log_config=None: uvicorn's lines go through our handler, which blanks secrets out
    uvicorn.run(app, host=telegram.webhook_listen, port=telegram.webhook_port, log_level="warning",
                log_config=None)
    return 0


def demo_for_newcomers(db) -> bool:
    """On the embedded default with an empty agenda, load the demo data so that a newcomer's
    first chat can try every flow; True if it did."""
    from sqlalchemy import exists, select
    from sqlmodel import Session

    from db import demo
    from db.models import InterviewSlot, WorkshopSession, utcnow

    with Session(db) as session, session.begin():
        if session.execute(select(exists().where(InterviewSlot.id.isnot(None)))).scalar() or \
                session.execute(select(exists().where(WorkshopSession.id.isnot(None)))).scalar():
            return False
        demo.load(session, now=utcnow())
    return True


def serve_web(settings: Settings, service: ConversationService) -> int:
    """Without a Telegram token: the web chat and the back office on 127.0.0.1 (OFFICE_HOST,
    OFFICE_PORT), the reminders and notices planned for the people of the web chat."""
    from backoffice.server import serve
    from backoffice.settings import OfficeSettings
    from db.outbox import OutboxService

    office = OfficeSettings()
    outbox = OutboxService(service.db, planners=planners(settings.reminders), worker="web")
    print(f"Chat: http://{office.host}:{office.port}/chat  -  back office: http://{office.host}:{office.port}/office/\n"
          "(Ctrl+C per uscire / to stop; python -m bot console: la chat nel terminale)", flush=True)
    serve(settings, office, engine=service.db, service=service, outbox=outbox)
    return 0
