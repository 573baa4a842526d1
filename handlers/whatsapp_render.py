"""Neutral replies -> WhatsApp Cloud API message objects, within WhatsApp's limits (pure).

Limits (PLATFORM.md): text 4,096 characters; interactive body 1,024; at most 3 reply buttons,
titles at most 20 characters and unique; list messages at most 10 rows, row titles at most 24,
descriptions at most 72, the list button text at most 20. pywa checks none of these.

- Up to 3 buttons whose labels fit: reply buttons.
- Otherwise up to 10: a list; rows are numbered ("3. Label") like the engine's typed numbers,
  a label too long for the title is shortened at a word boundary and kept whole (up to 72
  characters) in the row's description.
- More than 10: a paged list, 9 rows and a last row that shows the next page (on the last page,
  the first page again). Rows keep their overall number, so typing "12" picks the twelfth choice
  whatever page is on screen. The page row's id is ``wa|more|<page>``, which the adapter handles
  itself (never a flow payload: those start with "1|"). A question of several choices keeps its
  "Done" row on every page (with its overall number), so that it can be closed from any page; the
  adapter shows again the page of the choice just ticked (``page_showing``).
- A list opens through a button that says so in the person's language ("Scegli", "Choose").
- A reply offering the platform's "share my number" button gets a reply button ``wa|phone``:
  the adapter turns its press into the sender's own number (WhatsApp gives it with every message).
"""
from __future__ import annotations

from dataclasses import dataclass

from conversations import messages, payload
from conversations.flow import DONE
from conversations.i18n import N_, translator
from conversations.messages import Attachment, Button, Outbound

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
REPLY_BUTTONS = 3
BUTTON_TITLE = 20
LIST_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
ID_LIMIT = 200  # row ids (reply button ids allow 256)
PAGE_ROWS = LIST_ROWS - 1
MORE_PREFIX = "wa|more|"
PHONE_ID = "wa|phone"
ELLIPSIS = "…"
LIST_BUTTON_TEXT = N_("Choose")  # the button that opens a list: at most 20 characters translated


@dataclass(frozen=True)
class WaMessage:
    """One message: ``type`` and the object Meta expects under that key. A document carries
    its ``attachment``, uploaded by the sender first (the body then gets the media id)."""

    type: str
    body: dict
    attachment: Attachment | None = None


def render(reply: Outbound, page: int = 0, language: str | None = None) -> list[WaMessage]:
    """The messages of one reply, in the person's ``language`` (None: the default); ``page`` > 0
    only re-renders a paged list's later page."""
    chunks = split_text(reply.text)
    messages: list[WaMessage] = []
    choices = reply.buttons
    if not choices and reply.phone_button:
        # WhatsApp has no "share my number" button, but it gives the number: a reply button the
        # adapter answers with the sender's own number (PHONE_ID).
        choices = (Button(shorten(reply.phone_button, BUTTON_TITLE), PHONE_ID),)
    if choices:
        body = chunks.pop()
        if len(body) > BODY_LIMIT:
            head, body = split_tail(body, BODY_LIMIT)
            chunks.append(head)
        if page == 0:
            messages += [text_message(chunk) for chunk in chunks]
        messages.append(interactive(body, choices, page, language))
    else:
        messages += [text_message(chunk) for chunk in chunks]
    if reply.file and page == 0:
        messages.append(WaMessage("document", {"filename": reply.file.filename}, reply.file))
    return messages


def text_message(text: str) -> WaMessage:
    return WaMessage("text", {"body": text, "preview_url": False})


def interactive(body: str, buttons: tuple[Button, ...], page: int = 0, language: str | None = None) -> WaMessage:
    if _reply_buttons(buttons):
        return WaMessage("interactive", {
            "type": "button", "body": {"text": body},
            "action": {"buttons": [{"type": "reply", "reply": {"id": b.payload, "title": b.label}}
                                   for b in buttons]}})
    return WaMessage("interactive", {
        "type": "list", "body": {"text": body},
        "action": {"button": list_button(language), "sections": [{"rows": list_rows(buttons, page)}]}})


