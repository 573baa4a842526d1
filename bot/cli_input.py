"""The operators' inputs as argparse types: services.operator_input reads them (the same
reading as the back office's), and a wrong one becomes argparse's own error, in Italian, so
the command stops with its usage and exit status 2. Light on imports: it is loaded whenever
``python -m bot`` starts."""
from __future__ import annotations

import argparse
import datetime as dt
from typing import Callable, TypeVar

from services.operator_input import (Invalid, parse_datetime, parse_day, parse_end, parse_line, parse_time,
                                     parse_weekdays, parse_whole)

MODES = ("in_person", "phone", "video")  # services.agenda.MODES, without loading the database layer here
T = TypeVar("T")


class CliError(Exception):
    """An input refused after parsing (by a check across options, or by the database):
    shown as "errore: ...", exit status 2."""


def _argument(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` as an argparse type: argparse shows an ArgumentTypeError's own message (a
    ValueError would become its English "invalid value")."""

    def read(text: str) -> T:
        try:
            return parse(text)
        except Invalid as problem:
            raise argparse.ArgumentTypeError(str(problem)) from None

    read.__name__ = parse.__name__
    return read


date_arg: Callable[[str], dt.date] = _argument(parse_day)
time_arg: Callable[[str], dt.time] = _argument(parse_time)
datetime_arg: Callable[[str], tuple[dt.date, dt.time]] = _argument(parse_datetime)
end_arg: Callable[[str], tuple[dt.date | None, dt.time]] = _argument(parse_end)
days_arg: Callable[[str], list[int]] = _argument(parse_weekdays)
positive_arg: Callable[[str], int] = _argument(parse_whole)


def at_most(most: int) -> Callable[[str], int]:
    """A whole number from 1 to ``most``."""
    return _argument(lambda text: parse_whole(text, most=most))


def text_of(limit: int) -> Callable[[str], str]:
    """Text on one line, not empty, at most ``limit`` characters (the column's length)."""
    return _argument(lambda text: parse_line(text, limit=limit))
