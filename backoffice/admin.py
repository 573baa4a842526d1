"""sqladmin's Admin, adjusted: custom actions answer GET with a confirmation page and act only
on POST (sqladmin routes them as GET links, which no CSRF token could protect), the home page
shows the queue, and the templates get the CSRF token, Italian dates and role checks."""
from __future__ import annotations

import logging
from pathlib import Path
from types import MethodType

import anyio
from sqladmin import Admin, BaseView, ModelView
from sqladmin.authentication import login_required
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from conversations import languages

from backoffice import i18n, roles, security

log = logging.getLogger(__name__)
# What a wrong address raises deep inside sqladmin or a page: an id that is not a number or too
# large for the database ("/details/1'", "/details/99999999999999999999"), a day out of the
# calendar's range ("?day=9999-12-31"). The operator gets the office's error page, never a 500.
BAD_ADDRESS = (ValueError, OverflowError, DataError)
STATIC = Path(__file__).resolve().parent / "static"  # the office's own style and script (office.css, office.js)


class OfficeAdmin(Admin):
    def __init__(self, *args, home_counts=None, **kwargs) -> None:
        self.home_counts = home_counts  # callable() -> dict, run in a worker thread
        super().__init__(*args, **kwargs)
        self.admin.mount("/static", StaticFiles(directory=STATIC), name="office-static")
        env = self.templates.env
        env.globals.update(csrf_token=security.csrf_token, csrf_field=security.FIELD, can=roles.can,
                           format_date=i18n.format_date, format_datetime=i18n.format_datetime,
                           person_languages=i18n.person_languages, person_language=i18n.person_language,
                           default_person_language=languages.DEFAULT)
        error_page = self.admin.exception_handlers[HTTPException]

        async def bad_address(request: Request, error: Exception) -> Response:
            log.warning("a wrong address in the office: %s", request.url.path, exc_info=error)
            # An id that cannot exist: that page does not exist; anything else in the address: 400.
            missing = any(part in request.url.path for part in ("/details/", "/edit/"))
            return await error_page(request, HTTPException(status_code=404 if missing else 400))

        for kind in BAD_ADDRESS:
            self.admin.exception_handlers[kind] = bad_address
        # Logging out changes state: POST only, with the CSRF token (layout.html's form).
        [logout] = [route for route in self.admin.router.routes if getattr(route, "name", "") == "logout"]
        logout.methods = {"POST"}

    def _handle_action_decorated_func(self, func: MethodType, view: type[BaseView | ModelView],
                                      view_instance: BaseView | ModelView) -> None:
        super()._handle_action_decorated_func(func, view, view_instance)
        if hasattr(func, "_action"):
            route = self.admin.router.routes[-1]
            if not route.path.endswith("/action/" + func._slug):
                raise RuntimeError(f"sqladmin changed how it adds actions: {route.path}")
            route.methods = {"GET", "HEAD", "POST"}

    @login_required
    async def index(self, request: Request) -> Response:
        counts = await anyio.to_thread.run_sync(self.home_counts) if self.home_counts else {}
        return await self.templates.TemplateResponse(request, "sqladmin/index.html", {"counts": counts})
