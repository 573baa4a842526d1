"""Interview slots and workshop sessions as the conversations see them (conversations.store's
Slot and Workshop, times aware in UTC): what the chat shows and what the notices describe."""
from __future__ import annotations

from conversations.store import Slot, Workshop

from store.models import InterviewSlot, WorkshopSession, aware


def slot_view(row: InterviewSlot) -> Slot:
    return Slot(row.id, aware(row.starts_at), row.duration_minutes, row.mode, row.address, row.operator)


def workshop_view(row: WorkshopSession) -> Workshop:
    return Workshop(row.id, row.title, row.description, aware(row.starts_at), aware(row.ends_at),
                    row.place, row.capacity, row.registered, row.language)
