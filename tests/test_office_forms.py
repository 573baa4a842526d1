"""backoffice.forms: the office's WTForms forms read dates, times and numbers as
services.operator_input does, and a wrong field raises its one error type, Invalid, with the
field's name as the reason, the first wrong field in the form's order."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.datastructures import FormData

from backoffice.forms.agenda import OutcomeForm, PatternForm, SlotForm, WorkshopSessionForm
from backoffice.forms.broadcast import AudienceForm, TextsForm, WhenForm
from backoffice.forms.fields import checked
from services.operator_input import Invalid
from tests.conftest import NOW

SLOT = {"day": "01/12/2026", "time": "9.30", "duration": "45", "operator": " Paola ", "mode": "phone"}


def form(**fields) -> FormData:
    return FormData([(key, value) for key, values in fields.items()
                     for value in (values if isinstance(values, list) else [values])])


@pytest.mark.parametrize("day", ["01/12/2026", "2026-12-01", "01.12.2026", "01-12-2026"])
def test_a_slot_reads_the_day_as_the_command_line_does(day):
    slot = checked(SlotForm, form(**{**SLOT, "day": day}))
    assert slot.starts_at() == dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.timezone.utc)  # 9:30 in Rome
    assert slot.slot() == {"mode": "phone", "operator": "Paola", "address": None, "duration_minutes": 45,
                           "capacity": 1}  # one place when left empty


@pytest.mark.parametrize("changes, reason", [
    ({"day": "domani"}, "day"), ({"time": "25:00"}, "time"), ({"duration": "4"}, "duration"),
    ({"duration": "-5"}, "duration"), ({"operator": "  "}, "operator"), ({"mode": "fax"}, "mode"),
    ({"mode": "in_person"}, "address"), ({"capacity": "51"}, "capacity"),
])
def test_a_wrong_field_is_the_one_error_type_with_its_name(changes, reason):
    with pytest.raises(Invalid) as refused:
        checked(SlotForm, form(**{**SLOT, **changes}))
    assert refused.value.reason == reason and str(refused.value)


def test_the_first_wrong_field_in_the_forms_order_is_told():
    with pytest.raises(Invalid) as refused:
        checked(OutcomeForm, form(booking="x", status="booked"))
    assert refused.value.reason == "booking"


def test_a_pattern_checks_its_days_against_the_clock():
    pattern = {**SLOT, "weekday": ["1", "3"], "first": "2026-11-30", "last": "2026-12-06", "opens": "09:00",
               "closes": "11:00"}
    read = checked(PatternForm, form(**pattern), now=NOW)
    assert (read.weekday.data, read.first.data, read.opens.data) == ([1, 3], dt.date(2026, 11, 30), dt.time(9))
    for changes, reason in [({"weekday": []}, "weekday"), ({"last": "2026-11-29"}, "last"),
                            ({"first": "2026-11-01", "last": "2026-11-20"}, "last"),
                            ({"last": "2027-12-31"}, "last")]:
        with pytest.raises(Invalid) as refused:
            checked(PatternForm, form(**{**pattern, **changes}), now=NOW)
        assert refused.value.reason == reason, changes


def test_a_workshop_session_in_the_past_or_ending_before_it_starts_is_refused():
    session = {"title": "Incontro", "day": "10/12/2026", "start": "09:30", "end": "12:30", "capacity": "20"}
    read = checked(WorkshopSessionForm, form(**session), now=NOW)
    assert read.fields()["language"] == "it" and read.session.data == 0  # new, in Italian unless told
    for changes in ({"end": "09:00"}, {"day": "20/11/2026"}):
        with pytest.raises(Invalid) as refused:
            checked(WorkshopSessionForm, form(**{**session, **changes}), now=NOW)
        assert refused.value.reason == "end"


def test_texts_keep_the_chats_newlines_and_need_italian():
    texts = checked(TextsForm, form(text_it=" Chiuso\r\nlunedì ", text_en="")).texts()
    assert texts == {"it": "Chiuso\nlunedì"}
    with pytest.raises(Invalid):
        checked(TextsForm, form(text_en="Only English"))


def test_an_audience_forgives_typos_and_refuses_what_cannot_be():
    audience = checked(AudienceForm, form(municipality="san lazaro", workshop="7", with_waitlist="1")).audience()
    assert (audience.municipality, audience.workshop, audience.with_waitlist) == ("San Lazzaro di Savena", 7, True)
    assert checked(AudienceForm, form(with_waitlist="1")).audience().with_waitlist is False  # no workshop
    for wrong in ({"municipality": "Milano"}, {"workshop": "abc"}, {"language": "de"}, {"channel": "fax"}):
        with pytest.raises(Invalid) as refused:
            checked(AudienceForm, form(**wrong))
        assert refused.value.reason == next(iter(wrong))


@pytest.mark.parametrize("typed", ["30/11/2026 09:00", "2026-11-30T09:00", "2026-11-30 09:00"])
def test_later_is_a_rome_time_in_the_future(typed):
    assert checked(WhenForm, form(when="later", send_at=typed), now=NOW).send_at.data == dt.datetime(
        2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)
    assert checked(WhenForm, form(when="now", send_at="rubbish"), now=NOW).send_at.data is None
    with pytest.raises(Invalid):
        checked(WhenForm, form(when="later", send_at="25/11/2026 10:59"), now=NOW)
