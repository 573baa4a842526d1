"""Neutral messages at the channel boundary: adapters translate to and from these."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    TEXT = "text"
    BUTTON = "button"
    CONTACT = "contact"          # a phone number shared with the platform's own button
    VOICE = "voice"              # a voice note or an audio message: many people send them
    DOCUMENT = "document"        # a file or a photo, checked and kept by services.documents: see Upload
    UNSUPPORTED = "unsupported"  # sticker, photo, location, document...


# Channels whose adapter shows Outbound.phone_button as the platform's own "share my number"
# button (Telegram: a reply keyboard with request_contact). WhatsApp, the web chat and the terminal
# have no such button: there the person types the number, and the question must not mention one.
CONTACT_BUTTON_CHANNELS = frozenset({"telegram"})


def offers_contact_button(channel: str) -> bool:
    return channel in CONTACT_BUTTON_CHANNELS


@dataclass(frozen=True)
class Upload:
    """A file the person sent, as the engine sees it: never its bytes (services.documents keeps
    those). ``problem`` says why it was refused: too_big, type (not a PDF, photo or Word file),
    unreadable (it could not be fetched from the platform); nothing was kept then."""

    name: str                    # the name it came with, made safe
    size: int
    kind: str = ""               # the type found in its content: pdf, jpeg, png, doc, docx, odt
    sha256: str = ""
    problem: str | None = None
    limit: int = 0               # with too_big: the largest size taken, in bytes


@dataclass(frozen=True)
class Inbound:
    channel: str                 # telegram / whatsapp / web / console
    external_id: str             # the person's id on that channel
    kind: Kind = Kind.TEXT
    text: str = ""
    payload: str | None = None   # button payload, see conversations.payload
    phone: str | None = None     # with Kind.CONTACT
    update_key: str | None = None  # platform id of the update, to handle repeats once
    # the number the platform says the person writes from (WhatsApp's wa_id), digits or E.164
    channel_phone: str | None = None
    upload: Upload | None = None  # with Kind.DOCUMENT


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
    # The platform's id of an earlier message this one changes in place (Telegram: the message whose
    # button was pressed). With ``edit``, the new text and buttons replace it (sent as a new message
    # if the platform refuses the edit); without, it only marks that message answered (dropped if refused).
    target: str | None = None


def split_text(text: str, limit: int) -> list[str]:
    """A text too long for one message of a platform, in several: cut at line ends, else at
    spaces, else at ``limit``; blank parts dropped (platforms refuse them)."""
    chunks = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    chunks.append(text)
    return [chunk for chunk in chunks if chunk.strip()] or ["…"]
