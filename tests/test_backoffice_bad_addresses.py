"""Wrong addresses typed or pasted by an operator get the office's Italian error page with a way
back, never a server error (issue 13's hardening)."""
from __future__ import annotations

import pytest

from tests.office_support import client, fast_hashes, logged_in, office, office_accounts  # noqa: F401

WRONG = [
    ("/office/registration/details/1'", 404),
    ("/office/registration/details/99999999999999999999", 404),
    ("/office/registration/edit/99999999999999999999", 404),
    ("/office/office-audit/details/..%2f1", 404),
    ("/office/agenda?day=9999-12-31", 400),
    ("/office/agenda?day=9999-12-31&span=week", 400),
    ("/office/agenda?day=0001-01-01", 400),
    ("/office/agenda?day=0001-01-01&span=week", 400),
]


@pytest.mark.both_databases
@pytest.mark.parametrize("address, status", WRONG)
def test_a_wrong_address_gets_the_offices_page_not_a_server_error(client, address, status):
    logged_in(client, "otto")
    response = client.get(address)
    assert response.status_code == status, response.text[:300]
    assert 'id="error-page"' in response.text and "Torna al back office" in response.text
    assert "Traceback" not in response.text
    said = "Questo indirizzo non è valido." if status == 400 else "Questa pagina non esiste."
    assert said in response.text
