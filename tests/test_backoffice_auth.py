"""Back office accounts and safety: login and logout, sessions, CSRF, throttling, cookies."""
from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from services.office import accounts, passwords
from backoffice.app import create_app
from backoffice.settings import OfficeSettings
from store.models import OfficeOperator, OfficeSecret
from tests.conftest import NOW
from tests.office_support import (logout, PASSWORDS, TestClient, audit_rows, client, csrf, fast_hashes,  # noqa: F401
                                  logged_in, login, office, office_accounts)


def test_production_hashes_are_argon2id_with_the_library_defaults():
    hashed = PasswordHasher().hash("x" * 12)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords._hasher.time_cost == 3 and passwords._hasher.memory_cost == 65536


def test_first_start_with_no_account_creates_an_admin_and_prints_its_password_once(db, fast_hashes):
    announced = []
    app = create_app(db, announce=announced.append, settings=OfficeSettings(secret_key="k" * 40))
    with TestClient(app, follow_redirects=False) as http:
        [message] = announced
        password = re.search(r"password:\s+(\S+)", message).group(1)
        assert "admin" in message and len(password) >= 16
        assert login(http, "admin", password).status_code == 302
    with TestClient(create_app(db, announce=announced.append), follow_redirects=False):
        assert len(announced) == 1  # accounts exist: nothing created, nothing printed
    with Session(db) as session:
        [admin] = session.query(OfficeOperator).all()
        assert admin.role == "admin" and password not in admin.password_hash


def test_create_admin_refuses_a_taken_name_and_a_short_password(db, fast_hashes):
    with Session(db) as session:
        accounts.create_operator(session, username="Anna ", role="admin", now=NOW)
        with pytest.raises(accounts.AccountError):
            accounts.create_operator(session, username="anna", role="viewer", now=NOW)
        with pytest.raises(accounts.AccountError):
            accounts.create_operator(session, username="bob", role="viewer", now=NOW, password="short")
        with pytest.raises(accounts.AccountError):
            accounts.create_operator(session, username="bob", role="boss", now=NOW)


def test_a_wrong_password_shows_a_clear_message_and_no_session(client):
    response = login(client, "otto", "wrong-password")
    assert response.status_code == 400
    assert "Nome utente o password non corretti." in response.text
    assert client.get("/office/").status_code == 302


def test_unknown_user_and_wrong_password_read_the_same(client):
    unknown, wrong = login(client, "nobody", "whatever-pw"), login(client, "otto", "whatever-pw")
    assert unknown.status_code == wrong.status_code == 400
    strip = lambda text: re.sub(r'value="[^"]*"', "", text)  # noqa: E731  (the typed name and the token)
    assert strip(unknown.text) == strip(wrong.text)


def test_login_opens_a_session_and_logout_ends_it_even_for_a_copied_cookie(client, db):
    logged_in(client, "otto")
    assert client.get("/office/registration/list").status_code == 200
    copied = dict(client.cookies)
    assert logout(client).headers["location"].endswith("/office/login")
    assert client.get("/office/registration/list").status_code == 302
    client.cookies.clear()
    client.cookies.update(copied)  # the cookie from before the logout: its session is gone
    assert client.get("/office/registration/list").status_code == 302
    assert [r.action for r in audit_rows(db, operator_name="otto")] == ["login", "logout"]


def test_the_session_cookie_is_httponly_samesite_lax_and_scoped_to_the_office(client):
    cookie = client.get("/office/login").headers["set-cookie"]
    assert "office_session=" in cookie
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "path=/office" in cookie
    assert "secure" not in cookie.lower()  # plain http on 127.0.0.1
    assert "max-age" not in cookie.lower()  # ends with the browser; idle sessions end on the server


def test_over_https_every_cookie_is_secure(office):
    with TestClient(office.app, base_url="https://office.example.org", follow_redirects=False) as http:
        cookie = http.get("/office/login").headers["set-cookie"]
        assert cookie.endswith("; Secure")
        assert "; Secure" in http.get("/office/login?lang=en").headers["set-cookie"]


def test_pages_are_not_cached_and_cannot_be_framed(client):
    logged_in(client, "otto")
    response = client.get("/office/registration/list")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_post_without_the_sessions_csrf_token_is_refused(client, token):
    client.get("/office/login")
    data = {"username": "otto", "password": PASSWORDS["otto"]}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/office/login", data=data)
    assert response.status_code == 403 and "Richiesta rifiutata" in response.text
    assert client.get("/office/").status_code == 302  # not logged in


