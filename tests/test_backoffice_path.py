"""The programme's path and the duplicates over HTTP: the stages' labels and filter, the path on a
registration's page with the forms of the next step, wrong steps refused on the page, closing and
reopening; duplicates listed, hinted and merged after a confirmation page; who may do what, CSRF
and the audit log."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ChannelIdentity, InterviewBooking, Registration, WorkshopRegistration
from store.models import ProgrammeEvent
from tests.office_support import (audit_rows, client, csrf, fast_hashes, logged_in, office,  # noqa: F401
                                  office_accounts, programme, registration)

STEP = "/office/registration-path/step"
REOPEN = "/office/registration-path/reopen"
MERGE = "/office/duplicates/merge"


def details(pk: int) -> str:
    return f"/office/registration/details/{pk}"


def record(http, pk: int, **form):
    return http.post(STEP, data={"registration": pk, **form, "csrf_token": csrf(http, details(pk))})


def events(db, registration_id: int) -> list[tuple]:
    with Session(db) as session:
        contact_id = session.get(Registration, registration_id).contact_id
        return [(e.kind, e.day, e.company, e.contract_type, e.reason, e.note, e.created_by) for e in session.scalars(
            select(ProgrammeEvent).where(ProgrammeEvent.contact_id == contact_id).order_by(ProgrammeEvent.id))]


def path_card(http, pk: int) -> str:
    page = http.get(details(pk))
    assert page.status_code == 200
    return page.text.split('id="path"', 1)[1].split('id="history"', 1)[0]


def same_phone(db, programme) -> None:
    """Luca registered again from another contact with Maria's phone: a possible duplicate."""
    with Session(db) as session:
        luca = session.get(Registration, programme["luca"])
        luca.phone = session.get(Registration, programme["maria"]).phone
        session.commit()


def test_every_stage_has_a_label_and_the_filter_lists_them_all(client, programme, db):
    logged_in(client, "vera")
    listing = client.get("/office/registration/list").text
    for label in ("Nuova, da verificare", "Iscritta (verificata)", "Colloquio svolto", "In selezione",
                  "Inserita al lavoro", "Chiusa", "Cancellata"):
        assert label in listing, label
    with Session(db) as session:
        session.get(Registration, programme["luca"]).status = "in_selection"
        session.commit()
    filtered = client.get("/office/registration/list?status=in_selection").text
    assert "Bianchi" in filtered and "Rossi" not in filtered
    assert "In selezione" in filtered and "in_selection</td>" not in filtered


def test_an_operator_moves_a_registration_along_the_path(client, programme, db, office):
    logged_in(client, "otto")
    luca = programme["luca"]
    card = path_card(client, luca)
    assert "Nessun passo" in card and 'id="step-interviewed"' in card and 'id="step-placement"' not in card

    assert record(client, luca, kind="interviewed", day="20/11/2026").status_code == 303
    assert record(client, luca, kind="selection", day="23/11/2026", company="Coop Alleanza").status_code == 303
    response = record(client, luca, kind="placement", day="01/12/2026", company="Coop Alleanza",
                      contract_type="permanent", note="Magazzino, 30 ore")
    assert response.status_code == 303 and response.headers["location"].endswith(f"{details(luca)}#path")
    assert registration(db, luca).status == "placed"
    assert events(db, luca) == [
        ("interviewed", dt.date(2026, 11, 20), None, None, None, None, "otto"),
        ("selection", dt.date(2026, 11, 23), "Coop Alleanza", None, None, None, "otto"),
        ("placement", dt.date(2026, 12, 1), "Coop Alleanza", "permanent", None, "Magazzino, 30 ore", "otto")]

    card = path_card(client, luca)
    assert 'id="path-stage">Inserita al lavoro<' in card
    rows = [re.sub(r"\s+", " ", row).strip() for row in re.findall(r'<tr class="path-step">(.*?)</tr>', card, re.S)]
    assert rows[2] == ("<td>01/12/2026</td> <td>Inserita al lavoro</td> <td>Coop Alleanza</td> "
                       "<td>Tempo indeterminato</td> <td></td> <td>Magazzino, 30 ore</td> <td>otto (Back office)</td>")
    steps = audit_rows(db, table_name="programme_event")
    assert [(a.action, a.operator_name, a.after["kind"]) for a in steps] == [
        ("create", "otto", "interviewed"), ("create", "otto", "selection"), ("create", "otto", "placement")]
    assert [a.after for a in audit_rows(db, table_name="registration", action="programme_step")] == [
        {"status": "interviewed"}, {"status": "in_selection"}, {"status": "placed"}]


