"""The fields the office's forms are made of, read as services.operator_input reads what
operators type (the command line's reading too), with the office's messages in the operator's
language; and ``checked``, which turns a form that does not validate into
services.operator_input.Invalid, the one error type the pages show on the form.

The browser keeps what was typed (the pages hand the request's fields back to the templates);
the forms are only read here, never drawn."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, TypeVar

from wtforms import Field, Form

from backoffice.i18n import _
from services.operator_input import Invalid, parse_day, parse_time, parse_whole

OfficeFormT = TypeVar("OfficeFormT", bound="OfficeForm")


class OfficeForm(Form):
    """A form read from a request's fields; ``now`` for the checks against the clock."""

    def __init__(self, formdata: Any, *, now: dt.datetime | None = None):
        self.now = now
        super().__init__(formdata)


def checked(form_class: type[OfficeFormT], formdata: Any, **kwargs: Any) -> OfficeFormT:
    """The form read and validated; the first wrong field (in the form's order) raises Invalid."""
    form = form_class(formdata, **kwargs)
    if not form.validate():
        name, errors = next((field.name, field.errors) for field in form if field.errors)
        raise Invalid(str(errors[0]), reason=name)
    return form


def typed(valuelist: list) -> str:
    return str(valuelist[0] if valuelist else "").strip()


class Text(Field):
    """One text, stripped, line breaks as the chat wants them (browsers send CRLF), cut at
    ``limit`` characters; ``required`` is the message when it is left empty."""

    def __init__(self, label=None, validators=None, *, limit: int | None = None, required: Any = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit, self.required = limit, required

    def process_formdata(self, valuelist: list) -> None:
        text = str(valuelist[0] if valuelist else "").replace("\r\n", "\n").replace("\r", "\n").strip()
        self.data = text[:self.limit] if self.limit else text
        if not self.data and self.required:
            raise ValueError(str(self.required))


class Day(Field):
    """A date: 01/12/2026 or 2026-12-01 (also 01.12.2026, 01-12-2026)."""

    def process_formdata(self, valuelist: list) -> None:
        self.data = None
        try:
            self.data = parse_day(typed(valuelist))
        except Invalid:
            raise ValueError(_("Write the date as dd/mm/yyyy.")) from None


class Time(Field):
    """A time of day: 09:30 (also 9 or 9.30)."""

    def process_formdata(self, valuelist: list) -> None:
        self.data = None
        try:
            self.data = parse_time(typed(valuelist))
        except Invalid:
            raise ValueError(_("Write the time as hh:mm.")) from None


class Whole(Field):
    """A whole number from ``low`` to ``high``; ``empty`` when left empty (required if None). The
    message names ``what`` is asked, or is ``message``."""

    def __init__(self, label=None, validators=None, *, low: int, high: int, what: Any = None, message: Any = None,
                 empty: int | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.low, self.high, self.what, self.message, self.empty = low, high, what, message, empty

    def process_formdata(self, valuelist: list) -> None:
        text, self.data = typed(valuelist), None
        if not text and self.empty is not None:
            self.data = self.empty
            return
        try:
            self.data = parse_whole(text, least=self.low, most=self.high) if text.isdigit() else None
        except Invalid:
            pass
        if self.data is None and self.message is not None:
            raise ValueError(str(self.message))
        if self.data is None:
            raise ValueError(_("%(what)s: a whole number from %(low)s to %(high)s.")
                             % {"what": self.what, "low": self.low, "high": self.high})


class Choice(Field):
    """One of ``choices``; when left empty, ``empty``, or None with ``optional``."""

    def __init__(self, label=None, validators=None, *, choices: Iterable[str], message: Any, optional: bool = False,
                 empty: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices, self.message, self.optional, self.empty = tuple(choices), message, optional, empty

    def process_formdata(self, valuelist: list) -> None:
        self.data = typed(valuelist) or self.empty
        if self.data is None and self.optional:
            return
        if self.data not in self.choices:
            raise ValueError(str(self.message))


class Flag(Field):
    """A checkbox: ticked when it is sent with any value."""

    def process_formdata(self, valuelist: list) -> None:
        self.data = bool(typed(valuelist))


class Weekdays(Field):
    """The ticked days of the week, Monday 0, at least one."""

    def process_formdata(self, valuelist: list) -> None:
        self.data = sorted({int(day) for day in valuelist if str(day) in tuple("0123456")})
        if not self.data:
            raise ValueError(_("Choose at least one day of the week."))
