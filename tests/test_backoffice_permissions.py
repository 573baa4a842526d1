"""Every route of the back office, for every role: anonymous visitors are sent to the login page
and read no personal data; viewers change nothing; operators do their work but not the admins'.
The routes are read from the application itself, so a new page or action is covered at once."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqladmin import ModelView
from starlette.routing import Mount

from backoffice.roles import ACTING_PAGES, DATA, PAGES
from tests.office_support import (PERSONAL, audit_rows, client, csrf, fast_hashes, logged_in,  # noqa: F401
                                  office, office_accounts, programme)

SKIP = {"statics", "login", "logout"}
TABLES = ("registration", "interview_slot", "interview_booking", "workshop_session", "workshop_registration",
          "broadcast", "office_operator")


def every_request(app, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(method, path, what) for each route, model view and action of the back office."""
    admin = app.state.office
    models = [v for v in admin.views if isinstance(v, ModelView)]
    found = []
    for route in admin.admin.routes:
        if isinstance(route, Mount) or route.name in SKIP:
            continue
        methods = sorted(route.methods - {"HEAD"})
        views = [v for v in models if "{identity}" in route.path or route.path.startswith(f"/{v.identity}/")]
        for view in views if ("{identity}" in route.path or views) else [None]:
            path = route.path
            if view is not None:
                pk = ids[view.identity]
                path = (path.replace("{identity}", view.identity).replace("{pk:path}", str(pk))
                        .replace("{export_type}", "csv").replace("{column_name}", "code"))
                if "/action/" in path or path.endswith("/delete"):
                    path += f"?pks={pk}"
                if path.endswith("/ajax/lookup"):
                    path += "?name=x&term=a"
            found += [(method, "/office" + path, route.name) for method in methods]
    return found


@pytest.fixture
def ids(programme, office_accounts, db) -> dict[str, int]:
    with db.begin() as connection:
        connection.execute(text("INSERT INTO office_audit (at, operator_name, action, table_name) "
                                "VALUES ('2026-11-25 09:00:00', 'anna', 'update', 'registration')"))
        audit_id = connection.execute(text("SELECT max(id) FROM office_audit")).scalar()
        connection.execute(text("INSERT INTO inbox_canned_reply (language, title, text, updated_at) "
                                "VALUES ('it', 'Orari', 'Siamo aperti dal lunedì al venerdì.', '2026-11-25 09:00:00')"))
        canned_id = connection.execute(text("SELECT max(id) FROM inbox_canned_reply")).scalar()
    return {"registration": programme["maria"], "interview-slot": programme["slot"],
            "interview-booking": programme["booking"], "workshop-session": programme["workshop"],
            "workshop-registration": programme["seat"], "broadcast": programme["broadcast"],
            "office-audit": audit_id, "office-operator": office_accounts["otto"], "inbox-canned-reply": canned_id}


def snapshot(db) -> dict[str, list]:
    with db.connect() as connection:
        return {t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in TABLES}


def send(http, method: str, path: str, token: str | None):
    headers = {"X-CSRF-Token": token} if token and method != "GET" else {}
    return http.request(method, path, headers=headers)


def test_the_route_list_covers_every_view_and_action(office, ids):
    found = every_request(office.app, ids)
    paths = {path for _method, path, _name in found}
    assert len(found) > 100
    for identity in ids:
        assert f"/office/{identity}/list" in paths
    assert ("POST", f"/office/registration/action/mark-reviewed?pks={ids['registration']}", "action-registration-mark-reviewed") in found
    assert ("POST", "/office/password", "view-password") in found


def test_anonymous_visitors_are_sent_to_the_login_and_read_no_personal_data(client, office, ids, db):
    before = snapshot(db)
    token = csrf(client)  # even with the session's CSRF token, nothing is done without a login
    for method, path, name in every_request(office.app, ids):
        response = send(client, method, path, token)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.headers["location"].endswith("/office/login"), (method, path)
        assert not any(value in response.text for value in PERSONAL), (method, path)
    assert snapshot(db) == before
    login_page = client.get("/office/login").text
    assert not any(value in login_page for value in PERSONAL)


def allowed(role: str, method: str, path: str, name: str) -> bool:
    """What each role may open; everything else must answer 403."""
    identity = path.split("/")[2].split("?")[0]
    if name in ("index", "view-password"):
        return True
    if role == "admin":
        return True
    reading = name in ("list", "details") and method == "GET"
    if identity in PAGES:  # the agenda's own pages: everyone reads them, operators act on them
        return method == "GET" or role == "operator"
    if identity in ACTING_PAGES:  # the import: operators only
        return role == "operator"
    if role == "viewer":
        return reading and identity in DATA
    if identity in DATA and (reading or name == "export"):
        return True
    if identity == "registration" and name in ("edit", "ajax_lookup", "action-registration-mark-reviewed"):
        return True
    return identity == "office-audit" and reading


@pytest.mark.parametrize("role", ["vera", "otto"])
def test_each_role_reaches_only_its_pages_and_actions(client, office, ids, db, role):
    logged_in(client, role)
    token = csrf(client, "/office/")
    before = snapshot(db)
    refused = []
    for method, path, name in every_request(office.app, ids):
        if name == "file_download" or name == "file_preview":
            continue  # no file columns: checked below
        response = send(client, method, path, token)
        role_name = {"vera": "viewer", "otto": "operator"}[role]
        if allowed(role_name, method, path, name):
            assert response.status_code not in (302, 403), (method, path, response.status_code)
        else:
            assert response.status_code == 403, (method, path, response.status_code)
            refused.append((method, path))
    assert refused
    if role == "vera":
        assert snapshot(db) == before  # a viewer changed nothing, whatever was tried
        assert {r.action for r in audit_rows(db, operator_name="vera")} == {"login"}


@pytest.mark.parametrize("role", ["vera", "otto"])
def test_file_routes_are_refused_or_absent(client, office, ids, role):
    logged_in(client, role)
    for method, path, name in every_request(office.app, ids):
        if name in ("file_download", "file_preview"):
            assert client.request(method, path).status_code in (403, 404, 400), path


def test_the_menu_shows_each_role_its_own_views(client, office, ids):
    logged_in(client, "vera")
    home = client.get("/office/").text
    assert "/office/registration/list" in home and "/office/office-operator/list" not in home
    assert "/office/office-audit/list" not in home
    client.get("/office/logout")
    logged_in(client, "otto")
    home = client.get("/office/").text
    assert "/office/office-audit/list" in home and "/office/office-operator/list" not in home
    client.get("/office/logout")
    logged_in(client, "anna")
    assert "/office/office-operator/list" in client.get("/office/").text


def test_a_viewer_sees_no_edit_or_action_buttons(client, ids):
    logged_in(client, "vera")
    page = client.get(f"/office/registration/details/{ids['registration']}").text
    assert "Rossi" in page
    assert "/edit/" not in page and "mark-reviewed" not in page
    listing = client.get("/office/registration/list").text
    assert "mark-reviewed" not in listing and "/export/" not in listing


def test_an_operator_sees_edit_and_mark_reviewed(client, ids):
    logged_in(client, "otto")
    page = client.get(f"/office/registration/details/{ids['registration']}").text
    assert f"/office/registration/edit/{ids['registration']}" in page and "mark-reviewed" in page
    assert re.search(r"Segna come verificata", page)