@pytest.mark.parametrize("form, message", [
    ({"kind": "interviewed", "day": "2026-13-01"}, "Scrivi la data come gg/mm/aaaa."),
    ({"kind": "interviewed", "day": "26/11/2026"}, "Quel giorno viene dopo oggi."),
    ({"kind": "selection", "day": "20/11/2026", "company": "Hera"}, "Questo passo non segue dalla fase attuale"),
    ({"kind": "closed", "day": "20/11/2026", "reason": "bored"}, "Scegli il motivo della chiusura."),
    ({"kind": "flying", "day": "20/11/2026"}, "Scegli il passo."),
])
def test_a_wrong_step_is_explained_on_the_page_and_nothing_is_written(client, programme, db, form, message):
    logged_in(client, "otto")
    luca = programme["luca"]
    response = record(client, luca, **form)
    assert response.status_code == 303
    card = path_card(client, luca)
    assert 'id="path-error"' in card and message in card
    assert registration(db, luca).status == "registered" and events(db, luca) == []
    assert 'id="path-error"' not in path_card(client, luca)  # said once
    assert audit_rows(db, table_name="registration") == []


def test_a_placement_needs_a_company_and_a_contract(client, programme, db):
    logged_in(client, "otto")
    luca = programme["luca"]
    record(client, luca, kind="interviewed", day="20/11/2026")
    record(client, luca, kind="placement", day="01/12/2026", company=" ", contract_type="permanent")
    assert "Scrivi l&#39;azienda." in path_card(client, luca) or "Scrivi l'azienda." in path_card(client, luca)
    record(client, luca, kind="placement", day="01/12/2026", company="Hera", contract_type="")
    assert "Scegli il tipo di contratto." in path_card(client, luca)
    assert registration(db, luca).status == "interviewed" and len(events(db, luca)) == 1


def test_closing_for_a_refused_contract_then_reopening(client, programme, db):
    logged_in(client, "otto")
    luca = programme["luca"]
    record(client, luca, kind="interviewed", day="20/11/2026")
    record(client, luca, kind="closed", day="24/11/2026", reason="refused_contract", note="Turni notturni")
    assert registration(db, luca).status == "closed"
    card = path_card(client, luca)
    assert "Ha rifiutato un contratto" in card and "Turni notturni" in card
    assert 'id="step-reopen"' in card and 'id="step-interviewed"' not in card
    response = client.post(REOPEN, data={"registration": luca, "csrf_token": csrf(client, details(luca))})
    assert response.status_code == 303
    assert registration(db, luca).status == "interviewed"
    assert [a.after for a in audit_rows(db, table_name="registration", action="programme_reopen")] == [
        {"status": "interviewed"}]


def test_a_viewer_sees_the_path_but_no_form_and_cannot_post(client, programme, db):
    logged_in(client, "vera")
    luca = programme["luca"]
    card = path_card(client, luca)
    assert "Percorso nel programma" in card and "<form" not in card
    token = csrf(client, details(luca))
    for path, data in ((STEP, {"kind": "interviewed", "day": "20/11/2026"}), (REOPEN, {}),
                       (MERGE, {"first": programme["maria"], "second": luca, "keep": luca})):
        assert client.post(path, data={"registration": luca, **data, "csrf_token": token}).status_code == 403, path
    assert events(db, luca) == [] and registration(db, programme["maria"]) is not None
    assert {r.action for r in audit_rows(db, operator_name="vera")} == {"login"}
    same_phone(db, programme)
    listing = client.get("/office/duplicates")
    assert listing.status_code == 200 and "Bianchi Luca" in listing.text and "duplicates/merge" not in listing.text
    confirm = client.get(f"{MERGE}?first={programme['maria']}&second={luca}")
    assert confirm.status_code == 200 and 'name="keep"' not in confirm.text and "merge-confirm" not in confirm.text


def test_posts_without_the_csrf_token_are_refused(client, programme, db):
    logged_in(client, "otto")
    luca = programme["luca"]
    for path, data in ((STEP, {"kind": "interviewed", "day": "20/11/2026"}), (REOPEN, {}),
                       (MERGE, {"first": programme["maria"], "second": luca, "keep": luca})):
        response = client.post(path, data={"registration": luca, **data})
        assert response.status_code == 403 and "Richiesta rifiutata" in response.text, path
    assert events(db, luca) == [] and registration(db, programme["maria"]) is not None


