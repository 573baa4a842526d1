"""A chat in the terminal through the same engine: buttons become numbered lines."""
from __future__ import annotations

import getpass
import tempfile
from pathlib import Path
from typing import Callable, TextIO

from conversations.messages import Inbound, Outbound
from db.outbox import OutboxService

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
    """Chat until end of input; messages the bot starts itself (from the outbox) show up
    before each prompt."""
    external_id = external_id or getpass.getuser()
    print("Insieme per il lavoro - chat nel terminale (Ctrl+D per uscire)\n", file=stdout)
    replies = handle(Inbound(channel=CHANNEL, external_id=external_id, text="/start"))
    while True:
        for reply in replies + _from_outbox(outbox, external_id):
            print(render(reply) + "\n", file=stdout, flush=True)
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


def _from_outbox(outbox: OutboxService | None, external_id: str) -> list[Outbound]:
    if outbox is None:
        return []
    messages = []
    for pending in outbox.due(CHANNEL):
        if pending.external_id == external_id:
            messages.append(pending.message)
            outbox.sent(pending.id)
    return messages
