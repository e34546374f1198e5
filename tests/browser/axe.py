"""Accessibility checks with axe-core: tests/browser/vendor/axe.min.js, built by make frontend."""

from pathlib import Path

from tests.browser.reflow import assert_reflows

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, *, selector=None):
    """axe-core's violations of WCAG 2.2 A and AA on the page as it is now, or within `selector`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools rather than added as a <script>, which the page's
        # Content-Security-Policy rightly refuses.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        """async ([selector, tags]) => {
            const context = selector === null ? document : selector;
            const results = await axe.run(context, {runOnly: {type: "tag", values: tags}});
            return results.violations;
        }""",
        [selector, WCAG_TAGS],
    )


def format_violations(violations, *, max_targets=3):
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:max_targets]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"    {violation['helpUrl']}\n"
            f"    at {'; '.join(targets)}" + (f" and {more} more" if more > 0 else "")
        )
    return "\n".join(lines)


def assert_accessible(page):
    """Fail with a readable list when axe-core finds WCAG 2.2 A or AA violations on the page,
    or when the page does not reflow at 320px (tests/browser/reflow.py), which axe cannot see.
    """
    # A page a click is taking us to is checked once it has loaded, not while the old one goes.
    page.wait_for_load_state()
    assert_reflows(page)
    violations = axe_violations(page)
    assert violations == [], (
        f"{len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )
