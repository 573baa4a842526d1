"""The back office under its Content-Security-Policy (backoffice/security.py), in Debian's chromium:
sqladmin's own pages (list, details, forms, the password pop-up) and the office's pages work with no
inline script, and the browser reports no violation of the policy on any of them."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conversations.i18n import TIMEZONE
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.conftest import NOW
from tests.office_support import fast_hashes, office, office_accounts, programme  # noqa: F401
from tests.test_backoffice_browser import log_in

# Every violation the page sees, inline or not (an init script is the browser's own: no CSP applies).
LISTEN = """document.addEventListener('securitypolicyviolation', function (event) {
  (window.__violations = window.__violations || []).push(event.violatedDirective + ' ' + event.blockedURI);
});"""


@pytest.fixture
def watched(page):
    """The page, and the list of CSP violations and script errors it meets."""
    problems: list[str] = []
    page.context.add_init_script(LISTEN)
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return page, problems


def _violations(page) -> list[str]:
    return page.evaluate("() => window.__violations || []")


def test_every_office_page_has_the_policy_and_none_breaks_it(watched, served, programme):
    page, problems = watched
    answer = page.goto(served + "/office/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and answer.headers["x-content-type-options"] == "nosniff"
    log_in(page, served, "anna")
    page.wait_for_url("**/office/")
    day = (NOW + dt.timedelta(days=2)).astimezone(TIMEZONE).date().isoformat()
    for path in ("/office/", "/office/registration/list", f"/office/registration/details/{programme['maria']}",
                 f"/office/registration/edit/{programme['maria']}", "/office/office-operator/create",
                 "/office/dashboard", f"/office/agenda?day={day}&span=day", "/office/broadcasts/new",
                 "/office/import", "/office/office-audit/list",
                 f"/office/workshop-attendance?session={programme['workshop']}"):
        answer = page.goto(served + path)
        assert answer.status == 200 and answer.headers["content-security-policy"] == policy, path
        assert _violations(page) == [], path
    assert problems == []


def test_sqladmin_scripts_work_under_the_policy(watched, served, programme):
    """sqladmin's list search, the password pop-up shown once with its copy button, the
    office's confirmation before cancelling, and the broadcast's live count (a fetch with the
    CSRF token): each needs its script, which an inline one would have lost."""
    page, problems = watched
    log_in(page, served, "anna")
    page.wait_for_url("**/office/")
    # sqladmin's list: its search is a script of sqladmin's (statics/js/main.js)
    page.goto(served + "/office/registration/list")
    page.locator("#search-input").fill("Rossi")
    page.locator("#search-button").click()
    expect(page).to_have_url(re.compile(r"search=Rossi"))
    expect(page.locator("table tbody tr")).to_have_count(1)
    # a form of sqladmin's: the new account's password in the pop-up
    page.goto(served + "/office/office-operator/create")
    page.get_by_label("Nome utente").fill("paola")
    page.locator("input[name=full_name]").fill("Paola Verdi")
    page.get_by_role("button", name="Salva", exact=True).click()
    expect(page.locator("#modal-secret")).to_be_visible()
    assert len(page.locator("#modal-secret-value").input_value()) >= 12
    page.locator("#modal-secret-copy").click()
    next_url = page.locator("#modal-secret").get_attribute("data-next-url")
    page.locator("#modal-secret").get_by_role("button", name="Fatto").click()
    assert next_url
    page.wait_for_url(next_url)  # closed, the pop-up goes on to the page sqladmin names
    expect(page.locator("#modal-secret")).to_have_count(0)
    # the agenda's cancel asks first; saying no cancels nothing
    day = (NOW + dt.timedelta(days=2)).astimezone(TIMEZONE).date().isoformat()
    page.goto(served + f"/office/agenda?day={day}&span=day")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=re.compile("Annulla")).first.click()
    assert asked and "Annullare" in asked[0]
    expect(page).to_have_url(re.compile(r"/office/agenda\?day="))
    # the broadcast's live count, asked by script as the audience changes
    page.goto(served + "/office/broadcasts/new")
    before = page.locator("#audience-count").text_content()
    page.locator("#audience select, #audience input").first.dispatch_event("change")
    expect(page.locator("#audience-count")).not_to_have_text(before)
    assert _violations(page) == [] and problems == []
