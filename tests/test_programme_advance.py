"""services.programme.advance, the one rule of the path: every stage x every kind of step, the
expected stage written out here by hand (not recomputed from the code), and the functions that
follow it (next_kinds for the path page, record on the real database)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from services import programme
from store.models import Contact, Registration

STAGE = "stage"  # PathError("stage"): the step does not follow from there
ERASED = "erased"  # PathError("erased")

EXPECTED = {
    # stage:          interviewed     selection       placement  closed
    "new":          ("interviewed", STAGE, STAGE, "closed"),
    "registered":   ("interviewed", STAGE, STAGE, "closed"),
    "interviewed":  ("interviewed", "in_selection", "placed", "closed"),
    "in_selection": ("in_selection", "in_selection", "placed", "closed"),  # a late interview moves nobody back
    "placed":       ("placed", "in_selection", "placed", "closed"),  # placed, then a new selection
    "closed":       (STAGE, STAGE, STAGE, STAGE),  # reopen first
    "erased":       (ERASED, ERASED, ERASED, ERASED),
}
KINDS = ("interviewed", "selection", "placement", "closed")


def test_the_table_covers_every_stage_and_kind():
    assert set(EXPECTED) == set(programme.STAGES) | {"erased"}
    assert KINDS == programme.KINDS


@pytest.mark.parametrize("stage,kind,expected", [
    (stage, kind, outcome) for stage, outcomes in EXPECTED.items() for kind, outcome in zip(KINDS, outcomes)])
def test_advance(stage, kind, expected):
    if expected in (STAGE, ERASED):
        with pytest.raises(programme.PathError) as refused:
            programme.advance(stage, kind)
        assert refused.value.code == expected
    else:
        assert programme.advance(stage, kind) == expected


@pytest.mark.parametrize("stage,kind", [("unknown", "interviewed"), ("registered", "unknown")])
def test_an_unknown_stage_or_kind_is_refused(stage, kind):
    with pytest.raises(programme.PathError, match="stage"):
        programme.advance(stage, kind)


def test_the_path_page_offers_the_steps_that_follow():
    assert {stage: programme.next_kinds(stage) for stage in EXPECTED} == {
        "new": ["interviewed", "closed"], "registered": ["interviewed", "closed"],
        "interviewed": ["interviewed", "selection", "placement", "closed"],
        "in_selection": ["interviewed", "selection", "placement", "closed"],
        "placed": ["interviewed", "selection", "placement", "closed"], "closed": [], "erased": []}


@pytest.mark.both_databases
@pytest.mark.parametrize("stage", ["registered", "in_selection", "closed"])
def test_record_moves_the_stage_as_advance_says(db, stage):
    today = dt.date(2026, 11, 20)
    with Session(db) as session:
        contact = Contact()
        session.add(contact)
        session.flush()
        registration = Registration(contact_id=contact.id, code=f"ADV{stage[:3].upper()}", status=stage)
        session.add(registration)
        session.flush()
        for kind, expected in zip(KINDS, EXPECTED[stage]):
            registration.status = stage
            if expected == STAGE:
                with pytest.raises(programme.PathError, match="stage"):
                    programme.record(session, registration=registration, kind=kind, on=today, today=today,
                                     company="Hera", contract_type="permanent", reason="other")
                assert registration.status == stage
            else:
                programme.record(session, registration=registration, kind=kind, on=today, today=today,
                                 company="Hera", contract_type="permanent", reason="other")
                assert registration.status == expected
