"""A chat in the terminal through the same engine: buttons become numbered lines."""
from __future__ import annotations

import getpass
import tempfile
from pathlib import Path
from typing import Callable, TextIO

from conversations.messages import Inbound, Outbound
from services.outbox import OutboxService

CHANNEL = "console"


def render(outbound: Outbound) -> str:
    lines = [outbound.text]
    lines += [f"  {number}) {button.label}" for number, button in enumerate(outbound.buttons, start=1)]
    if outbound.file:
        path = Path(tempfile.gettempdir()) / outbound.file.filename
        path.write_bytes(outbound.file.content)
        lines.append(f"  [file: {path}]")
    return "\n".join(lines)


def run(handle: Callable[[Inbound], list[Outbound]], stdin: TextIO, stdout: TextIO,
        external_id: str | None = None, outbox: OutboxService | None = None) -> None:
    """Chat until end of input. Before each prompt the outbox's planners run (reminders,
    broadcasts whose time has come), then the messages the bot starts itself that are due for
    this person show up, claimed and marked sent as on any channel."""
    external_id = external_id or getpass.getuser()
    print("Insieme per il lavoro - chat nel terminale (Ctrl+D per uscire)\n", file=stdout)
    replies = handle(Inbound(channel=CHANNEL, external_id=external_id, text="/start"))
    while True:
        for reply in replies:
            print(render(reply) + "\n", file=stdout, flush=True)
        _show_outbox(outbox, external_id, stdout)
        print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print("\nCiao!", file=stdout)
            return
        line = line.strip()
        if not line:
            replies = []
            continue
        # A typed number on a question with buttons stays text: the engine matches it.
        replies = handle(Inbound(channel=CHANNEL, external_id=external_id, text=line))


def _show_outbox(outbox: OutboxService | None, external_id: str, stdout: TextIO) -> None:
    if outbox is None:
        return
    outbox.plan()
    pending = outbox.claim(CHANNEL, external_id)
    for message in pending:
        print(render(message.message) + "\n", file=stdout, flush=True)
    if pending:
        outbox.sent(pending)
