"""A policyholder's home in headless Chromium on a phone: sign in, read, open an ID card.

The web app (served by Werkzeug on 127.0.0.1) on the real PAS sandbox; the real sign-in with TOTP
enrolment. No Rasa server runs here, so the chat widget's connection attempts are expected to
fail; every other console error fails the test. Screenshots go to test-artifacts/account/.
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
from bot.web import shutdown
from tests.support.browser import (
    axe_violations,
    chromium,
    screenshot,
    sign_in_enrolling_totp,
    watch,
)
from tests.support.servers import SandboxHandle
from tests.web.auth_fixtures import create_account, make_web_app

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "account"


@pytest.fixture
def served(tmp_path: Path, sandbox: SandboxHandle) -> Iterator[tuple[str, Any]]:
    from tests.support.servers import free_port

    port = free_port()
    app = make_web_app(
        tmp_path,
        env={
            "PAS_BASE_URL": sandbox.base_url,
            "PAS_REPLICA_URL": sandbox.replica_url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        },
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        shutdown(app)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def shot(page: Page, name: str) -> None:
    screenshot(page, ARTIFACTS, name)


def test_policyholder_signs_in_reads_the_home_and_opens_an_id_card(
    served, browser: Browser
) -> None:  # type: ignore[no-untyped-def]
    base, app = served
    holder = create_account(
        app, kind="policyholder", email="maria@example.com", holder_id="H0000001"
    )
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    problems = watch(page)
    errors, missing = problems.errors, problems.missing

    page.goto(f"{base}/account/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    sign_in_enrolling_totp(page, holder.email, holder.password)

    page.goto(f"{base}/account/")
    expect(page.get_by_role("heading", name="Hello, Maria")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Auto policy AUT-1000001"))).to_be_visible()
    expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    # nothing wider than the phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "01-home-phone")
    assert axe_violations(page) == []

    with page.expect_response(re.compile(r"/d/")) as opened:
        page.get_by_role("button", name="Insurance ID card (PDF)").click()
    response = opened.value
    assert response.status == 200 and response.header_value("content-type") == "application/pdf"
    assert "AUT-1000001" not in response.url
    # The widget cannot reach a Rasa server in this test; nothing else may fail.
    unexpected = [e for e in errors if "ERR_CONNECTION_REFUSED" not in e and "404" not in e]
    assert unexpected == [], errors
    # the only missing resource is the browser's favicon
    assert {url.rsplit("/", 1)[1] for url in missing} <= {"favicon.ico"}, missing
    context.close()