def test_a_token_from_another_session_is_refused(office):
    with TestClient(office.app, follow_redirects=False) as first, TestClient(office.app, follow_redirects=False) as other:
        token = csrf(first)
        csrf(other)
        response = other.post("/office/login", data={"username": "otto", "password": PASSWORDS["otto"],
                                                     "csrf_token": token})
        assert response.status_code == 403


def test_the_token_also_works_as_a_header_and_on_multipart_forms(client):
    token = csrf(client)
    response = client.post("/office/login", files={"username": (None, "otto"), "password": (None, PASSWORDS["otto"]),
                                                   "csrf_token": (None, token)})
    assert response.status_code == 302
    token = csrf(client, "/office/")  # a new session at login: a new token
    response = client.post("/office/password", data={"current": "x", "new": "y" * 10, "again": "z" * 10},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 400 and "Le due nuove password non coincidono." in response.text


def test_five_failures_then_a_growing_wait_even_with_the_right_password(client, office):
    for _ in range(5):
        assert login(client, "otto", "wrong-password").status_code == 400
    throttled = login(client, "otto")
    assert throttled.status_code == 429 and "Troppi tentativi non riusciti. Riprova tra 31 secondi." in throttled.text
    office.clock.advance(seconds=31)
    assert login(client, "otto", "wrong-password").status_code == 400  # the 6th failure: now a minute
    office.clock.advance(seconds=31)
    assert login(client, "otto").status_code == 429
    office.clock.advance(seconds=30)
    assert login(client, "otto").status_code == 302  # the wait is over; the success clears the account
    logout(client)
    assert login(client, "otto", "wrong-password").status_code == 400


def test_a_locked_account_does_not_lock_the_others(client):
    for _ in range(5):
        login(client, "otto", "wrong-password")
    assert login(client, "otto").status_code == 429
    assert login(client, "vera").status_code == 302


def test_one_address_trying_many_names_is_throttled_too(client):
    for number in range(20):
        assert login(client, f"guess{number}", "wrong-password").status_code == 400
    assert login(client, "vera").status_code == 429  # the address waits, whatever the name


def test_an_idle_session_ends(client, office):
    logged_in(client, "otto")
    office.clock.advance(hours=7, minutes=59)
    assert client.get("/office/").status_code == 200
    office.clock.advance(hours=8, minutes=1)
    assert client.get("/office/").status_code == 302


def test_a_deactivated_account_is_out_at_once(client, db, office_accounts):
    logged_in(client, "otto")
    with Session(db) as session:
        session.get(OfficeOperator, office_accounts["otto"]).active = False
        session.commit()
    assert client.get("/office/").status_code == 302
    assert login(client, "otto").status_code == 400


def test_changing_ones_password_ends_the_other_sessions(office):
    with TestClient(office.app, follow_redirects=False) as here, TestClient(office.app, follow_redirects=False) as there:
        logged_in(here, "vera")
        logged_in(there, "vera")
        token = csrf(here, "/office/password")
        response = here.post("/office/password", data={"current": PASSWORDS["vera"], "new": "a-new-password",
                                                       "again": "a-new-password", "csrf_token": token})
        assert response.status_code == 303
        assert here.get("/office/").status_code == 200  # this browser stays in
        assert there.get("/office/").status_code == 302  # the other one is out
        logout(here)
        assert login(here, "vera").status_code == 400
        assert login(here, "vera", "a-new-password").status_code == 302


def test_the_signing_key_is_generated_once_and_shared(db, office_accounts):
    first = create_app(db, settings=OfficeSettings())
    second = create_app(db, settings=OfficeSettings())
    with Session(db) as session:
        [secret] = session.query(OfficeSecret).all()
    with TestClient(first, follow_redirects=False) as a, TestClient(second, follow_redirects=False) as b:
        logged_in(a, "otto")
        b.cookies.update(dict(a.cookies))
        assert b.get("/office/").status_code == 200  # the other process reads the same cookie
    assert len(secret.value) >= 40


def test_logout_is_a_post_with_the_csrf_token_never_a_link(client, db):
    """A cross-site page could log the operator out with a GET link or a form without the token."""
    logged_in(client, "otto")
    page = client.get("/office/").text
    assert 'id="logout-form"' in page and 'method="POST"' in page
    assert client.get("/office/logout").status_code == 405
    assert client.post("/office/logout", data={}).status_code == 403
    assert client.get("/office/registration/list").status_code == 200  # still logged in
    assert logout(client).status_code == 302
    assert client.get("/office/registration/list").status_code == 302