def test_duplicates_are_listed_hinted_and_merged_after_a_confirmation(client, programme, db):
    same_phone(db, programme)
    logged_in(client, "otto")
    maria, luca = programme["maria"], programme["luca"]
    listing = client.get("/office/duplicates").text
    assert "Rossi Maria (" in listing and "Bianchi Luca (" in listing and "Telefono" in listing
    hint = client.get(details(maria)).text
    assert 'id="duplicates-hint"' in hint and "Bianchi Luca" in hint

    confirm = client.get(f"{MERGE}?first={maria}&second={luca}")
    assert confirm.status_code == 200 and "maria.rossi@example.com" in confirm.text and "Imola" in confirm.text
    held = re.findall(r'<tr class="held"><th>(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', confirm.text)
    assert held == [("Canali di chat", "console", ""), ("Colloqui prenotati", "1", "0"),
                    ("Posti ai laboratori", "1", "0"), ("Passi del percorso", "0", "0")]
    assert registration(db, luca) is not None  # asking changed nothing

    token = csrf(client, f"{MERGE}?first={maria}&second={luca}")
    refused = client.post(MERGE, data={"first": maria, "second": luca, "csrf_token": token})
    assert refused.status_code == 400 and "Scegli l&#39;iscrizione che resta." in refused.text

    maria_code = registration(db, maria).code  # Luca's record stays; Maria's chat and bookings move to it
    response = client.post(MERGE, data={"first": maria, "second": luca, "keep": luca, "csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].endswith(details(luca))
    assert registration(db, maria) is None
    kept = registration(db, luca)
    assert (kept.code, kept.status, kept.email) == ("LB0002", "registered", "maria.rossi@example.com")
    with Session(db) as session:
        assert session.scalar(select(InterviewBooking.contact_id)) == kept.contact_id
        assert session.scalar(select(WorkshopRegistration.contact_id)) == kept.contact_id
        assert {i.contact_id for i in session.scalars(select(ChannelIdentity))} == {kept.contact_id}
    merged = audit_rows(db, action="merge")  # every change of the merge, and what it did
    [entry] = [a for a in merged if a.before == {"removed": maria_code}]
    assert entry.operator_name == "otto" and entry.row_id == str(luca)
    assert (entry.after["identities"], entry.after["bookings"], entry.after["seats"]) == (1, 1, 1)
    assert {a.table_name for a in merged} >= {"registration", "interview_booking", "workshop_registration",
                                              "channel_identity"}
    assert [a.row_id for a in audit_rows(db, action="delete", table_name="registration")] == [str(maria)]
    assert "Nessun possibile doppione." in client.get("/office/duplicates").text


def test_an_unrelated_pair_is_refused_unless_the_operator_confirms_naming_both(client, programme, db):
    """Maria and Luca share neither codice fiscale nor phone: a merge by URL is refused in Italian;
    the page asks for a confirmation naming both, and only that confirmation (for this pair) lets it through."""
    logged_in(client, "otto")
    maria, luca = programme["maria"], programme["luca"]
    codes = registration(db, maria).code, registration(db, luca).code
    page = html.unescape(client.get(f"{MERGE}?first={maria}&second={luca}").text)
    assert f"Confermo che Rossi Maria ({codes[0]}) e Bianchi Luca ({codes[1]}) sono la stessa persona." in page
    token = csrf(client, f"{MERGE}?first={maria}&second={luca}")
    for extra in ({}, {"same_person": "XX0001+XX0002"}, {"same_person": f"{codes[1]}+{codes[0]}x"}):
        refused = client.post(MERGE, data={"first": maria, "second": luca, "keep": luca, "csrf_token": token,
                                           **extra})
        assert refused.status_code == 400, extra
        assert "non hanno in comune né il codice fiscale né il telefono" in html.unescape(refused.text)
        assert registration(db, maria) is not None and registration(db, luca) is not None
    done = client.post(MERGE, data={"first": maria, "second": luca, "keep": luca, "csrf_token": token,
                                    "same_person": f"{codes[0]}+{codes[1]}"})
    assert done.status_code == 303 and registration(db, maria) is None


def test_merging_a_registration_with_itself_is_refused(client, programme, db):
    logged_in(client, "otto")
    maria = programme["maria"]
    token = csrf(client, f"{MERGE}?first={maria}&second={maria}")
    response = client.post(MERGE, data={"first": maria, "second": maria, "keep": maria, "csrf_token": token})
    assert response.status_code == 400 and 'id="merge-error"' in response.text
    assert registration(db, maria) is not None and audit_rows(db, action="merge") == []


def test_a_seat_freed_by_a_merge_goes_to_the_first_waiting_who_is_told(client, programme, db):
    """Maria and Luca (one person) both hold a seat at the workshop; Anna waits. After the merge
    one seat is enough: Anna gets the other, and the bot tells her through the outbox."""
    from store.models import Contact, OutboxMessage, WorkshopSession

    same_phone(db, programme)
    with Session(db) as session:
        luca = session.get(Registration, programme["luca"])
        anna = Contact(language="it")
        session.add(anna)
        session.flush()
        session.add(ChannelIdentity(contact_id=anna.id, scheme="telegram", external_id="4242"))
        workshop = session.get(WorkshopSession, programme["workshop"])
        workshop.capacity, workshop.registered = 2, 2
        session.add_all([WorkshopRegistration(session_id=workshop.id, contact_id=luca.contact_id),
                         WorkshopRegistration(session_id=workshop.id, contact_id=anna.id, status="waitlisted")])
        session.commit()
        anna_id = anna.id
    logged_in(client, "otto")
    maria, luca_id = programme["maria"], programme["luca"]
    token = csrf(client, f"{MERGE}?first={maria}&second={luca_id}")
    response = client.post(MERGE, data={"first": maria, "second": luca_id, "keep": luca_id, "csrf_token": token})
    assert response.status_code == 303
    with Session(db) as session:
        seats = {(s.contact_id, s.status) for s in session.scalars(select(WorkshopRegistration))}
        kept = session.get(Registration, luca_id).contact_id
        assert seats == {(kept, "cancelled"), (kept, "registered"), (anna_id, "registered")}
        [told] = session.scalars(select(OutboxMessage).where(OutboxMessage.contact_id == anna_id)).all()
        assert told.channel == "telegram" and told.idempotency_key.startswith("promotion:")
        assert "posto" in told.content["text"] or "seat" in told.content["text"]
