"""Operator accounts in the back office (admins only): a new account's password is shown once,
a reset gives a new one and ends the account's sessions, nobody locks themselves out."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import OfficeOperator
from tests.office_support import (logout, TestClient, audit_rows, client, csrf, fast_hashes, logged_in,  # noqa: F401
                                  login, office, office_accounts)

SECRET = re.compile(r'id="secret-value">([^<]+)<|value="([A-Za-z0-9_-]{16})"')


def operator(db, username: str) -> OfficeOperator | None:
    with Session(db) as session:
        return session.scalar(select(OfficeOperator).where(OfficeOperator.username == username))


def test_an_admin_creates_an_account_and_sees_its_password_once(client, db):
    logged_in(client, "anna")
    token = csrf(client, "/office/office-operator/create")
    response = client.post("/office/office-operator/create", data={
        "username": "Paola", "full_name": "Paola Verdi", "role": "operator", "save": "Salva", "csrf_token": token})
    assert response.status_code == 200 and response.headers["cache-control"].startswith("no-store")
    password = next(g for g in SECRET.search(response.text).groups() if g)
    created = operator(db, "paola")
    assert created.role == "operator" and created.full_name == "Paola Verdi" and password not in created.password_hash
    [entry] = audit_rows(db, table_name="office_operator", action="create")
    assert entry.operator_name == "anna" and entry.after["username"] == "paola"
    assert entry.after["password_hash"] == "***"  # never a hash in the log
    logout(client)
    assert login(client, "paola", password).status_code == 302


def test_a_taken_or_bad_username_is_refused(client, db):
    logged_in(client, "anna")
    token = csrf(client, "/office/office-operator/create")
    for name in ("otto", "Otto", "has space", "x" * 61):
        response = client.post("/office/office-operator/create", data={
            "username": name, "full_name": "", "role": "viewer", "save": "Salva", "csrf_token": token})
        assert response.status_code == 400, name
    with Session(db) as session:
        assert len(session.scalars(select(OfficeOperator)).all()) == 3


def test_a_reset_gives_a_new_password_and_ends_the_accounts_sessions(office, db, office_accounts):
    with TestClient(office.app, follow_redirects=False) as admin, TestClient(office.app, follow_redirects=False) as otto:
        logged_in(otto, "otto")
        logged_in(admin, "anna")
        url = f"/office/office-operator/action/reset-password?pks={office_accounts['otto']}"
        assert "otto" in admin.get(url).text
        response = admin.post(url, data={"csrf_token": csrf(admin, url)})
        assert response.status_code == 200 and response.headers["cache-control"].startswith("no-store")
        password = SECRET.search(response.text).group(1)
        assert otto.get("/office/").status_code == 302  # out
        assert login(otto, "otto").status_code == 400  # the old password no longer works
        assert login(otto, "otto", password).status_code == 302
        assert [e.action for e in audit_rows(db, table_name="office_operator", row_id=str(office_accounts["otto"]))
                if e.action.startswith("password")] == ["password_reset"]


def test_deactivating_an_account_ends_its_sessions_and_is_audited(office, db, office_accounts):
    with TestClient(office.app, follow_redirects=False) as admin, TestClient(office.app, follow_redirects=False) as vera:
        logged_in(vera, "vera")
        logged_in(admin, "anna")
        url = f"/office/office-operator/edit/{office_accounts['vera']}"
        response = admin.post(url, data={"full_name": "Vera", "role": "viewer", "save": "Salva",
                                         "csrf_token": csrf(admin, url)})  # "active" unticked
        assert response.status_code == 302
        assert operator(db, "vera").active is False
        assert vera.get("/office/").status_code == 302
        [entry] = audit_rows(db, table_name="office_operator", action="update")
        assert entry.before == {"active": True} and entry.after == {"active": False}


def test_an_admin_cannot_demote_or_deactivate_themselves(client, db, office_accounts):
    logged_in(client, "anna")
    url = f"/office/office-operator/edit/{office_accounts['anna']}"
    token = csrf(client, url)
    for data in ({"full_name": "Anna", "role": "viewer", "active": "y"}, {"full_name": "Anna", "role": "admin"}):
        response = client.post(url, data={**data, "save": "Salva", "csrf_token": token})
        assert response.status_code == 400 and "Non puoi toglierti" in response.text
    anna = operator(db, "anna")
    assert anna.role == "admin" and anna.active
