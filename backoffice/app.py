"""The back office's own ASGI application: the office under /office (sqladmin), /health (its
database answers) and / leading to the office. bot/app.py mounts it beside the web chat and the
webhooks (``python -m bot run``); ``python -m backoffice`` serves it alone."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Callable

import anyio
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, RedirectResponse

from services import database
from services.clock import utcnow
from services.office import accounts, audit, signing_key as keys
from services.office.home import home_counts
from services.documents import Documents

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
from backoffice.views import company_import, company_pages, match_pages
from backoffice.views import document_pages
from backoffice.views import info_pages
from backoffice.views import inbox_canned, inbox_pages

BASE_URL = "/office"
TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE = "Insieme per il lavoro"
SESSION_COOKIE = "office_session"


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def create_app(db_engine: Engine, *, clock: Callable[[], dt.datetime] = utcnow,
               settings: OfficeSettings | None = None, announce: Callable[[str], None] = _announce) -> FastAPI:
    """The schema must be migrated already. At start-up (the lifespan: whoever mounts this
    application runs it), with no operator account at all, an "admin" account is created and its
    password handed to ``announce`` (the console)."""
    settings = settings or OfficeSettings()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        await anyio.to_thread.run_sync(functools.partial(accounts.ensure_first_admin, db_engine, now=clock(),
                                                         announce=announce))
        yield

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health")
    async def health() -> JSONResponse:
        try:
            await anyio.to_thread.run_sync(database.ping, db_engine)
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse(BASE_URL + "/", status_code=302)

    app.state.office = mount_office(app, db_engine, clock=clock, settings=settings)
    app.add_middleware(HardenResponses, private_prefix=BASE_URL)
    return app


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
    for pages in (company_pages, company_import):
        for view in pages.views(clock, session_maker):
            admin.add_view(view)
    for view in match_pages.views(clock, session_maker, per_week=settings.proposals_per_week):
        admin.add_view(view)
    for view in document_pages.views(clock, session_maker, Documents(settings.documents_dir)):
        admin.add_view(view)
    for view in info_pages.views(clock, session_maker):
        admin.add_view(view)
    for view in inbox_pages.views(clock, session_maker):  # the office inbox (#15)
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
                          (account_views.AccountView, None), (account_views.PasswordView, None),
                          (inbox_canned.CannedReplyView, None)):
        attrs = {"clock": staticmethod(clock)}
        if base is account_views.PasswordView:
            attrs["db_engine"] = db_engine
        if filters:
            attrs["column_filters"] = filters(clock)
        made.append(type(base.__name__, (base,), attrs))
    return made
