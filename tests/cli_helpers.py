"""The operators' command line in tests: the ``run`` fixture (import it into a test module)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot import cli
from tests.conftest import NOW


@pytest.fixture
def run(db_url, monkeypatch, capsys):
    """Run an operator command at NOW (wed 25 nov 2026, 11:00 in Rome); (exit status, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str, now: dt.datetime = NOW):
        status = cli.main(list(argv), now=now)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run
