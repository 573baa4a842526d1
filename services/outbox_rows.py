"""The outbox's rows as the senders see them: a claimed row (``Pending``), the message's stored
content, and the numbers every part of the outbox shares (services.outbox explains the whole)."""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from conversations.messages import Attachment, Button, Outbound

MAX_ATTEMPTS = 5  # the default of the bot's OutboxSettings.max_attempts
RETRY_DELAY = dt.timedelta(seconds=30)  # doubled after each failure: 30 s, 1, 2, 4 minutes
LEASE = dt.timedelta(seconds=30)  # a claim's life unless renewed: how long a dead sender's rows wait
BLOCKED = "blocked: "  # how last_error starts when the person cannot be reached (services.broadcasts counts them)
Planner = Callable[[Session, dt.datetime], int]


@dataclass(frozen=True)
class Pending:
    id: int
    contact_id: int
    channel: str
    external_id: str
    message: Outbound
    attempts: int
    # What a channel with rules on unsolicited messages (WhatsApp's 24-hour window and templates,
    # handlers/whatsapp_outbox.py) needs to know of the row and of the person:
    kind: str = "notice"                      # promotion / reminder / broadcast / notice
    template: dict | None = field(default=None, compare=False)  # the content's TEMPLATE entry, if any
    last_inbound_at: dt.datetime | None = None  # when they last wrote on this channel
    consented: bool = False                   # they accepted the privacy notice
    notices_off: bool = False                 # they wrote /stop
    language: str | None = None               # the language they chat in
    page: int = 0                             # the content's PAGE: a long list's page to show


# content["template"]: what a template needs when the message cannot go as it is (WhatsApp outside
# the 24-hour window): {"params": [str, ...]} written by whoever queues the row (services.reminders), and
# {"via": true} once a free-form send was refused late (handlers/whatsapp.record_status).
TEMPLATE = "template"
# content["page"]: the page of a long list a reply shows (WhatsApp's lists of more than 10 rows,
# handlers/whatsapp_render.py): the page of the choice just ticked, or the one "next page" asked for.
PAGE = "page"


# A reply's recipient on its channel (services/reply_rows.py): a reply goes where the person wrote,
# even once their identity is gone (they erased their data in that very step).
TO = "to"
# What of an Outbound besides text, buttons and file a row keeps, when set (the replies need them all).
_EXTRAS = ("phone_button", "close_keyboard", "edit", "target")


def to_content(message: Outbound) -> dict:
    content = {"text": message.text, "buttons": [[b.label, b.payload] for b in message.buttons]}
    if message.file:
        content["file"] = {"filename": message.file.filename, "mime_type": message.file.mime_type,
                           "content": base64.b64encode(message.file.content).decode()}
    content.update({name: getattr(message, name) for name in _EXTRAS if getattr(message, name)})
    return content


def from_content(content: dict) -> Outbound:
    file = content.get("file")
    attachment = Attachment(file["filename"], base64.b64decode(file["content"]), file["mime_type"]) if file else None
    return Outbound(content["text"], tuple(Button(label, data) for label, data in content.get("buttons", ())),
                    file=attachment, **{name: content[name] for name in _EXTRAS if name in content})


def dialect_of(connection):
    """SQLAlchemy's PostgreSQL or SQLite dialect module, for INSERT ... ON CONFLICT."""
    name = connection.dialect.name if hasattr(connection, "dialect") else connection.get_bind().dialect.name
    return postgresql if name == "postgresql" else sqlite
