"""Accessibility: axe-core on every page, in light and in dark mode.

axe-core (the engine behind Lighthouse's accessibility audit) comes bundled with
axe-playwright-python, so nothing is downloaded. Every dropdown and hidden cell is
opened first, as a reader opening the exam's answers would, so their contents are
checked too. A serious or critical violation fails the test, which names the rule, the
elements and axe's explanation.

Two economies keep the audit to seconds a page, without leaving anything unchecked:

* Light and dark pages have the same elements and differ only in colour, so dark mode
  is audited for the colour rules (contrast, links told apart from text) alone.
* Highlighted code is thousands of tokens in a dozen colours, and contrast is most of
  axe's time. Code gets the contrast check once for every distinct look of a token
  (colour, background, size, weight, the kind of cell around it); everything outside
  code, and every other rule inside it, is checked element by element.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import SETTLED, open_page, site_pages

BLOCKING = {"serious", "critical"}

OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
# Starts the audit (on a timer, so that light and dark run side by side) and leaves the
# violations' promise in window.dlgAxe. `colourOnly`: the dark page, where only colours
# differ from the light one. axe runs one audit at a time on a page, hence the awaits.
AUDIT = """colourOnly => { window.dlgAxe = new Promise(go => setTimeout(go, 0)).then(async () => {
    const only = rules => ({runOnly: rules, resultTypes: ['violations']});
    const allBut = rule => ({rules: {[rule]: {enabled: false}}, resultTypes: ['violations']});
    const looks = new Map();
    const ownText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
    for (const token of document.querySelectorAll('.highlight pre, .highlight pre span')) {
        if (!ownText(token)) continue;  // e.g. outputs: text right in the <pre>
        const own = getComputedStyle(token), pre = getComputedStyle(token.closest('pre'));
        const box = token.closest('.highlight'), around = box.parentElement.closest(
            '.cell_input, .cell_output, details, aside, .admonition, section');
        const look = [own.color, own.backgroundColor, own.fontSize, own.fontWeight,
            own.opacity, pre.backgroundColor, getComputedStyle(box).backgroundColor,
            around ? around.className : ''].join('|');
        if (!looks.has(look)) looks.set(look, token);
    }
    const code = document.querySelector('.highlight pre') ? [['.highlight pre']] : [];
    const found = [];
    // Outside code: every rule (dark: the colour rules), element by element.
    found.push(await axe.run({exclude: code},
        colourOnly ? only(['color-contrast', 'link-in-text-block'])
                   : {resultTypes: ['violations']}));
    // Code: contrast once per look; the other rules (light only) on every element.
    if (looks.size) found.push(await axe.run({include: [...looks.values()]},
        only(['color-contrast'])));
    if (code.length && !colourOnly)
        found.push(await axe.run({include: code}, allBut('color-contrast')));
    return found.flatMap(r => r.violations);
}); }"""


def describe(violation: dict) -> str:
    nodes = violation["nodes"]
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']} "
             f"[{len(nodes)} element(s)]"]
    for node in nodes[:3]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", site_pages())
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
            page.evaluate(AUDIT, dark)
        problems = []
        for _, page, mode in runs:
            violations = page.evaluate("() => window.dlgAxe")
            problems += [f"[{mode}] {describe(v)}" for v in violations
                         if v["impact"] in BLOCKING]
        assert not problems, f"{name}.html:\n" + "\n".join(problems)
    finally:
        for ctx, _, _ in runs:
            ctx.close()
