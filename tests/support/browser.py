"""Real-browser helpers shared by the page tests: Debian's Chromium through Playwright, full-page
screenshots under test-artifacts/, and the axe-core accessibility check (axe-core from the npm
registry at the version tools/axe/package-lock.json pins, installed by `make axe`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import Browser, Page, sync_playwright

from bot.clock import utc_now
from bot.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"  # installed by scripts/ensure-system-packages.sh
AXE = PROJECT_ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe tags each rule with the version that added it).
WCAG_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for one test (no sandbox: tests run as root in CI containers)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Page, folder: Path, name: str) -> None:
    """A full-page PNG in ``folder`` for a person to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def axe_source() -> str:
    """axe-core's script, as `make axe` installed it."""
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: run `make axe` (npm ci in tools/axe)")
    return AXE.read_text(encoding="utf-8")


def axe_results(
    page: Page, tags: tuple[str, ...] = WCAG_AA, *, exclude: tuple[str, ...] = ()
) -> dict[str, Any]:
    """axe-core's full result for the page with the rules of ``tags``, leaving out the elements
    ``exclude`` selects (markup another party owns, such as a payment processor's fields)."""
    # Evaluated through the DevTools protocol: the page's CSP (rightly) refuses injected tags.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        """async ([tags, exclude]) => await axe.run(
             {include: [["html"]], exclude: exclude.map((sel) => [sel])},
             {runOnly: {type: "tag", values: tags}})""",
        [list(tags), list(exclude)],
    )
    return result


def axe_violations(page: Page, tags: tuple[str, ...] = WCAG_AA) -> list[str]:
    """The ids of axe-core's violations on the page (empty when it passes)."""
    return [v["id"] for v in axe_results(page, tags)["violations"]]


@dataclass
class PageProblems:
    """Console errors and 404 responses a page produced (filled in while the test runs)."""

    errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def watch(page: Page) -> PageProblems:
    """Start recording the page's console errors and 404 responses."""
    problems = PageProblems()
    page.on("console", lambda m: problems.errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.missing.append(r.url) if r.status == 404 else None)
    return problems


def sign_in_enrolling_totp(
    page: Page, email: str, password: str, clock: Callable[[], datetime] = utc_now
) -> None:
    """On the sign-in page: password, then the first-time TOTP enrolment (codes from pyotp at
    ``clock()``, the web app's clock), then past the recovery codes."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    secret = page.get_by_label("Setup key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(clock()))
    page.get_by_role("button", name="Turn on authenticator app").click()
    page.get_by_role("link", name="I've saved them").click()
