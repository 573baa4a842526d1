"""Neutral messages at the channel boundary: adapters translate to and from these."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    TEXT = "text"
    BUTTON = "button"
    CONTACT = "contact"          # a phone number shared with the platform's own button
    UNSUPPORTED = "unsupported"  # sticker, photo, voice, location, document...


@dataclass(frozen=True)
class Inbound:
    channel: str                 # telegram / whatsapp / web / console
    external_id: str             # the person's id on that channel
    kind: Kind = Kind.TEXT
    text: str = ""
    payload: str | None = None   # button payload, see conversations.payload
    phone: str | None = None     # with Kind.CONTACT
    update_key: str | None = None  # platform id of the update, to handle repeats once


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Outbound:
    text: str
    buttons: tuple[Button, ...] = ()
    file: Attachment | None = None
    phone_button: str | None = None  # label of the platform's "share my number" button, if offered
    close_keyboard: bool = False  # remove a reply keyboard left by request_phone
    edit: bool = False            # may replace the message whose button was pressed
