"""Reflow (WCAG 2.2 1.4.10): at 320 CSS pixels wide, the width of a 1280px screen zoomed to
400%, nothing makes the page scroll sideways. A wide table may scroll inside its own box, if a
keyboard can reach that box (a focusable scroll region) to scroll it."""

REFLOW_WIDTH = 320

FIND_PROBLEMS = """() => {
    const problems = [];
    const root = document.documentElement;
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string"
           ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    if (root.scrollWidth > window.innerWidth) {
        // Named by the innermost elements that reach past the edge, to say what to fix.
        const scrolls = (el) => ["auto", "scroll", "hidden"].includes(
            getComputedStyle(el).overflowX);
        const clipped = (el) => {
            for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                if (scrolls(up)) return true;
            }
            return false;
        };
        const past = [...document.body.querySelectorAll("*")].filter(
            (el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(el)
                && ![...el.children].some(
                    (child) => child.getBoundingClientRect().right > window.innerWidth + 1));
        const named = past.slice(0, 3).map(
            (el) => `${describe(el)} "${(el.textContent || "").trim().slice(0, 40)}"`);
        problems.push(`the page is ${root.scrollWidth}px wide` +
            (named.length ? ` (past the edge: ${named.join(", ")})` : ""));
    }
    for (const el of document.body.querySelectorAll("*")) {
        const overflow = getComputedStyle(el).overflowX;
        if (!["auto", "scroll"].includes(overflow) || el.scrollWidth <= el.clientWidth + 1) {
            continue;
        }
        // A region that scrolls must take the keyboard's focus, itself or through a control.
        const focusable = el.tabIndex >= 0
            || el.querySelector("a[href], button, input, select, textarea, [tabindex]");
        if (!focusable) {
            problems.push(`${describe(el)} scrolls sideways but cannot take focus`);
        }
    }
    return problems;
}"""


def reflow_problems(page) -> list[str]:
    """What scrolls sideways at 320px on the page as it is now; the viewport is put back."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        return page.evaluate(FIND_PROBLEMS)
    finally:
        page.set_viewport_size(size)


def assert_reflows(page):
    problems = reflow_problems(page)
    assert problems == [], f"At {REFLOW_WIDTH}px wide, {page.url}: " + "; ".join(problems)
