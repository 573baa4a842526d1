"""Dates and times as people read them: the month in words and a 24-hour clock in every
language (issue 13: English read "12/4/26, 10:45 AM", which here means 12 April).

The flows run through the real service on SQLite; NOW is Wednesday 25 November 2026, 11:00 in
Bologna, and the interview is the next day at 15:30 (an afternoon: "3:30 PM" where a clock has
day periods)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from babel import dates as babel_dates
from icalendar import Calendar

from conversations import describe, languages, reminders
from conversations.i18n import translator
from conversations.store import Slot
from tests.booking_flow_helpers import ADDRESS, add_slot, days_ahead
from tests.conftest import NOW
from tests.registration_helpers import reach

# Friday 4 December 2026, 15:45 in Rome: a day under 13, so a numeric format would be ambiguous
SAMPLE = dt.datetime(2026, 12, 4, 14, 45, tzinfo=dt.timezone.utc)
NUMERIC_DAY = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}(\s*[/.\-]\s*\d{2,4})?\b")
INTERVIEW = {  # what the day and time of the interview read like, and the buttons to book it
    "en": ("Thursday, 26 November 2026, 15:30", ("Book an interview", "Thu, 26 Nov", "15:30", "Yes, book it")),
    "it": ("giovedì 26 novembre 2026, ore 15:30", ("Prenota il colloquio", "gio 26 nov", "15:30", "Sì, prenota")),
}


def formatted(code: str) -> list[str]:
    """Every way the bot writes a day or a time to a person in this language."""
    t = translator(code)
    return [t.format_date(SAMPLE), t.format_date(SAMPLE, "full"), t.format_datetime(SAMPLE),
            t.format_datetime(SAMPLE, "full"), t.day_label(SAMPLE), t.time_label(SAMPLE)]


def messages(code: str) -> list[str]:
    """Messages that carry them: an interview's description (its calendar file's too), a reminder."""
    reader = describe.Reader(code, NOW)
    slot = Slot(id=1, starts_at=SAMPLE, duration_minutes=45, mode="in_person", address=ADDRESS, operator="")
    return [describe.when(reader, SAMPLE), describe.slot_text(reader, slot),
            reminders.interview_reminder(reader, 1, slot).text]


@pytest.mark.parametrize("code", languages.CODES)
def test_every_language_writes_the_month_in_words_and_a_24_hour_clock(code):
    locale = languages.get(code).locale
    periods = {name for width in ("abbreviated", "wide", "narrow")
               for name in babel_dates.get_period_names(width, locale=locale).values()}
    month = babel_dates.get_month_names("wide", locale=locale)[12]
    t = translator(code)
    assert month in t.format_date(SAMPLE) and month in t.format_datetime(SAMPLE)
    assert "15" in t.time_label(SAMPLE) and "45" in t.time_label(SAMPLE)
    for text in formatted(code):  # the language's own "a.m." / "p.m." words (its messages may say "a")
        assert not set(text.split()) & periods, text
    for text in formatted(code) + messages(code):
        assert not NUMERIC_DAY.search(text), text
        assert not re.search(r"\b[AP]\.?M\b|\b[ap]\.m\.", text), text  # not "am" alone: German's "am 4."


@pytest.mark.parametrize("width", ["short", "medium"])
def test_numeric_date_widths_are_refused(width):
    with pytest.raises(ValueError):
        translator("en").format_date(SAMPLE, width)


def test_english_puts_the_day_before_the_month():
    t = translator("en")
    assert t.format_datetime(SAMPLE) == "4 December 2026, 15:45"
    assert (t.format_date(SAMPLE, "full"), t.day_label(SAMPLE)) == ("Friday, 4 December 2026", "Fri, 4 Dec")
    assert translator("it").format_datetime(SAMPLE) == "4 dicembre 2026, ore 15:45"


@pytest.mark.parametrize("code", sorted(INTERVIEW))
def test_the_booking_its_summary_and_its_reminder_read_the_month_in_words_at_15_30(chat, db, code):
    shown, (book, day, time, yes) = INTERVIEW[code]
    add_slot(db, days_ahead(1, 15, 30))
    reach(chat)
    if code != "en":
        chat.say("/language")
        chat.press(languages.get(code).native)
    chat.say("/menu")
    chat.press(book)
    chat.press(day)
    chat.press(time)
    summary = chat.text
    chat.press(yes)
    [done] = chat.replies
    [event] = Calendar.from_ical(done.file.content).walk("VEVENT")
    assert shown in summary and shown in done.text and shown in str(event["description"])

    reader = describe.Reader(code, NOW)
    slot = Slot(id=1, starts_at=days_ahead(1, 15, 30), duration_minutes=45, mode="in_person",
                address=ADDRESS, operator="")
    assert shown in reminders.interview_reminder(reader, 1, slot).text
    for text in (summary, done.text):
        assert "PM" not in text and "3:30" not in text and not NUMERIC_DAY.search(text)


def test_the_registration_summary_shows_the_birth_date_with_its_month_in_words(chat):
    reach(chat, "summary")
    assert "5 March 1990" in chat.text and "05/03/1990" not in chat.text


@pytest.mark.parametrize("code", languages.CODES)
def test_every_language_writes_latin_digits(code):
    """#14: Arabic, Urdu and Bengali too, in dates, times, counts and in the catalog's own words
    ("for example: 05/03/1990"). The codes, phone numbers and codice fiscale the office writes
    are in Latin digits, and one message should not mix two sets; people may type theirs
    (conversations.typed). Babel writes dates in Latin digits whatever the locale."""
    from tests.test_i18n import catalog

    t = translator(code)
    texts = formatted(code) + messages(code) + [t.ngettext("{count} minute", "{count} minutes", 45).format(count=45)]
    texts += [string for m in catalog(code) for string in (m.string if isinstance(m.string, tuple) else (m.string,))]
    for text in texts:
        assert all(c in "0123456789" for c in text if c.isdigit()), text
