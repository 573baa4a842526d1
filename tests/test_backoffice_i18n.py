"""The back office's Italian catalog: every string of sqladmin's templates and of ours is
translated, placeholders intact (python -m backoffice.catalog keeps it in step)."""
from __future__ import annotations

import re

from backoffice import catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_string_in_use_is_in_the_catalog_and_translated():
    italian = {m.id: m.string for m in catalog.catalog() if m.id}
    used = catalog.used_msgids()
    assert len(used) > 150
    assert sorted(str(m) for m in used - set(italian)) == [], "run python -m backoffice.catalog"
    assert [m for m in used if not italian[m]] == []
    assert not any(m.fuzzy for m in catalog.catalog() if m.id)


def test_placeholders_survive_translation():
    for message in catalog.catalog():
        if message.id:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_strings_of_our_code_and_templates_are_found():
    used = catalog.used_msgids()
    for msgid in ("Wrong username or password.", "Mark reviewed", "Registrations to review", "Login to %(title)s",
                  "The password needs at least 10 characters."):
        assert msgid in used, msgid
