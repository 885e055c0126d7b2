"""Accessibility: axe-core on every page, in light and in dark mode.

axe-core (the engine behind Lighthouse's accessibility audit) comes bundled with
axe-playwright-python, so nothing is downloaded. Every dropdown and hidden cell is
opened first, as a reader opening the exam's answers would, so their contents are
checked too. A serious or critical violation fails the test, which names the rule, the
elements and axe's explanation.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import chapter_names, open_page

PAGES = ["index", *chapter_names(), "exam", "checklist", "glossary", "genindex", "search"]
BLOCKING = {"serious", "critical"}

OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# Opened dropdowns fade in and the dark theme fades its colours: axe must measure the
# settled page, not half-faded text. Waits for every finite animation and transition.
SETTLED = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


def describe(violation: dict) -> str:
    nodes = violation["nodes"]
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']} "
             f"[{len(nodes)} element(s)]"]
    for node in nodes[:3]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(browser, server, name):
    axe = Axe()
    runs = []
    try:
        for dark in (False, True):
            ctx, page, _ = open_page(browser, server, name, dark=dark)
            runs.append((ctx, page, "dark" if dark else "light"))
            page.evaluate(OPEN_ALL)
            page.evaluate(SETTLED)
            page.evaluate(axe.axe_script)
            # Start the run on a timer and return at once, so that light and dark are
            # checked side by side (axe's colour-contrast rule is most of the time).
            page.evaluate("() => { window.dlgAxe = new Promise(go => setTimeout(go, 0))"
                          ".then(() => axe.run(document, {resultTypes: ['violations']})); }")
        problems = []
        for _, page, mode in runs:
            violations = page.evaluate("() => window.dlgAxe.then(r => r.violations)")
            problems += [f"[{mode}] {describe(v)}" for v in violations
                         if v["impact"] in BLOCKING]
        assert not problems, f"{name}.html:\n" + "\n".join(problems)
    finally:
        for ctx, _, _ in runs:
            ctx.close()
