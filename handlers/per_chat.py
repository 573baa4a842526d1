"""One message of a person at a time, in the order they came; different people at once.

An adapter handles each update in a task of its own; ``turn(chat)`` lets a chat's tasks through
one after the other (asyncio's lock wakes its waiters first come, first served), so a person's
second message is handled after the first one's replies went out, while everyone else goes on.
Across processes, the database's row lock on the person (store.hot_path) does the same.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator, Hashable


class PerChat:
    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat) or (asyncio.Lock(), 0)
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat]
            if users == 1:
                del self._locks[chat]  # nobody waits: forget the chat
            else:
                self._locks[chat] = (lock, users - 1)

    def __len__(self) -> int:
        """Chats with a message being handled or waiting."""
        return len(self._locks)
