"""What the accessibility suite measures on a page in the browser, beyond axe-core.

- ``keyboard_walk``: Tab from the top of the page through every stop. At each stop the focus
  indicator must be visible (an outline or ring at least 2 px wide) with a contrast of at least
  3:1 against the background next to it (WCAG 1.4.11, 2.4.7), the focused element must be what
  the browser finds at its centre (``document.elementFromPoint``: not hidden behind another
  element, WCAG 2.4.11), and the order must follow the document (no positive ``tabindex``,
  WCAG 2.4.3).
- ``reflow``: at 320 CSS px no sideways scrolling (``scrollWidth <= clientWidth``, WCAG 1.4.10).
- ``reachable``: an element can be scrolled into view and is then what the browser finds at its
  centre (nothing cut off).

Contrast is computed from the computed colours, as WCAG defines relative luminance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

MIN_FOCUS_CONTRAST = 3.0
MAX_STOPS = 120

# One stop of the walk, measured in the page: the element, its focus ring and what covers it.
_STOP = (Path(__file__).parent / "focus_stop.js").read_text(encoding="utf-8")
_TOP = """() => {
  const mark = document.createElement("span");
  mark.tabIndex = -1;
  mark.id = "walk-start";
  document.body.prepend(mark);
  mark.focus();
  window.scrollTo(0, 0);
}"""
_TOP_DONE = "() => { const mark = document.getElementById('walk-start'); if (mark) mark.remove(); }"


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    """The WCAG contrast ratio of two colours (alpha ignored)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass
class Walk:
    """What one keyboard walk found: the stops in order and their problems."""

    stops: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    weakest_ring: float = 21.0

    @property
    def ok(self) -> bool:
        return not self.problems


def keyboard_walk(page: Page, *, start: str | None = None, within: str | None = None) -> Walk:
    """Tab from the top of the page (or from the element ``start`` selects) until focus comes
    back to the first stop. ``within``: a selector the focus must stay inside (a modal)."""
    walk = Walk()
    if start:
        # Reached by the keyboard (Shift+Tab, Tab), as a person would: :focus-visible applies.
        page.focus(start)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
    else:
        # The walk starts where a page load starts it: before the first control (a blur()
        # would leave the browser's starting point at the element last focused).
        page.evaluate(_TOP)
    first: list[int] | None = None
    previous: list[int] | None = None
    for step in range(MAX_STOPS):
        if step > 0 or not start:
            page.keyboard.press("Tab")
        current: dict[str, Any] | None = page.evaluate(_STOP)
        if current is None:
            # Past the last control focus leaves the page (for the browser's own controls); one
            # more Tab comes back to the top of the page, where the walk goes on until it
            # reaches its first stop again.
            page.keyboard.press("Tab")
            current = page.evaluate(_STOP)
            if current is None:
                break
        if current["label"] == "span#walk-start":
            continue
        path = current["path"]
        if path == first:
            break
        if path == previous:  # the parts of one control (a date field's day, month, year)
            continue
        label = current["label"]
        walk.stops.append(label)
        best = max((contrast(c, current["adjacent"]) for c in current["rings"]), default=0.0)
        walk.weakest_ring = min(walk.weakest_ring, best)
        if not current["rings"]:
            walk.problems.append(f"no visible focus: {label}")
        elif best < MIN_FOCUS_CONTRAST:
            walk.problems.append(f"focus ring {best:.2f}:1: {label}")
        if current["covered"]:
            walk.problems.append(f"hidden behind {current['cover']}: {label}")
        if current["tabindex"] > 0:
            walk.problems.append(f"positive tabindex: {label}")
        if previous is not None and path < previous and first is not None:
            walk.problems.append(f"out of document order: {label}")
        if within and not page.evaluate("(sel) => !!document.activeElement.closest(sel)", within):
            walk.problems.append(f"focus left the dialog: {label}")
        first = first or path
        previous = path
    page.evaluate(_TOP_DONE)
    return walk


def horizontal_overflow(page: Page) -> tuple[int, str]:
    """How many CSS px the page scrolls sideways (0 when it reflows), and the element that
    reaches furthest right (what to fix)."""
    overflow: int
    widest: str
    overflow, widest = page.evaluate(
        """() => {
          const root = document.documentElement;
          let widest = "", right = root.clientWidth;
          for (const el of document.body.querySelectorAll("*")) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > right) {
              right = r.right;
              const cls = typeof el.className === "string" ? el.className.split(" ")[0] : "";
              const id = el.id ? "#" + el.id : "";
              widest = el.tagName.toLowerCase() + id + (cls ? "." + cls : "");
            }
          }
          return [root.scrollWidth - root.clientWidth, widest];
        }"""
    )
    return max(overflow, 0), widest


def reachable(page: Page, selector: str) -> bool:
    """Whether the element can be scrolled into view and is then not covered or cut off."""
    result: bool = page.evaluate(
        """(sel) => {
          const el = document.querySelector(sel);
          if (!el) { return false; }
          el.scrollIntoView({block: "center", inline: "nearest"});
          // the first line box: a link that wraps has an empty middle
          const r = el.getClientRects()[0];
          if (!r || r.width === 0 || r.height === 0) { return false; }
          const x = r.left + r.width / 2, y = r.top + r.height / 2;
          if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) { return false; }
          const hit = document.elementFromPoint(x, y);
          return !!hit && (hit === el || el.contains(hit));
        }""",
        selector,
    )
    return result
