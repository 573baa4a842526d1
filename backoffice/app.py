"""The one ASGI application: the back office under /office, /health, and Telegram's webhook
when a python-telegram-bot Application is given (bot.webhook's route and lifespan, reused)."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Callable, Sequence

import anyio
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import sessionmaker
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, RedirectResponse

from conversations.i18n import TIMEZONE
from services import figures
from services.agenda import local
from store.models import InterviewBooking, InterviewSlot, Registration, utcnow

from services.office import accounts, audit, signing_key as keys

from backoffice import i18n
from backoffice.admin import OfficeAdmin
from backoffice.auth import OfficeAuth
from backoffice.roles import RoleAuthorization
from backoffice.security import CSRFMiddleware, HardenResponses
from backoffice.settings import OfficeSettings
from backoffice.views import accounts as account_views, agenda, audit as audit_views, broadcasts, registrations, workshops
from backoffice.views import agenda_pages, broadcast_pages, dashboard
from backoffice.views import path_pages
from backoffice.views import import_pages

BASE_URL = "/office"
TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE = "Insieme per il lavoro"
SESSION_COOKIE = "office_session"


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def create_app(db_engine: Engine, *, telegram_application=None, telegram_secret: str | None = None,
               telegram_public_url: str | None = None, clock: Callable[[], dt.datetime] = utcnow,
               settings: OfficeSettings | None = None, announce: Callable[[str], None] = _announce,
               service=None, outbox=None, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The schema must be migrated already. At start-up, with no operator account at all, an
    "admin" account is created and its password handed to ``announce`` (the console).
    With ``service`` (a ConversationService), the web chat at /chat (handlers.webchat); ``outbox``
    (a services.outbox.OutboxService) gives it the messages the bot starts itself. ``routers`` are
    mounted as they are (e.g. handlers.whatsapp.whatsapp_router's webhook)."""
    settings = settings or OfficeSettings()
    webhook = None
    if telegram_application is not None:
        from bot.webhook import create_app as create_webhook_app

        webhook = create_webhook_app(telegram_application, secret=telegram_secret or "", public_url=telegram_public_url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        await anyio.to_thread.run_sync(functools.partial(accounts.ensure_first_admin, db_engine, now=clock(),
                                                         announce=announce))
        async with (webhook.router.lifespan_context(webhook) if webhook else contextlib.nullcontext()):
            yield

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    if webhook is not None:
        from bot.webhook import WEBHOOK_PATH

        app.router.routes.extend(r for r in webhook.routes if getattr(r, "path", None) == WEBHOOK_PATH)

    for router in routers:
        app.include_router(router)

    @app.get("/health")
    async def health() -> JSONResponse:
        try:
            await anyio.to_thread.run_sync(_ping, db_engine)
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse(BASE_URL + "/", status_code=302)

    app.state.office = mount_office(app, db_engine, clock=clock, settings=settings)
    if service is not None:
        from handlers import webchat

        secret = keys.session_key(db_engine, settings.secret_key.get_secret_value() if settings.secret_key else None)
        app.include_router(webchat.router(service.handle, secret=secret, outbox=outbox))
    app.add_middleware(HardenResponses, private_prefix=BASE_URL)
    return app


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def mount_office(app: FastAPI, db_engine: Engine, *, clock: Callable[[], dt.datetime],
                 settings: OfficeSettings) -> OfficeAdmin:
    session_maker = sessionmaker(bind=db_engine)
    audit.install(session_maker, clock)
    auth = OfficeAuth(db_engine, clock=clock, idle=dt.timedelta(minutes=settings.session_idle_minutes))
    secret = keys.session_key(db_engine, settings.secret_key.get_secret_value() if settings.secret_key else None)
    middlewares = [
        # No Max-Age: the cookie ends with the browser; the server ends idle sessions itself.
        Middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE, path=BASE_URL,
                   same_site="lax", max_age=None),
        Middleware(CSRFMiddleware, home=BASE_URL + "/"),
    ]
    admin = OfficeAdmin(app, session_maker=session_maker, base_url=BASE_URL, title=TITLE,
                        templates_dir=str(TEMPLATES), middlewares=middlewares, authentication_backend=auth,
                        authorization_backend=RoleAuthorization(), i18n_config=i18n.install(),
                        home_counts=functools.partial(home_counts, session_maker, clock))
    auth.templates = admin.templates
    for view in dashboard.views(clock, session_maker):  # first in the menu
        admin.add_view(view)
    for view in views(clock, db_engine):
        admin.add_view(view)
    for view in agenda_pages.views(clock, session_maker):
        admin.add_view(view)
    for view in path_pages.views(clock, session_maker):
        admin.add_view(view)
    for view in broadcast_pages.views(clock, session_maker):
        admin.add_view(view)
    for view in import_pages.views(clock, session_maker):
        admin.add_view(view)
    return admin


def views(clock: Callable[[], dt.datetime], db_engine: Engine) -> list[type]:
    """Fresh subclasses for each application: sqladmin keeps its state on the view classes, and
    tests build several applications on several databases."""
    made = []
    for base, filters in ((registrations.RegistrationView, registrations.filters),
                          (agenda.BookingView, agenda.booking_filters), (agenda.SlotView, agenda.slot_filters),
                          (workshops.SessionView, None), (workshops.SeatView, workshops.seat_filters),
                          (broadcasts.BroadcastView, None), (audit_views.AuditView, audit_views.audit_filters),
                          (account_views.AccountView, None), (account_views.PasswordView, None)):
        attrs = {"clock": staticmethod(clock)}
        if base is account_views.PasswordView:
            attrs["engine"] = db_engine
        if filters:
            attrs["column_filters"] = filters(clock)
        made.append(type(base.__name__, (base,), attrs))
    return made


def home_counts(session_maker, clock: Callable[[], dt.datetime]) -> dict[str, object]:
    today = local(clock().astimezone(TIMEZONE).date(), dt.time(0, 0))
    live = Registration.erased_at.is_(None)
    with session_maker() as session:
        return {
            # The current semester's funnel (services.figures), the home page's first block.
            "semester": figures.figures(session, now=clock(), semester=figures.Semester.of(
                clock().astimezone(TIMEZONE).date())),
            "new": session.scalar(select(func.count()).where(live, Registration.status == "new")),
            "all": session.scalar(select(func.count()).select_from(Registration).where(live)),
            "interviews": session.scalar(
                select(func.count()).select_from(InterviewBooking)
                .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
                .where(InterviewBooking.status == "booked", InterviewSlot.starts_at >= today)),
        }