def _reply_buttons(buttons: tuple[Button, ...]) -> bool:
    titles = [button.label for button in buttons]
    return (len(buttons) <= REPLY_BUTTONS and all(len(t) <= BUTTON_TITLE for t in titles)
            and len(set(titles)) == len(titles) and all(t.strip() for t in titles))


def list_button(language: str | None) -> str:
    return shorten(translator(language).gettext(LIST_BUTTON_TEXT), LIST_BUTTON)


def opens_list(reply: Outbound) -> bool:
    """Whether the reply is sent as a list (whose button needs the person's language)."""
    return bool(reply.buttons) and not _reply_buttons(reply.buttons)


def _pinned(button: Button) -> bool:
    """A "Done" row: shown on every page of its list."""
    try:
        return payload.decode(button.payload).value == DONE
    except payload.PayloadError:
        return False


def _paging(buttons: tuple[Button, ...]) -> tuple[list[int], list[int], int]:
    """(indexes paged, indexes on every page, rows of the paged ones per page)."""
    pinned = [i for i, b in enumerate(buttons) if _pinned(b)]
    return [i for i in range(len(buttons)) if i not in pinned], pinned, PAGE_ROWS - len(pinned)


def pages(buttons: tuple[Button, ...]) -> int:
    """How many pages a list of these choices takes."""
    if len(buttons) <= LIST_ROWS:
        return 1
    paged, _pins, per_page = _paging(buttons)
    return -(-len(paged) // per_page)


def page_showing(buttons: tuple[Button, ...], pressed: str | None) -> int:
    """The page on which the choice ``pressed`` is (0 when it is on every page, or on none)."""
    paged, _pins, per_page = _paging(buttons)
    if len(buttons) <= LIST_ROWS:
        return 0
    for place, index in enumerate(paged):
        if buttons[index].payload == pressed:
            return place // per_page
    return 0


def list_rows(buttons: tuple[Button, ...], page: int = 0) -> list[dict]:
    if len(buttons) <= LIST_ROWS:
        return [_row(index + 1, button) for index, button in enumerate(buttons)]
    paged, pinned, per_page = _paging(buttons)
    count = pages(buttons)
    page = max(0, min(page, count - 1))
    shown = paged[page * per_page:(page + 1) * per_page]
    rows = [_row(index + 1, buttons[index]) for index in sorted(shown + pinned)]
    # the next page's numbers, or from the last page the first's
    turn = (page + 1) % count
    numbers = [index + 1 for index in paged[turn * per_page:(turn + 1) * per_page]]
    arrow = "➡️" if turn else "⬅️"
    span = f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    rows.append({"id": f"{MORE_PREFIX}{turn}", "title": f"{arrow} {span}"})
    return rows


def _row(number: int, button: Button) -> dict:
    label = " ".join(button.label.split())
    title = f"{number}. {label}"
    row = {"id": button.payload[:ID_LIMIT], "title": shorten(title, ROW_TITLE)}
    if len(title) > ROW_TITLE:
        row["description"] = shorten(label, ROW_DESCRIPTION)
    return row


def more_page(payload: str | None) -> int | None:
    """The page a "next page" row asks for, or None for any other payload."""
    if not payload or not payload.startswith(MORE_PREFIX):
        return None
    number = payload[len(MORE_PREFIX):]
    return int(number) if number.isdecimal() and len(number) < 4 else None


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with "…"; only a first word longer
    than the limit is cut inside."""
    if len(text) <= limit:
        return text
    room = text[:limit - len(ELLIPSIS)]
    if not (text[len(room)].isspace() or room[-1].isspace()):  # else room ends at a word's end
        space = room.rstrip().rfind(" ")
        if space > 0:
            room = room[:space]
    room = room.rstrip(" ,;:.-–—(")
    return (room or text[:limit - len(ELLIPSIS)]) + ELLIPSIS


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Texts over the limit in several messages (conversations.messages.split_text)."""
    return messages.split_text(text, limit)


def split_tail(text: str, limit: int) -> tuple[str, str]:
    """(head, tail) with the tail at most ``limit`` characters, cut at a line end or space."""
    start = len(text) - limit
    cut = text.find("\n", start)
    if cut < 0:
        cut = text.find(" ", start)
    cut = cut if cut >= 0 else start
    return text[:cut].rstrip(), text[cut:].strip() or ELLIPSIS
