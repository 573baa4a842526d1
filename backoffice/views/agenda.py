"""Interview slots and bookings, read only for now (the agenda's pages come next)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from store.models import InterviewBooking, InterviewSlot

from backoffice.i18n import L_
from backoffice.views.common import OfficeView, labels, person
from backoffice.views.filters import Choices, Period

MODES = {"in_person": L_("In person"), "phone": L_("Phone"), "video": L_("Video")}
BOOKING_STATUSES = {"booked": L_("Booked"), "cancelled": L_("Cancelled"), "past": L_("Past, no outcome yet"),
                    "attended": L_("Attended"), "no_show": L_("No-show")}


class SlotView(OfficeView, model=InterviewSlot):
    identity = "interview-slot"
    name = L_("Interview slot")
    name_plural = L_("Interview slots")
    icon = "fa-solid fa-calendar-days"
    category = L_("Agenda")
    column_list = ["starts_at", "duration_minutes", "mode", "operator", "booked", "capacity", "cancelled_at"]
    column_details_list = ["id", "starts_at", "duration_minutes", "mode", "address", "operator", "booked",
                           "capacity", "cancelled_at", "created_at"]
    column_sortable_list = ["starts_at", "operator", "mode"]
    column_default_sort = [("starts_at", False)]
    column_searchable_list = ["operator", "address"]
    column_labels = {"starts_at": L_("Starts"), "duration_minutes": L_("Minutes"), "mode": L_("Mode"),
                     "address": L_("Address"), "operator": L_("Interviewer"), "booked": L_("Booked"),
                     "capacity": L_("Places"), "cancelled_at": L_("Cancelled on"), "created_at": L_("Created on")}
    column_formatters = column_formatters_detail = {"mode": labels(MODES)}


def slot_filters(clock: Callable[[], dt.datetime]) -> list:
    return [Choices(InterviewSlot.mode, MODES, L_("Mode"))]


class BookingView(OfficeView, model=InterviewBooking):
    identity = "interview-booking"
    name = L_("Interview booking")
    name_plural = L_("Interview bookings")
    icon = "fa-solid fa-user-clock"
    category = L_("Agenda")
    person_columns = ("contact_id",)
    column_list = ["created_at", "contact_id", "slot_id", "status", "confirmed_at"]
    column_details_list = ["id", "contact_id", "slot_id", "status", "cancel_reason", "outcome_note",
                           "confirmed_at", "created_at", "updated_at"]
    column_sortable_list = ["created_at", "status"]
    column_default_sort = [("created_at", True)]
    column_labels = {"contact_id": L_("Person"), "slot_id": L_("Slot"), "status": L_("Status"),
                     "cancel_reason": L_("Reason for cancelling"), "outcome_note": L_("Outcome note"),
                     "confirmed_at": L_("Confirmed on"), "created_at": L_("Booked on"), "updated_at": L_("Updated on")}
    column_formatters = column_formatters_detail = {"contact_id": person(), "status": labels(BOOKING_STATUSES)}


def booking_filters(clock: Callable[[], dt.datetime]) -> list:
    return [Choices(InterviewBooking.status, BOOKING_STATUSES, L_("Status")),
            Period(InterviewBooking.created_at, L_("Booked"), clock)]
