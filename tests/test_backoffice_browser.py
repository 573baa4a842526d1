"""The back office in a real browser (Debian's chromium, headless): log in, the queue, a
registration's answers, an edit and its history; a wrong password says so."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import (PASSWORDS, audit_rows, fast_hashes, office, office_accounts,  # noqa: F401
                                  programme, registration)


def log_in(page, served, username: str, password: str | None = None) -> None:
    page.goto(served + "/office/")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(password or PASSWORDS[username])
    page.get_by_role("button", name="Accedi").click()


def test_a_wrong_password_says_so_clearly(page, served):
    log_in(page, served, "otto", "not-the-password")
    expect(page.locator("#login-error")).to_have_text("Nome utente o password non corretti.")
    expect(page).to_have_url(re.compile(r"/office/login$"))


def test_an_operator_reviews_and_edits_a_registration_and_sees_the_history(page, served, programme, db):
    log_in(page, served, "otto")
    expect(page.locator("#count-new")).to_have_text("1")
    page.get_by_role("link", name="Apri la coda").click()
    expect(page.get_by_role("cell", name="Rossi")).to_be_visible()
    expect(page.get_by_role("cell", name="Bianchi")).to_have_count(0)  # the queue: only new ones

    maria = registration(db, programme["maria"])
    page.goto(f"{served}/office/registration/details/{maria.id}")
    expect(page.get_by_role("cell", name=maria.tax_code)).to_be_visible()
    expect(page.get_by_role("cell", name="05/03/1990")).to_be_visible()

    page.goto(f"{served}/office/registration/edit/{maria.id}")
    expect(page.get_by_label("Data di nascita")).to_have_value("05/03/1990")
    page.get_by_label("Telefono").fill("333 444 5555")
    page.get_by_role("button", name="Salva", exact=True).click()
    expect(page).to_have_url(re.compile(r"/office/registration/list"))
    assert registration(db, maria.id).phone == "+393334445555"

    page.goto(f"{served}/office/registration/details/{maria.id}")
    history = page.locator("#history")
    expect(history).to_contain_text("otto")
    expect(history).to_contain_text("Telefono: +393471234567")  # before
    expect(history).to_contain_text("Telefono: +393334445555")  # after
    [entry] = audit_rows(db, table_name="registration")
    assert entry.before == {"phone": "+393471234567"} and entry.after == {"phone": "+393334445555"}


def test_mark_reviewed_from_the_list_with_its_confirmation(page, served, programme, db):
    log_in(page, served, "otto")
    page.goto(f"{served}/office/registration/list?status=new")
    page.locator(".select-box").first.check()
    page.get_by_role("button", name="Azioni").click()
    page.get_by_role("link", name="Segna come verificata").click()
    expect(page.locator("#action-rows")).to_contain_text("Rossi")
    page.get_by_role("button", name="Conferma").click()
    expect(page).to_have_url(re.compile(r"/office/registration/list"))
    assert registration(db, programme["maria"]).status == "registered"
    assert [e.action for e in audit_rows(db, table_name="registration")] == ["mark_reviewed"]
