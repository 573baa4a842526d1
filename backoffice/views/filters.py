"""List filters with labels in the operator's language (sqladmin's own say "All" in English):
fixed values, the values found in a column, a value inside a JSON list, and a period."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqlalchemy import String, cast, select
from sqlalchemy.sql.expression import Select

from conversations.i18n import TIMEZONE
from services.agenda import local

from backoffice.i18n import L_, _

ALL = "__all"


class LookupFilter:
    has_operator = False
    template = "sqladmin/filters/lookup_filter.html"

    def __init__(self, column: Any, title: Any, parameter_name: str | None = None) -> None:
        self.column, self.title = column, title
        self.parameter_name = parameter_name or column.key

    async def lookups(self, request, model, run_query) -> list[tuple[str, str]]:
        return [(ALL, _("All")), *[(value, str(label)) for value, label in await self.values(run_query)]]

    async def values(self, run_query) -> list[tuple[str, Any]]:
        raise NotImplementedError

    async def get_filtered_query(self, query: Select, value: Any, model: Any) -> Select:
        if value in (None, "", ALL):
            return query
        return self.where(query, value)

    def where(self, query: Select, value: str) -> Select:
        return query.where(self.column == value)


class Choices(LookupFilter):
    """One of fixed values; ``labels`` maps each to a (lazy) label."""

    def __init__(self, column: Any, labels: dict[str, Any], title: Any) -> None:
        super().__init__(column, title)
        self.labels = labels

    async def values(self, run_query):
        return list(self.labels.items())

    def where(self, query, value):
        return query.where(self.column == value) if value in self.labels else query


class Distinct(LookupFilter):
    """The values found in the column (a few dozen at most, like the 55 comuni), shown by
    ``label`` (the value itself unless given)."""

    def __init__(self, column: Any, title: Any, label: Callable[[str], str] | None = None) -> None:
        super().__init__(column, title)
        self.label = label or str

    async def values(self, run_query):
        found = await run_query(select(self.column).where(self.column.is_not(None)).distinct().order_by(self.column))
        return [(row[0], self.label(row[0])) for row in found]


class InList(LookupFilter):
    """A value inside a JSON list column (the sectors): matched on the JSON text, which reads
    the same on SQLite and PostgreSQL (``["care", "retail"]``)."""

    def __init__(self, column: Any, options, title: Any, label: Callable[[str], str]) -> None:
        super().__init__(column, title)
        self.options, self.label = options, label

    async def values(self, run_query):
        return [(option.value, self.label(option.label)) for option in self.options]

    def where(self, query, value):
        if value not in {option.value for option in self.options}:
            return query
        return query.where(cast(self.column, String).like(f'%"{value}"%'))


PERIODS = {"today": L_("Today"), "7d": L_("Last 7 days"), "30d": L_("Last 30 days"),
           "month": L_("This month"), "year": L_("This year")}


class Period(LookupFilter):
    """Rows whose time falls in a period ending now (Rome's days)."""

    def __init__(self, column: Any, title: Any, clock: Callable[[], dt.datetime]) -> None:
        super().__init__(column, title)
        self.clock = clock

    async def values(self, run_query):
        return list(PERIODS.items())

    def where(self, query, value):
        today = self.clock().astimezone(TIMEZONE).date()
        first = {"today": today, "7d": today - dt.timedelta(days=6), "30d": today - dt.timedelta(days=29),
                 "month": today.replace(day=1), "year": today.replace(month=1, day=1)}.get(value)
        return query if first is None else query.where(self.column >= local(first, dt.time(0, 0)))
