"""Login, logout and the check on every request, as sqladmin's authentication backend.

The session cookie (Starlette's, signed with itsdangerous) holds a random session token and the
CSRF token; the operator behind the token is read from the database on every request, so that
logging out, a password change or a deactivated account take effect at once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqladmin.authentication import AuthenticationBackend
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.office import accounts, audit, logins
from backoffice.i18n import _

SESSION_TOKEN = "sid"


@dataclass(frozen=True)
class OperatorInfo:
    """What a request knows of its operator (never the password hash)."""

    id: int
    username: str
    full_name: str
    role: str


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def wait_text(wait: dt.timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    if minutes >= 1:
        return _("Too many failed attempts. Try again in %(n)d minutes.") % {"n": minutes + 1}
    return _("Too many failed attempts. Try again in %(n)d seconds.") % {"n": max(1, int(wait.total_seconds()) + 1)}


class OfficeAuth(AuthenticationBackend):
    def __init__(self, db_engine: Engine, *, clock: Callable[[], dt.datetime], idle: dt.timedelta) -> None:
        self.middlewares = []  # create_app orders the session and CSRF middlewares itself
        self.db_engine, self.clock, self.idle = db_engine, clock, idle
        self.templates = None  # set by the factory: the login page is rendered with sqladmin's

    async def login(self, request: Request) -> Response | bool:
        form = await request.form()
        username, password = str(form.get("username", ""))[:100], str(form.get("password", ""))[:1000]
        if not username or not password:
            return await self._login_page(request, _("Write your username and password."), username, 400)
        result, token = await anyio.to_thread.run_sync(self._check, username, password, client_ip(request))
        if result.wait:
            return await self._login_page(request, wait_text(result.wait), username, 429)
        if result.operator is None:
            return await self._login_page(request, _("Wrong username or password."), username, 400)
        request.session.clear()  # a new session (and CSRF token) at every login: no fixation
        request.session[SESSION_TOKEN] = token
        return RedirectResponse(request.url_for("admin:index"), status_code=302)

    def _check(self, username: str, password: str, ip: str | None):
        now = self.clock()
        with Session(self.db_engine) as sql_session:
            result = accounts.check_login(sql_session, username=username, password=password, ip=ip, now=now)
            token = None
            if result.operator:
                token = logins.open_session(sql_session, result.operator.id, now=now)
                actor = audit.Actor(result.operator.id, result.operator.username, ip)
                audit.record(sql_session, action="login", actor=actor, at=now, table="office_operator",
                             row_id=result.operator.id)
            sql_session.commit()
            return result, token

    async def _login_page(self, request: Request, error: str, username: str, status: int) -> Response:
        return await self.templates.TemplateResponse(request, "sqladmin/login.html",
                                                     {"error": error, "username": username}, status_code=status)

    async def logout(self, request: Request) -> Response | bool:
        token = request.session.get(SESSION_TOKEN)
        await anyio.to_thread.run_sync(self._logout, token, client_ip(request))
        request.session.clear()
        return RedirectResponse(request.url_for("admin:login"), status_code=302)

    def _logout(self, token: str | None, ip: str | None) -> None:
        now = self.clock()
        with Session(self.db_engine) as sql_session:
            operator = logins.resolve(sql_session, token, now=now, idle=self.idle)
            if operator:
                audit.record(sql_session, action="logout", actor=audit.Actor(operator.id, operator.username, ip),
                             at=now, table="office_operator", row_id=operator.id)
            logins.close(sql_session, token)
            sql_session.commit()

    async def authenticate(self, request: Request) -> Response | bool:
        operator = await anyio.to_thread.run_sync(self._resolve, request.session.get(SESSION_TOKEN))
        if operator is None:
            return False
        request.state.operator = operator
        audit.current_actor.set(audit.Actor(operator.id, operator.username, client_ip(request)))
        return True

    def _resolve(self, token: str | None) -> OperatorInfo | None:
        with Session(self.db_engine) as sql_session:
            operator = logins.resolve(sql_session, token, now=self.clock(), idle=self.idle)
            info = operator and OperatorInfo(operator.id, operator.username, operator.full_name, operator.role)
            sql_session.commit()
            return info

    async def get_user_id(self, request: Request) -> int | None:
        operator = getattr(request.state, "operator", None)
        return operator.id if operator else None
