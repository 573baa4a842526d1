"""Parsers for typed answers. Each returns a JSON-friendly value or raises Invalid
with a short, translated message that says what is expected and gives an example.

phonenumbers, python-stdnum and email-validator are imported where first used:
together they cost ~150 ms of the bot's start-up (bench/bench_startup.py).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from .engine import normalize
from .flow import Ctx, Invalid
from . import cldr_dates, languages
from .typed import plain

# Words of letters joined by one space, apostrophe, hyphen or dot ("D'Angelo", "Jean-Luc", "J.").
_NAME_WORDS = re.compile(r"[ '’\-.]")
ADULT_AGE = 18
OLDEST_AGE = 100


def person_name(text: str, ctx: Ctx) -> str:
    """A first name."""
    return _name(text, ctx.t.gettext("Please write the name with letters only, for example: Maria Grazia."))


def last_name(text: str, ctx: Ctx) -> str:
    return _name(text, ctx.t.gettext("Please write the last name with letters only, for example: Rossi."))


def _name(text: str, refusal: str) -> str:
    text = " ".join(text.split())
    if len(text) < 2 or len(text) > 60 or not _is_name(text):
        raise Invalid(refusal)
    # Keep the person's own capitals; only fix an all-lower or ALL-UPPER answer.
    return text.title() if text.islower() or text.isupper() else text


def _is_name(text: str) -> bool:
    """Letters of any script, with their combining marks (Bengali's vowel signs, Arabic's
    harakat), never digits or number-like letters such as ⁰⁴⁵ or ⅛ (Unicode's \\w takes them)."""
    words = _NAME_WORDS.split(text[:-1] if text.endswith(".") else text)
    return all(word and unicodedata.category(word[0]).startswith("L")
               and all(unicodedata.category(c)[0] in "LM" for c in word) for word in words)


def birth_date(text: str, ctx: Ctx) -> str:
    _ = ctx.t.gettext
    day = _parse_date(text, ctx)
    if day is None:
        # Translators: keep 05/03/1990: day/month/year in digits, as dates are typed in every language
        raise Invalid(_("I could not read that date. Please write it like this: 05/03/1990."))
    today = ctx.today
    age = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
    if day > today or age > OLDEST_AGE:
        # Translators: keep 05/03/1990: day/month/year in digits, as dates are typed in every language
        raise Invalid(_("Please check the year: write your date of birth like this: 05/03/1990."))
    if age < ADULT_AGE:
        # Translators: keep 05/03/1990: day/month/year in digits, as dates are typed in every language
        raise Invalid(_("This service is for adults (18 and over). Please check your date of birth, "
                        "written like this: 05/03/1990."))
    return day.isoformat()


def _parse_date(text: str, ctx: Ctx) -> dt.date | None:
    """Day, month, year: "14/02/1988" (also with - . or spaces, a two-digit year) in every
    language, or with the month in words in the person's language, Italian or English ("14
    febbraio 1988", "14 de febrero de 1988", "14 лютого 1988", "١٤ فبراير ١٩٨٨"). Never the month
    first: 02/03 is the 2nd of March here, whatever the language."""
    text = normalize(plain(text))  # the engine did it already; a caller of its own may not have
    numeric = re.fullmatch(r"(\d{1,2})\s*[/\-. ]\s*(\d{1,2})\s*[/\-. ]\s*(\d{2}|\d{4})", text, re.ASCII)
    if numeric:
        day, month, year = (int(g) for g in numeric.groups())
    else:
        worded = _worded_date(text, ctx)
        if worded is None:
            return None
        day, month, year = worded
    if year < 100:  # "5/3/90": the most recent past century
        year += 2000 if 2000 + year <= ctx.today.year else 1900
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _worded_date(text: str, ctx: Ctx) -> tuple[int, int, int] | None:
    """(day, month, year) of a date with its month in words, in any order, with the words a
    language's dates put around them ("de", "р."), commas included; None otherwise."""
    tokens: list[str] = []
    for token in re.findall(r"[0-9]+|[^0-9\s.,،/\-]+", text):
        if tokens and _month_number(f"{tokens[-1]} {token}", ctx) is not None:
            tokens[-1] = f"{tokens[-1]} {token}"  # "كانون الثاني": one month in two words
        else:
            tokens.append(token)
    numbers = [t for t in tokens if t.isascii() and t.isdecimal()]
    words = [t for t in tokens if t not in numbers]
    days = [n for n in numbers if len(n) <= 2]
    years = [n for n in numbers if len(n) == 4]
    if len(numbers) != 2 or len(days) != 1 or len(years) != 1:
        return None
    months = {word: _month_number(word, ctx) for word in words}
    named = {month for month in months.values() if month is not None}  # "mar": March, or Tuesday
    if len(named) != 1 or any(m is None and w not in cldr_dates.date_words() for w, m in months.items()):
        return None
    return int(days[0]), named.pop(), int(years[0])


def _month_number(word: str, ctx: Ctx) -> int | None:
    for language in (ctx.state.language, *languages.CODES):
        if (number := cldr_dates.months(language).get(word)) is not None:
            return number
    return None


def tax_code(text: str, ctx: Ctx) -> str:
    _ = ctx.t.gettext
    code = re.sub(r"\s+", "", text).upper()
    if _tax_code_birthday(code) is None:
        raise Invalid(_("This codice fiscale is not valid. It has 16 letters and numbers, "
                        "for example: RSSMRA90C05A944B. Check it, or tap \"I don't have one\"."))
    born = ctx.answers.get("birth_date")
    if born and not tax_code_matches(code, born):
        shown = ctx.t.format_date(dt.date.fromisoformat(born))
        raise Invalid(_("This codice fiscale does not match your date of birth ({date}). "
                        "Please check it.").format(date=ctx.t.isolate(shown)))
    return code


def tax_code_matches(code: str, born_iso: str) -> bool:
    # The code holds only the year's last two digits, and the library guesses the century from
    # today's date: someone born in 1926 would decode as 2026. Compare what the code holds.
    held = _tax_code_birthday(code)
    if held is None:
        raise ValueError(f"not a valid codice fiscale: {code!r}")
    born = dt.date.fromisoformat(born_iso)
    return held == (born.year % 100, born.month, born.day)


@lru_cache(maxsize=4096)
def _tax_code_birthday(code: str) -> tuple[int, int, int] | None:
    """(year % 100, month, day) of birth a valid codice fiscale holds; None if it is not valid.

    python-stdnum checks the letters' places, the check letter and the date (and reads a code
    whose digits became letters, "omocodia"). python-codicefiscale, used before, also looked the
    birthplace up in its list of every comune ever: 35 MB kept for the process's life, for a
    typo the check letter catches anyway."""
    from stdnum.exceptions import ValidationError
    from stdnum.it import codicefiscale

    if len(code) != 16:  # 11 digits are a company's code, not a person's
        return None
    try:
        born = codicefiscale.get_birth_date(codicefiscale.validate(code))
    except ValidationError:
        return None
    return born.year % 100, born.month, born.day


def phone(text: str, ctx: Ctx) -> str:
    import phonenumbers

    _ = ctx.t.gettext
    try:
        number = phonenumbers.parse(text, "IT")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(_("This phone number does not look right. Write it with the prefix, "
                        "for example: 347 123 4567 or +39 347 123 4567."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def show_phone(value: str, ctx: Ctx) -> str:
    import phonenumbers

    return phonenumbers.format_number(phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email(text: str, ctx: Ctx) -> str:
    from email_validator import EmailNotValidError, validate_email

    _ = ctx.t.gettext
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise Invalid(_("This email address does not look right. Example: maria.rossi@gmail.com. "
                        "You can also tap \"Skip\".")) from None
