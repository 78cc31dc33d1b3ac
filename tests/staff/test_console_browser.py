"""Staff sign in → conversation list → transcript → dashboard, in a real headless Chromium.

Debian's Chromium against the web app served by Werkzeug on 127.0.0.1 (as in
``tests/web/test_auth_browser.py``): the real sign-in with TOTP enrolment, then the console on a
phone-sized viewport. Screenshots go to test-artifacts/staff_console/.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from bot.settings import PROJECT_ROOT
from bot.transcripts.audit import StaffAccessAudit
from bot.web import shutdown
from bot.web.root import web_root
from tests.staff.conftest import _sqlite
from tests.staff.world import BASE, MovableClock, World, build_world
from tests.support.browser import (
    axe_violations,
    chromium,
    screenshot,
    sign_in_enrolling_totp,
    watch,
)
from tests.web.auth_fixtures import create_account, make_web_app

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "staff_console"


@pytest.fixture
def served(tmp_path: Path, personas: list[dict[str, Any]]) -> Iterator[tuple[str, Any, World]]:
    dbs = _sqlite(tmp_path)
    app = make_web_app(
        tmp_path,
        env={"DATABASE_URL": dbs.app_url, "TRACKER_DATABASE_URL": dbs.tracker_url},
        clock=MovableClock(BASE.replace(day=25)),
    )
    world = build_world(dbs.writer, dbs.app_engine, personas)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", (app, dbs), world
    finally:
        server.shutdown()
        thread.join(timeout=5)
        shutdown(app)
        dbs.writer.close()
        dbs.app_engine.dispose()
        dbs.tracker_engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def shot(page: Page, name: str) -> None:
    screenshot(page, ARTIFACTS, name)


def test_staff_signs_in_and_opens_a_redacted_transcript(served, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    base, (app, dbs), world = served
    staff = create_account(
        app, kind="staff", email="sup@staff.example.com", roles=frozenset({"supervisor"})
    )
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    problems = watch(page)
    errors, missing = problems.errors, problems.missing

    page.goto(f"{base}/staff/conversations")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    # The app's one clock stands at the world's day: TOTP codes are made for it too.
    sign_in_enrolling_totp(page, staff.email, staff.password, clock=web_root(app).clock)

    page.goto(f"{base}/staff/conversations")
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    expect(page.get_by_text("5 conversations")).to_be_visible()
    shot(page, "01-conversations-phone")
    assert axe_violations(page) == []

    page.get_by_label("Channel").select_option("sms")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("2 conversations")).to_be_visible()
    page.get_by_role("link", name=world.ids["balance_sms"]).click()
    expect(page.get_by_role("heading", name="Transcript")).to_be_visible()
    expect(page.get_by_text("it's AUT-****001")).to_be_visible()
    expect(page.get_by_text("my dob is [DATE]")).to_be_visible()
    body = page.content()
    assert world.personas["maria"]["policy_number"] not in body
    assert world.personas["maria"]["date_of_birth"] not in body
    shot(page, "02-transcript-phone")
    assert axe_violations(page) == []
    viewed = StaffAccessAudit(dbs.app_engine).recent(conversation_id=world.ids["balance_sms"])
    assert [r.staff_account_id for r in viewed] == [staff.account_id]

    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/staff/dashboard?from=2026-11-16&to=2026-11-24")
    expect(page.get_by_role("img", name=re.compile("Overall containment"))).to_be_visible()
    shot(page, "03-dashboard-desktop")
    assert axe_violations(page) == []
    page.goto(f"{base}/staff/handoffs")
    expect(page.get_by_role("heading", name="HO-CLAIM234 · urgent")).to_be_visible()
    shot(page, "04-handoffs-desktop")
    assert axe_violations(page) == []
    # No CSP violations, no script errors; the only missing resource is the browser's favicon.
    assert {url.rsplit("/", 1)[1] for url in missing} <= {"favicon.ico"}, missing
    assert [e for e in errors if "404" not in e] == [], errors
    context.close()
