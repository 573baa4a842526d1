"""Accessibility checks in the browser tests: axe-core (vendored in tests/vendor/axe-core, see its
README) injected into a Playwright page, and its violations of a given impact reported in words a
person can act on (rule, impact, the elements, axe's own summary).

    from tests.axe import assert_accessible
    assert_accessible(page)                 # no critical and no serious violation

Used by the back office's browser tests and the web chat's."""
from __future__ import annotations

from pathlib import Path

VERSION = "4.14.1"
SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def violations(page, impacts=BLOCKING) -> list[dict]:
    """axe's violations of these impacts on the page as it is now (WCAG 2.x A and AA rules and
    axe's best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated by the browser's debugging protocol, not as a <script> tag: the pages'
        # Content-Security-Policy refuses inline script, and must stay as it is for the check
        page.evaluate(SCRIPT.read_text("utf-8"))
    found = page.evaluate("""async () => {
        const result = await window.axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""")
    return [v for v in found if v["impact"] in impacts]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {' '.join((node['summary'] or '').split())[:300]}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "", impacts=BLOCKING) -> None:
    found = violations(page, impacts)
    assert not found, f"axe-core {VERSION} on {where or page.url}:\n{describe(found)}"
