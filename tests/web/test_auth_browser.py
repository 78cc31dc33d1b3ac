"""Registration, TOTP enrolment and the idle-timeout warning in a real headless Chromium.

Debian's Chromium (never a downloaded build) against the web app served by Werkzeug on
127.0.0.1 over plain http: this also proves the cookie decision (``__Host-`` + Secure cookies are
stored and sent by Chromium on loopback http). Phone-sized viewport; screenshots go to
test-artifacts/web_auth/.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from bot.settings import PROJECT_ROOT
from tests.support.browser import (
    axe_violations,
    chromium,
    screenshot,
    watch,
)
from tests.web.auth_fixtures import account_services, make_web_app
from tests.web.conftest import MARIA, sms_codes

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "web_auth"


@pytest.fixture
def served(tmp_path: Path, records) -> Iterator[tuple[str, object]]:
    env = {"AUTH_SESSION_IDLE_S": "40", "AUTH_SESSION_WARNING_S": "32"}
    app = make_web_app(tmp_path, env=env, AUTH_PAS_RECORDS=records)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        account_services(app).engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def shot(page: Page, name: str) -> None:
    screenshot(page, ARTIFACTS, name)


def test_register_enrol_totp_and_see_the_idle_warning(served, browser):
    base, app = served
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    problems = watch(page)
    errors, missing = problems.errors, problems.missing

    page.goto(f"{base}/auth/register")
    shot(page, "01-register")
    page.get_by_label("Policy number").fill("AUT-1000001")
    page.get_by_label("Date of birth").fill(MARIA.date_of_birth.isoformat())
    page.get_by_label("ZIP code of your mailing address").fill(MARIA.zip)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert "AUT-1000001" not in page.url and MARIA.zip not in page.url
    page.get_by_label("Code").fill(sms_codes(app, MARIA.phone)[-1])
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    page.get_by_label("Password", exact=True).fill("tidal basin lantern orchard")
    page.get_by_label("Password again").fill("tidal basin lantern orchard")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Set up 2-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    shot(page, "02-mfa-setup")
    assert axe_violations(page) == []
    secret = page.get_by_label("Setup key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on authenticator app").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    shot(page, "03-recovery-codes")
    page.get_by_role("link", name="I've saved them").click()
    expect(page.get_by_role("heading", name="Sign-in and security")).to_be_visible()
    cookies = {c["name"]: c for c in context.cookies()}
    session_cookie = cookies["__Host-policyline-session"]
    assert session_cookie["secure"] and session_cookie["httpOnly"]
    shot(page, "04-security")
    assert axe_violations(page) == []

    # 40 s idle timeout, warning 32 s before: the dialog appears after about 8 s of no activity.
    dialog = page.get_by_role("alertdialog", name="You're about to be signed out")
    expect(dialog).to_be_visible(timeout=25_000)
    shot(page, "05-idle-warning")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="Sign-in and security")).to_be_visible()
    # No CSP violations, no script errors; the only missing resource is the browser's favicon.
    assert {url.rsplit("/", 1)[1] for url in missing} <= {"favicon.ico"}
    assert [e for e in errors if "404" not in e] == [], errors
    context.close()


def test_sign_in_page_on_a_phone(served, browser):
    base, _ = served
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.get_by_label("E-mail address").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("don't match our records")
    shot(page, "06-sign-in-error")
    assert axe_violations(page) == []
    context.close()
