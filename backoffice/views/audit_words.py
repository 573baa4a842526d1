"""How the audit log reads to an operator: actions, tables and columns by their labels, stored
values by theirs (a status by its stage's name, a language by its name), dates and times in
Rome's time (dd/mm/yyyy HH:MM), lists and nested values in words, never Python's dumps.

services.office.audit stores plain JSON (column names, ISO times in UTC); this module only reads
it. The labels are the views' own (each table's ``column_labels``), looked up when first needed:
the views import the audit view, which imports this module."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from conversations.i18n import TIMEZONE

from backoffice.i18n import L_, _

ACTIONS = {"create": L_("Created"), "update": L_("Changed"), "delete": L_("Deleted"), "login": L_("Logged in"),
           "logout": L_("Logged out"), "mark_reviewed": L_("Marked reviewed"),
           "password_change": L_("Changed own password"), "password_reset": L_("Password reset"),
           "export": L_("Exported"), "merge": L_("Merged a duplicate"), "programme_step": L_("Path step recorded"),
           "programme_reopen": L_("Path reopened"), "add_slot": L_("Interview slot added"),
           "add_slots": L_("Interview slots added from a pattern"), "cancel_slot": L_("Interview slot cancelled"),
           "interview_outcome": L_("Interview outcome recorded"), "workshop_attendance": L_("Attendance recorded"),
           "workshop_save": L_("Workshop session saved"), "workshop_cancel": L_("Workshop session cancelled"),
           "send_broadcast": L_("Broadcast created"), "queue_broadcast": L_("Broadcast queued for sending"),
           "cancel_broadcast": L_("Broadcast cancelled"), "import": L_("Records imported"),
           "company_save": L_("Company saved"), "vacancy_save": L_("Vacancy saved"),
           "companies_import": L_("Companies imported"), "document_download": L_("Document downloaded"),
           "info_save": L_("Programme information saved")}
TABLES = {"registration": L_("Registration"), "interview_slot": L_("Interview slot"),
          "interview_booking": L_("Interview"), "workshop_session": L_("Workshop session"),
          "workshop_registration": L_("Workshop place"), "broadcast": L_("Broadcast"), "outbox": L_("Message"),
          "programme_event": L_("Path step"), "office_operator": L_("Account"), "contact": L_("Person"),
          "channel_identity": L_("Chat channel"), "consent": L_("Consent"), "conversation_state": L_("Conversation"),
          "company": L_("Company"), "vacancy": L_("Vacancy"), "vacancy_candidate": L_("Candidate"),
          "info_text": L_("Programme information")}
# Keys written by the pages themselves (merge, export, import, broadcasts), and columns no view lists.
KEYS = {"removed": L_("Removed registration"), "identities": L_("Chat channels"), "bookings": L_("Interviews"),
        "seats": L_("Workshop places"), "events": L_("Path steps"), "consents": L_("Consents"),
        "candidates": L_("Candidacies"), "documents": L_("Documents"), "document": L_("Document"),
        "outbox": L_("Messages"), "cancelled_bookings": L_("Interviews cancelled"),
        "cancelled_seats": L_("Workshop places cancelled"), "filled": L_("Answers filled in"),
        "rows": L_("Rows"), "format": L_("Format"), "file": L_("File"), "create": L_("Created"),
        "present": L_("Already present"), "refused": L_("Refused"), "queued": L_("Messages queued"),
        "withdrawn": L_("Messages withdrawn"), "kind": L_("Step"), "day": L_("Day"), "company": L_("Company"),
        "contract_type": L_("Contract"), "reason": L_("Reason"), "note": L_("Note"), "source": L_("Source"),
        "created_by": L_("Recorded by"), "contact_id": L_("Person"), "password_hash": L_("Password"),
        "notices_off_at": L_("News turned off on"), "reminders_off_at": L_("Reminders turned off on"),
        "sent_at": L_("Sent on"), "attempts": L_("Attempts"), "channel": L_("Channel"),
        "source_key": L_("Import key"), "id": "ID"}
EMPTY = "—"


@functools.cache
def _vocabulary() -> tuple[dict[str, dict], dict[tuple[str, str], dict]]:
    """(table -> column labels, (table, column) -> value labels), from the views."""
    from conversations.flows import choices

    from backoffice.views import accounts, agenda, broadcasts, info_pages, path_pages, registrations, workshops

    columns = {"registration": registrations.LABELS, "interview_slot": agenda.SlotView.column_labels,
               "interview_booking": agenda.BookingView.column_labels,
               "workshop_session": workshops.SessionView.column_labels,
               "workshop_registration": workshops.SeatView.column_labels,
               "broadcast": broadcasts.BroadcastView.column_labels,
               "office_operator": accounts.AccountView.column_labels, "info_text": info_pages.COLUMN_LABELS}
    answers = {name: {o.value: registrations._option_label(o.label) for o in options}
               for name, options in registrations.ANSWERS.items()}
    values = {("registration", "status"): registrations.STATUSES,
              **{("registration", name): labels for name, labels in answers.items()},
              ("interview_booking", "status"): agenda.BOOKING_STATUSES, ("interview_slot", "mode"): agenda.MODES,
              ("workshop_registration", "status"): workshops.SEAT_STATUSES,
              ("broadcast", "status"): broadcasts.STATUSES, ("office_operator", "role"): accounts.ROLE_LABELS,
              ("programme_event", "kind"): path_pages.STEPS, ("programme_event", "contract_type"): path_pages.CONTRACTS,
              ("programme_event", "reason"): path_pages.REASONS, ("programme_event", "source"): path_pages.SOURCES}
    for table in ("registration", "workshop_session", "contact", "info_text"):
        values[(table, "language")] = registrations.LANGUAGES
    return columns, values


def action(name: str) -> str:
    return str(ACTIONS.get(name, name))


def table(name: str | None) -> str:
    return str(TABLES.get(name, name)) if name else ""


def column(table_name: str | None, name: str) -> str:
    label = _vocabulary()[0].get(table_name or "", {}).get(name) or KEYS.get(name)
    return str(label) if label else name.replace("_", " ")


def value(table_name: str | None, name: str, stored: Any) -> str:
    """A stored value as the office words it."""
    if stored is None or stored == "" or stored == []:
        return EMPTY
    if isinstance(stored, bool):
        return _("Yes") if stored else _("No")
    if isinstance(stored, list):
        return ", ".join(value(table_name, name, item) for item in stored)
    if isinstance(stored, dict):
        return "; ".join(f"{column(table_name, key)}: {value(table_name, key, item)}" for key, item in stored.items())
    labels = _vocabulary()[1].get((table_name or "", name))
    if labels and isinstance(stored, str) and stored in labels:
        return str(labels[stored])
    if isinstance(stored, str):
        return _moment(stored)
    return str(stored)


def _moment(text: str) -> str:
    """ISO dates as dd/mm/yyyy, ISO datetimes (stored in UTC) as Rome's dd/mm/yyyy HH:MM."""
    if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
        try:
            return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    if len(text) >= 16 and text[4:5] == "-" and text[10:11] in ("T", " "):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")
    return text


def changes(table_name: str | None, values: dict | None) -> list[tuple[str, str]]:
    """(label, value) lines of a before or after."""
    return [(column(table_name, key), value(table_name, key, item)) for key, item in (values or {}).items()]

