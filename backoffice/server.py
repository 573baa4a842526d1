"""``serve``: the application under uvicorn on OFFICE_HOST:OFFICE_PORT (127.0.0.1:8000), on
DATABASE_URL, schema brought up to date first."""
from __future__ import annotations

import logging

from bot.settings import Settings
from db import migrate
from db.engine import make_engine

from .settings import OfficeSettings

log = logging.getLogger(__name__)


def serve(settings: Settings, office: OfficeSettings | None = None, engine=None, **create_app_options) -> None:
    """``create_app_options`` go to backoffice.app.create_app (a Telegram application, its secret,
    the conversation service for the web chat). ``engine``: the database engine to share."""
    import uvicorn

    from .app import create_app

    office = office or OfficeSettings()
    if engine is None:
        engine = make_engine(settings.database_url)
        migrate.upgrade(engine)
    app = create_app(engine, settings=office, **create_app_options)
    log.info("back office on http://%s:%s/office/", office.host, office.port)
    # proxy_headers: behind a TLS proxy on this machine, requests count as https (Secure cookies).
    uvicorn.run(app, host=office.host, port=office.port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                log_level=settings.log_level.lower(), access_log=False)
