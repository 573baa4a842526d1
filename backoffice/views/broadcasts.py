"""Broadcasts as a table: their details and the CSV export. The office works on them in its own pages
(backoffice.views.broadcast_pages: compose, list, cancel, report), which is what the menu shows."""
from __future__ import annotations

from starlette.requests import Request

from store.models import Broadcast

from backoffice.i18n import L_
from backoffice.views.common import OfficeView, labels

STATUSES = {"scheduled": L_("Scheduled"), "queued": L_("Queued"), "cancelled": L_("Cancelled")}


class BroadcastView(OfficeView, model=Broadcast):
    identity = "broadcast"
    name = L_("Broadcast")
    name_plural = L_("Broadcasts")
    icon = "fa-solid fa-bullhorn"
    column_list = ["created_at", "status", "send_at", "created_by", "skipped"]
    column_details_list = ["id", "status", "texts", "audience", "send_at", "created_by", "created_at",
                           "queued_at", "cancelled_at", "skipped"]
    column_sortable_list = ["created_at", "send_at", "status"]
    column_default_sort = [("created_at", True)]
    column_labels = {"status": L_("Status"), "texts": L_("Texts"), "audience": L_("Audience"),
                     "send_at": L_("Send at"), "created_by": L_("Created by"), "created_at": L_("Created on"),
                     "queued_at": L_("Queued on"), "cancelled_at": L_("Cancelled on"),
                     "skipped": L_("Not reachable")}
    column_formatters = column_formatters_detail = {"status": labels(STATUSES)}

    def is_visible(self, request: Request) -> bool:
        return False  # the menu leads to the broadcasts' own pages
