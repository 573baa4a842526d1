"""Workshop sessions and their seats, read only for now."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from store.models import WorkshopRegistration, WorkshopSession

from backoffice.i18n import L_
from backoffice.views.common import OfficeView, labels, person
from backoffice.views.filters import Choices

SEAT_STATUSES = {"registered": L_("Seat"), "waitlisted": L_("Waiting list"), "cancelled": L_("Cancelled"),
                 "attended": L_("Attended"), "no_show": L_("No-show")}


class SessionView(OfficeView, model=WorkshopSession):
    identity = "workshop-session"
    name = L_("Workshop session")
    name_plural = L_("Workshop sessions")
    icon = "fa-solid fa-chalkboard-user"
    category = L_("Workshops")
    column_list = ["starts_at", "title", "place", "registered", "capacity", "language", "cancelled_at"]
    column_details_list = ["id", "title", "description", "starts_at", "ends_at", "place", "registered",
                           "capacity", "language", "cancelled_at", "created_at"]
    column_sortable_list = ["starts_at", "title"]
    column_default_sort = [("starts_at", False)]
    column_searchable_list = ["title", "place"]
    column_labels = {"title": L_("Title"), "description": L_("Description"), "starts_at": L_("Starts"),
                     "ends_at": L_("Ends"), "place": L_("Place"), "registered": L_("Seats taken"),
                     "capacity": L_("Seats"), "language": L_("Language"), "cancelled_at": L_("Cancelled on"),
                     "created_at": L_("Created on")}


class SeatView(OfficeView, model=WorkshopRegistration):
    identity = "workshop-registration"
    name = L_("Workshop seat")
    name_plural = L_("Workshop seats")
    icon = "fa-solid fa-chair"
    category = L_("Workshops")
    person_columns = ("contact_id",)
    column_list = ["created_at", "contact_id", "session_id", "status", "confirmed_at"]
    column_details_list = ["id", "contact_id", "session_id", "status", "confirmed_at", "created_at", "updated_at"]
    column_sortable_list = ["created_at", "status", "session_id"]
    column_default_sort = [("created_at", True)]
    column_labels = {"contact_id": L_("Person"), "session_id": L_("Session"), "status": L_("Status"),
                     "confirmed_at": L_("Confirmed on"), "created_at": L_("Signed up on"),
                     "updated_at": L_("Updated on")}
    column_formatters = column_formatters_detail = {"contact_id": person(), "status": labels(SEAT_STATUSES)}


def seat_filters(clock: Callable[[], dt.datetime]) -> list:
    return [Choices(WorkshopRegistration.status, SEAT_STATUSES, L_("Status"))]
