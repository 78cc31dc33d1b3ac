"""Real-browser helpers shared by the page tests: Debian's Chromium through Playwright, full-page
screenshots under test-artifacts/, and the vendored axe-core accessibility check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page, sync_playwright

from bot.clock import utc_now
from bot.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"  # installed by scripts/ensure-system-packages.sh
AXE = PROJECT_ROOT / "tests" / "web_chat" / "vendor" / "axe-4.10.3.min.js"
WCAG_AA = ("wcag2a", "wcag2aa", "wcag21aa")


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


def axe_violations(page: Page, tags: tuple[str, ...] = WCAG_AA) -> list[str]:
    """The ids of axe-core's violations on the page (empty when it passes)."""
    # Evaluated through the DevTools protocol: the page's CSP (rightly) refuses injected tags.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: tags})).violations.map(v => v.id)",
        list(tags),
    )
    return list(result)


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
