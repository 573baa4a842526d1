"""What every model view shares: Italian dates, read-only unless a view says otherwise, names of
the people behind ``contact_id`` columns, and confirmed actions (GET asks, POST acts)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

import anyio
from markupsafe import Markup
from sqladmin import Flash, ModelView
from sqladmin.formatters import BASE_FORMATTERS
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations.i18n import TIMEZONE, translator
from store.models import Registration, utcnow

from services.office import audit
from backoffice.i18n import _, current_language, format_date, format_datetime
from backoffice.spreadsheet import Text, csv_response


def _list_text(value: list) -> str:
    return ", ".join(str(v) for v in value)


FORMATTERS = {**BASE_FORMATTERS, dt.datetime: format_datetime, dt.date: format_date, list: _list_text,
              dict: lambda value: Markup("<br>").join(f"{k}: {v}" for k, v in value.items())}


class OfficeView(ModelView):
    can_create = False
    can_edit = False
    can_delete = False
    can_export = True
    page_size = 25
    page_size_options = [25, 50, 100]
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = FORMATTERS
    # Set per view: columns holding a contact id, shown as the person's name.
    person_columns: tuple[str, ...] = ()
    # Columns exported as text, which Excel would read as numbers (backoffice.spreadsheet.Text).
    text_columns: tuple[str, ...] = ("phone",)
    clock = staticmethod(utcnow)  # the application's clock, set by backoffice.app.views

    export_types = ["csv"]

    async def export_data(self, data: list[Any], export_type: str = "csv", request: Request | None = None):
        """Exports carry personal data out of the office: each one is in the audit log. The CSV
        is the list as the office reads it: the columns' labels in the operator's language,
        values as the details page shows them (people's names, labels, Italian dates), in the
        format Italian Excel opens (backoffice.spreadsheet)."""
        await anyio.to_thread.run_sync(self._log_export, len(data), export_type)
        if export_type != "csv" or request is None:
            return await super().export_data(data, export_type=export_type, request=request)
        await self._remember_people(request, data)
        columns = self.get_export_columns()
        rows = [[str(self._column_labels.get(name) or ("ID" if name == "id" else name)) for name in columns]]
        for row in data:
            cells = []
            for name in columns:
                value, shown = await self.get_detail_value(row, name, request)
                cell = _export_cell(value, shown)
                cells.append(Text(cell) if name in self.text_columns else cell)
            rows.append(cells)
        day = self.clock().astimezone(TIMEZONE).strftime("%Y-%m-%d")
        return csv_response(f"{self.identity}_{day}.csv", rows)

    def get_export_columns(self) -> list[str]:
        """What the details page shows, unless a view says otherwise."""
        if not self.column_export_list and not self.column_export_exclude_list:
            return self.get_details_columns()
        return super().get_export_columns()

    def _log_export(self, rows: int, export_type: str) -> None:
        with self.session_maker() as sql_session:
            audit.record(sql_session, action="export", actor=audit.current_actor.get(), at=self.clock(),
                         table=self.model.__tablename__, after={"rows": rows, "format": export_type})
            sql_session.commit()

    search_hint: Any = None  # what the search box says; otherwise built from the searched columns' labels

    def search_placeholder(self) -> str:
        """"Search by name, code or phone": what can be searched, in words (sqladmin's own
        reads "Search: " then the first labels, cut off by the box)."""
        if self.search_hint:
            return str(self.search_hint)
        names = [str(self._column_labels.get(field, field)).lower() for field in self._search_fields]
        if len(names) > 1:
            names = [", ".join(names[:-1]), names[-1]]
            return _("Search by %(fields)s or %(last)s") % {"fields": names[0], "last": names[1]}
        return _("Search by %(fields)s") % {"fields": names[0] if names else ""}

    async def list(self, request: Request):
        pagination = await super().list(request)
        await self._remember_people(request, pagination.rows)
        return pagination

    async def get_object_for_details(self, request: Request) -> Any:
        obj = await super().get_object_for_details(request)
        if obj is not None:
            await self._remember_people(request, [obj])
        return obj

    async def _remember_people(self, request: Request, rows: Iterable[Any]) -> None:
        ids = {getattr(row, column) for row in rows for column in self.person_columns} - {None}
        if ids:
            found = await anyio.to_thread.run_sync(people, self.session_maker, ids)
            request.state.people = {**getattr(request.state, "people", {}), **found}


def _export_cell(value: Any, shown: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else "No"
    if isinstance(shown, Markup):  # lines of a cell (the audit's before and after) become "; "
        return Markup(shown.replace("<br>", "; ")).striptags()
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(shown)


def people(session_maker, contact_ids: set[int]) -> dict[int, str]:
    """"Last First (code)" for each contact with a registration (erased people have none)."""
    with session_maker() as sql_session:
        rows = sql_session.execute(select(Registration.contact_id, Registration.first_name, Registration.last_name,
                                      Registration.code)
                               .where(Registration.contact_id.in_(contact_ids), Registration.erased_at.is_(None)))
        return {cid: f"{last or ''} {first or ''} ({code})".strip() for cid, first, last, code in rows}


def person(column: str = "contact_id") -> Callable:
    """A formatter showing the person behind a contact id (set up by OfficeView.list/details)."""

    def show(model: Any, _attribute: str, request: Request) -> str:
        cid = getattr(model, column)
        return getattr(request.state, "people", {}).get(cid) or _("contact %(id)s (no registration)") % {"id": cid}

    return show


def choice(options) -> Callable:
    """A formatter showing a stored option value by its label, in the operator's language."""
    labels = {option.value: option.label for option in options}

    def show(model: Any, attribute: str, *_args) -> str:
        value = getattr(model, attribute)
        t = translator(current_language())
        if isinstance(value, list):
            return ", ".join(t.gettext(labels.get(v, v)) for v in value)
        return "" if value is None else t.gettext(labels.get(value, value))

    return show


def labels(mapping: dict[str, Any]) -> Callable:
    """A formatter for a value with a fixed set of labels (lazy, translated when shown)."""

    def show(model: Any, attribute: str, *_args) -> str:
        value = getattr(model, attribute)
        return str(mapping.get(value, value)) if value is not None else ""

    return show


async def confirmed_action(view: ModelView, request: Request, *, slug: str, title: str, question: str,
                           run: Callable[[Session, list[str]], int], done: Callable[[int], str],
                           describe: Callable[[Any], str] = str) -> Response:
    """GET shows the rows and a form; POST (CSRF-checked by the middleware) runs ``run`` in one
    audited transaction, then goes back to the list with a message."""
    pks = [pk for pk in request.query_params.get("pks", "").split(",") if pk.strip()][:500]
    back = str(request.url_for("admin:list", identity=view.identity))
    if not pks:
        Flash.warning(request, _("Select at least one row first."))
        return RedirectResponse(back, status_code=302)
    if request.method != "POST":
        rows = await anyio.to_thread.run_sync(_load, view, pks)
        return await view.templates.TemplateResponse(request, "office/confirm.html", {
            "title": title, "question": question, "rows": [describe(row) for row in rows], "back": back,
            "model_view": view})

    count = await anyio.to_thread.run_sync(audit.run, view.session_maker, slug, lambda sql_session: run(sql_session, pks))
    Flash.success(request, done(count))
    return RedirectResponse(back, status_code=303)


def _load(view: ModelView, pks: list[str]) -> list[Any]:
    pk = view.pk_columns[0]
    with view.session_maker() as sql_session:
        return list(sql_session.scalars(select(view.model).where(pk.in_([int(p) for p in pks if p.isdigit()]))))
