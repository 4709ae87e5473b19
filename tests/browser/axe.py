"""axe-core in the page: fail on serious or critical findings.

axe.min.js comes from the ``axe-playwright-python`` package (a test extra), which bundles
it; only the file is used. It is evaluated through the DevTools protocol, which the pages'
strict CSP does not stop (a <script> tag would be refused).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from playwright.sync_api import Page

AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
FAILING = ("serious", "critical")
# Off by default in axe (tagged experimental), but Lighthouse and voice control users care:
# a control's accessible name must contain the text it shows.
OPTIONS: dict[str, Any] = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


def findings(page: Page) -> list[dict[str, Any]]:
    """Serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("options => window.axe.run(document, options)", OPTIONS)
    return [v for v in result["violations"] if v["impact"] in FAILING]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodes]")
        for node in v["nodes"][:4]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'][:300]}")
    return "\n".join(lines)
