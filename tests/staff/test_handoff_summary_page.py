"""The staff queue page shows each handoff's summary: what is left, flags, who, what they asked,
what the assistant already did, and the files that came with it. Over HTTP here, and in a real
Chromium (with the accessibility check and a screenshot in test-artifacts/staff_console/)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from werkzeug.serving import make_server

from bot.conversation.handoff import HandoffService, handoff_attachments
from bot.conversation.handoff_summary import Said, TaskDone
from bot.settings import PROJECT_ROOT
from bot.web import shutdown
from bot.web.root import web_root
from tests.staff.conftest import Databases, _sqlite
from tests.staff.world import BASE, MovableClock
from tests.support.app_database import upgrade
from tests.support.browser import (
    axe_violations,
    chromium,
    screenshot,
    sign_in_enrolling_totp,
    watch,
)
from tests.web.auth_fixtures import create_account, make_web_app, sign_in_staff

POLICY = "AUT-1000001"
SAID = [
    Said("whats my balance", "check_balance"),
    Said(f"{POLICY} born 04/12/1985 zip 78704", "inform"),
    Said("this is useless, my husband is hurt and I need a real person", "human_handoff"),
]


@pytest.fixture
def queue_app(tmp_path: Path) -> Iterator[tuple[Flask, Databases]]:
    dbs = _sqlite(tmp_path)
    upgrade(dbs.app_engine)
    app = make_web_app(
        tmp_path,
        env={"DATABASE_URL": dbs.app_url, "TRACKER_DATABASE_URL": dbs.tracker_url},
        clock=MovableClock(BASE + timedelta(days=2)),
    )
    handoffs = HandoffService(
        dbs.app_engine, clock=lambda: BASE, ticket_factory=lambda: "HO-SUMMARY1"
    )
    handoffs.open(
        reason="requested_person",
        intent="check_balance",
        assurance="verified",
        policy_number=POLICY,
        user_messages=[s.text for s in SAID],
        channel="sms",
        conversation_id="sms-summary-page",
        said=SAID,
        done=[TaskDone("request_id_card", "contained")],
    )
    with dbs.app_engine.begin() as conn:
        conn.execute(
            handoff_attachments.insert().values(
                id="photo-1",
                ticket="HO-SUMMARY1",
                content_type="image/png",
                byte_size=2048,
                created_at=BASE,
            )
        )
    try:
        yield app, dbs
    finally:
        shutdown(app)
        dbs.writer.close()
        dbs.tracker_engine.dispose()
        dbs.app_engine.dispose()


def test_the_queue_page_shows_the_summary_and_no_personal_numbers(queue_app) -> None:  # type: ignore[no-untyped-def]
    app, _dbs = queue_app
    client = app.test_client()
    sign_in_staff(app, client, role="reviewer")
    response = client.get("/staff/handoffs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HO-SUMMARY1 · urgent · frustrated" in page
    assert "They asked for a person. Not finished: your balance." in page
    assert "<dt>Urgent words</dt><dd>hurt</dd>" in page
    assert "<dt>Upset words</dt><dd>useless</dd>" in page
    assert "<dt>Files</dt><dd>1</dd>" in page
    assert "<dt>Policy</dt><dd>AUT-****001</dd>" in page
    assert "<li>whats my balance</li>" in page
    assert "<li>ID cards: done</li>" in page
    for secret in (POLICY, "04/12/1985", "78704"):
        assert secret not in page


@pytest.mark.slow
def test_staff_read_the_summary_in_a_real_browser(queue_app) -> None:  # type: ignore[no-untyped-def]
    app, _dbs = queue_app
    staff = create_account(
        app, kind="staff", email="agent@staff.example.com", roles=frozenset({"reviewer"})
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with chromium() as browser:
            _read_summary(browser, base, app, staff)
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _read_summary(browser: Browser, base: str, app: Flask, staff) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    problems = watch(page)
    page.goto(f"{base}/staff/handoffs")
    sign_in_enrolling_totp(page, staff.email, staff.password, clock=web_root(app).clock)
    page.goto(f"{base}/staff/handoffs")
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="HO-SUMMARY1 · urgent · frustrated")
    )
    expect(card).to_be_visible()
    expect(card.get_by_text("They asked for a person. Not finished: your balance.")).to_be_visible()
    expect(card.get_by_text("What they asked")).to_be_visible()
    expect(card.get_by_text("whats my balance")).to_be_visible()
    expect(card.get_by_text("ID cards: done")).to_be_visible()
    assert POLICY not in page.content()
    screenshot(page, PROJECT_ROOT / "test-artifacts" / "staff_console", "05-handoff-summary-phone")
    assert axe_violations(page) == []
    assert [e for e in problems.errors if "404" not in e] == [], problems.errors
    context.close()
