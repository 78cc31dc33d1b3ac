"""One survey of page states: axe-core, a keyboard walk and reflow, at each viewport.

``Survey.examine(page, state)`` checks the page as it stands at 1280x800 and 390x844 (axe-core
with the WCAG 2.0/2.1/2.2 A and AA rules, then a keyboard walk), then at 320x256 CSS px (what
400 % zoom leaves of a 1280x1024 screen) for sideways scrolling and for the elements that must
stay reachable. Each state and viewport is one row of the table the suite prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, ViewportSize

from tests.accessibility.checks import horizontal_overflow, keyboard_walk, reachable
from tests.accessibility.conftest import ARTIFACTS, record
from tests.support.browser import axe_results, screenshot

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
REFLOW: ViewportSize = {"width": 320, "height": 256}
VIEWPORTS = (("1280x800", DESKTOP), ("390x844", PHONE))
# Two animation frames: the layout of the new size (and its scrollbars) has settled.
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def resize(page: Page, viewport: ViewportSize) -> None:
    page.set_viewport_size(viewport)
    page.evaluate(SETTLED)


@dataclass
class Survey:
    """The rows of one test; ``problems`` lists every failure found, for the final assert."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def examine(
        self,
        page: Page,
        state: str,
        *,
        dialog: str | None = None,
        must_reach: tuple[str, ...] = (),
        min_height: tuple[tuple[str, int], ...] = (),
        exclude: tuple[str, ...] = (),
    ) -> None:
        """Check ``page`` as it stands. ``dialog``: a selector of an open modal dialog (the walk
        starts at its first control and must stay inside it); ``must_reach``: selectors that
        must be scrollable into view at 320 px; ``min_height``: (selector, CSS px) each element
        keeps at 320 px; ``exclude``: selectors axe leaves out (another
        party's markup)."""
        reflow = self._reflow(page, must_reach, min_height)
        for label, viewport in VIEWPORTS:
            resize(page, viewport)
            results = axe_results(page, exclude=exclude)
            violations = [f"{v['id']} ({len(v['nodes'])})" for v in results["violations"]]
            first = f"{dialog} :is(button, a, input, [tabindex])" if dialog else None
            walk = keyboard_walk(page, start=first, within=dialog)
            slug = f"{self.name}-{len(self.rows):02d}-{label}"
            screenshot(page, ARTIFACTS / "pages", slug)
            self.rows.append(
                {
                    "state": state,
                    "viewport": label,
                    "axe": violations,
                    "stops": len(walk.stops),
                    "ring": f"{walk.weakest_ring:.1f}:1" if walk.stops else "-",
                    "keyboard": walk.problems,
                    "reflow": reflow,
                }
            )
            self.problems += [f"{state} @ {label}: axe {v}" for v in violations]
            self.problems += [f"{state} @ {label}: {p}" for p in walk.problems]
        resize(page, DESKTOP)
        if reflow != "ok":
            self.problems.append(f"{state} @ 320 px: {reflow}")
        record(self.name, self.rows)

    def _reflow(
        self, page: Page, must_reach: tuple[str, ...], min_height: tuple[tuple[str, int], ...]
    ) -> str:
        resize(page, REFLOW)
        found: list[str] = []
        overflow, widest = horizontal_overflow(page)
        if overflow:
            found.append(f"scrolls {overflow} px sideways ({widest or 'no element'} reaches past)")
        found += [f"{sel} out of reach" for sel in must_reach if not reachable(page, sel)]
        for sel, least in min_height:
            height = page.eval_on_selector(sel, "(el) => el.clientHeight")
            if height < least:
                found.append(f"{sel} {height} px high")
        page.evaluate("window.scrollTo(0, 0)")
        return "; ".join(found) or "ok"
