"""The registrations' list in a real browser: at 1280x800 every column is seen without scrolling
(the filters go under the list below 1400 px) and nothing overflows the window; on a phone the
table scrolls sideways in its own box, which the keyboard reaches; the search box says what it
searches."""
from __future__ import annotations

import pytest

from tests.axe import SIZES
from tests.browser import browser, page, served  # noqa: F401  (fixtures)
from tests.office_support import fast_hashes, office, office_accounts, programme  # noqa: F401
from tests.test_backoffice_browser import log_in

MEASURE = """() => {
    const box = document.querySelector('.table-responsive');
    const edge = box.getBoundingClientRect();
    return {page: document.documentElement.scrollWidth, window: window.innerWidth,
            box: {left: edge.left, right: edge.right, scroll: box.scrollWidth, client: box.clientWidth,
                  tabindex: box.getAttribute('tabindex')},
            headers: [...document.querySelectorAll('.table-responsive thead th')].map(th => {
                const r = th.getBoundingClientRect();
                return {text: th.textContent.trim(), left: r.left, right: r.right};
            })};
}"""
COLUMNS = ["Codice", "Iscritta il", "Stato", "Cognome", "Nome", "Comune", "Telefono", "Lingua"]


@pytest.mark.parametrize("size", SIZES)
def test_the_list_fits_or_scrolls_in_its_own_box(page, served, programme, size):
    page.set_viewport_size(SIZES[size])
    log_in(page, served, "otto")
    page.wait_for_url("**/office/")
    page.goto(served + "/office/registration/list")
    search = page.locator("#search-input")
    assert search.get_attribute("placeholder") == "Cerca per nome, codice, codice fiscale o telefono"
    found = page.evaluate(MEASURE)
    assert found["page"] <= found["window"], "the page overflows the window sideways"
    assert [h["text"] for h in found["headers"] if h["text"]] == COLUMNS
    if size == "desktop":
        for header in found["headers"]:
            assert found["box"]["left"] - 1 <= header["left"] and header["right"] <= found["box"]["right"] + 1, \
                f"column {header['text']!r} is cut off at 1280 px"
        assert found["box"]["scroll"] <= found["box"]["client"] + 1
    else:  # a deliberate scroll box, reachable from the keyboard
        assert found["box"]["right"] <= found["window"] and found["box"]["tabindex"] == "0"
