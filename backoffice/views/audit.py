"""The audit log, read only: who changed what, when, before and after."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Callable

from markupsafe import Markup
from sqlalchemy import select

from store.models import OfficeAudit

from backoffice.i18n import L_
from backoffice.views import audit_words as words
from backoffice.views.common import OfficeView
from backoffice.views.filters import Distinct, Period

def history(session_maker, table: str, row_id: str, limit: int = 100) -> list[SimpleNamespace]:
    """A row's audit entries, newest first, ready for a template: before and after as
    (label, value) lines in the office's words (backoffice.views.audit_words)."""
    with session_maker() as sql_session:
        rows = sql_session.scalars(select(OfficeAudit).where(OfficeAudit.table_name == table, OfficeAudit.row_id == row_id)
                               .order_by(OfficeAudit.at.desc(), OfficeAudit.id.desc()).limit(limit))
        return [SimpleNamespace(at=r.at, operator_name=r.operator_name,
                                before=words.changes(r.table_name, r.before), after=words.changes(r.table_name, r.after),
                                action_label=words.action(r.action)) for r in rows]


def _action(model, attribute, *_args) -> str:
    return words.action(model.action)


def _table(model, attribute, *_args) -> str:
    return words.table(model.table_name)


def _values(model, attribute, *_args) -> Markup:
    lines = words.changes(model.table_name, getattr(model, attribute))
    return Markup("<br>").join(Markup("{}: {}").format(label, shown) for label, shown in lines)


class AuditView(OfficeView, model=OfficeAudit):
    identity = "office-audit"  # sqladmin names it after the model; said here for the reader
    name = L_("Audit log")
    name_plural = L_("Audit log")
    icon = "fa-solid fa-clock-rotate-left"
    category = L_("Office")
    can_export = True
    column_list = ["at", "operator_name", "action", "table_name", "row_id", "before", "after"]
    column_details_list = ["id", "at", "operator_name", "operator_id", "action", "table_name", "row_id", "before",
                           "after", "ip"]
    column_searchable_list = ["operator_name", "table_name", "row_id"]
    column_sortable_list = ["at", "operator_name", "action", "table_name"]
    column_default_sort = [("at", True)]
    column_labels = {"at": L_("When"), "operator_name": L_("Who"), "operator_id": L_("Account"),
                     "action": L_("What"), "table_name": L_("Table"), "row_id": L_("Row"), "before": L_("Before"),
                     "after": L_("After"), "ip": L_("Address")}
    column_formatters = column_formatters_detail = {"action": _action, "table_name": _table, "before": _values,
                                                    "after": _values}


def audit_filters(clock: Callable[[], dt.datetime]) -> list:
    return [Distinct(OfficeAudit.action, L_("What"), words.action),
            Distinct(OfficeAudit.table_name, L_("Table"), words.table),
            Distinct(OfficeAudit.operator_name, L_("Who")), Period(OfficeAudit.at, L_("When"), clock)]
