"""Every page and state of the web app in a real headless Chromium: axe-core (WCAG 2.0/2.1/2.2 A
and AA) at 1280x800 and 390x844, a keyboard walk of each page and form, reflow at 320 px.

The pages are reached as a person reaches them: registration with the texted code, TOTP
enrolment, sign-in, the account home on the PAS sandbox, the chat widget, the staff console on
its fixture conversations, the pay page on localstripe. No Rasa server runs: the chat widget
shows it cannot connect, which changes nothing it must offer. Each test prints nothing by itself;
the run ends with the page x viewport table (tests/accessibility/conftest.py), also written to
test-artifacts/accessibility/table.md with a screenshot of each row.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from werkzeug.serving import make_server

from bot.web import shutdown
from bot.web.root import web_root
from tests.accessibility.survey import DESKTOP, PHONE, Survey
from tests.payments.conftest import PayStack
from tests.staff.conftest import _sqlite
from tests.staff.world import BASE, MovableClock, build_world
from tests.support import personas as people
from tests.support.browser import chromium, sign_in_enrolling_totp
from tests.support.personas import holder_record
from tests.support.servers import SandboxHandle, free_port
from tests.web.auth_fixtures import StaticRecords, create_account, make_web_app
from tests.web.conftest import sms_codes

pytestmark = pytest.mark.slow

PASSWORD = "tidal basin lantern orchard"
CHAT_HINT_LINK = "#plc-hint a"
TRANSCRIPT = [
    {"from": "user", "text": "what do I owe"},
    {"from": "bot", "text": "Your balance on AUT-****001 is $412.50, due Dec 17."},
    {"from": "user", "text": "pay it"},
    {
        "from": "bot",
        "text": "Here is a secure link to pay $412.50.",
        "link": {"label": "Open the secure payment page", "url": "https://example.com/pay/x"},
    },
]


def serve(app: Any, port: int) -> Iterator[str]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        shutdown(app)


@pytest.fixture
def holder_site(tmp_path: Path, sandbox: SandboxHandle) -> Iterator[tuple[str, Any]]:
    """The web app on the PAS sandbox, registering Maria from her records."""
    records = StaticRecords()
    records.add(holder_record(people.MARIA), people.MARIA.policy_number)
    port = free_port()
    env = {
        "PAS_BASE_URL": sandbox.base_url,
        "PAS_REPLICA_URL": sandbox.replica_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    app = make_web_app(tmp_path, env=env, AUTH_PAS_RECORDS=records)
    for base in serve(app, port):
        yield base, app


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport=DESKTOP)


def submit(page: Page, button: str) -> None:
    """Press a form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def scroll_regions_are_keyboard_stops(page: Page, survey: Survey, state: str) -> None:
    """Each wide table scrolls in a region of its own that the keyboard can reach and that
    is named (WCAG 2.1.1 with scrolling content)."""
    regions = page.locator(".staff-scroll")
    for i in range(regions.count()):
        region = regions.nth(i)
        named = region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
        if region.get_attribute("tabindex") != "0" or not named:
            survey.problems.append(f"{state}: table scroll region is no named keyboard stop")


def error_summary_holds_focus(page: Page, survey: Survey, state: str) -> None:
    """The form-error pattern: the summary has focus, each of its links names a field that is
    marked invalid and described by its message, and each link is at least 24x24 px."""
    # The page's script moves focus on load: give it that moment (a locator wait; the pages' CSP
    # forbids the eval a string predicate would need), then read where focus is.
    try:
        page.locator("#error-summary:focus").wait_for(timeout=5000)
    except PlaywrightTimeoutError:
        pass  # reported below with where the focus is instead
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    if focused != "error-summary":
        survey.problems.append(f"{state}: focus on {focused!r}, not the error summary")
    links = page.locator("#error-summary a")
    if links.count() == 0:
        survey.problems.append(f"{state}: the error summary links to no field")
    for i in range(links.count()):
        link = links.nth(i)
        target = (link.get_attribute("href") or "#")[1:]
        field = page.locator(f"[id='{target}']")
        if field.count() != 1:
            survey.problems.append(f"{state}: summary link to missing #{target}")
            continue
        if field.get_attribute("aria-invalid") != "true":
            survey.problems.append(f"{state}: #{target} not aria-invalid")
        described = (field.get_attribute("aria-describedby") or "").split()
        if not any(page.locator(f"[id='{d}'].field-error").count() for d in described):
            survey.problems.append(f"{state}: #{target} not described by its error")
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            box = link.bounding_box()
            if box is None or box["width"] < 24 or box["height"] < 24:
                survey.problems.append(f"{state}: summary link {box} under 24x24")
        page.set_viewport_size(DESKTOP)


def test_policyholder_pages_register_sign_in_account_and_chat(holder_site, browser):
    base, app = holder_site
    survey = Survey("policyholder")
    context = new_context(browser)
    page = context.new_page()

    page.goto(f"{base}/auth/login")
    survey.examine(page, "sign-in")
    page.get_by_label("E-mail address").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong password here")
    submit(page, "Continue")
    error_summary_holds_focus(page, survey, "sign-in error")
    survey.examine(page, "sign-in error")

    page.goto(f"{base}/auth/register")
    survey.examine(page, "registration")
    born = people.MARIA.date_of_birth
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label("ZIP code of your mailing address").fill("12")
    submit(page, "Continue")
    error_summary_holds_focus(page, survey, "registration errors")
    if page.get_by_label("Date of birth").input_value() != born:
        survey.problems.append("registration errors: the date of birth was not kept")
    survey.examine(page, "registration errors")

    page.get_by_label("Policy number").fill(people.MARIA.policy_number)
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label("ZIP code of your mailing address").fill(people.MARIA.zip)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    survey.examine(page, "registration code")
    page.get_by_label("Code").fill(sms_codes(app, people.MARIA.phone)[-1])
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    survey.examine(page, "choose a password")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD + " x")
    submit(page, "Create account")
    error_summary_holds_focus(page, survey, "passwords differ")
    survey.examine(page, "passwords differ")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Set up 2-step sign-in")).to_be_visible()
    survey.examine(page, "MFA enrol")
    setup_key = page.get_by_label("Setup key")
    if setup_key.evaluate("(el) => el.tagName") == "P":
        survey.problems.append("MFA enrol: the setup key's aria-label sits on a <p>")
    secret = setup_key.inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    submit(page, "Turn on authenticator app")
    error_summary_holds_focus(page, survey, "MFA enrol error")
    survey.examine(page, "MFA enrol error")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on authenticator app").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    survey.examine(page, "recovery codes")
    page.get_by_role("link", name="I've saved them").click()
    expect(page.get_by_role("heading", name="Sign-in and security")).to_be_visible()
    survey.examine(page, "security")

    page.goto(f"{base}/account/")
    expect(page.get_by_role("heading", name=f"Hello, {people.MARIA.first_name}")).to_be_visible()
    survey.examine(page, "account home, chat closed")
    page.get_by_text("Coverages").first.click()
    survey.examine(page, "coverages open")
    # A conversation so far, as the widget keeps it in the tab (no Rasa server runs here): the
    # log then holds messages and a link to walk through.
    page.evaluate(
        """(entries) => sessionStorage.setItem(
             "policyline.chat.transcript", JSON.stringify(entries))""",
        TRANSCRIPT,
    )
    page.reload()
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("log")).to_be_visible()
    expect(page.get_by_role("log").get_by_role("link")).to_have_count(1)
    survey.examine(
        page,
        "chat widget open",
        dialog="#plc",
        must_reach=(CHAT_HINT_LINK,),
        min_height=(("#plc-log", 96),),
    )
    page.focus("#plc-input")
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()
    page.goto(f"{base}/chat")
    survey.examine(page, "chat page", must_reach=(CHAT_HINT_LINK,))
    context.close()

    # Signing in again: the second factor.
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.get_by_label("E-mail address").fill(people.MARIA.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    survey.examine(page, "MFA verify")
    page.get_by_label(re.compile("code", re.I)).first.fill("000000")
    submit(page, "Sign in")
    error_summary_holds_focus(page, survey, "MFA verify error")
    survey.examine(page, "MFA verify error")
    context.close()
    assert not survey.problems, "\n".join(survey.problems)


@pytest.fixture
def staff_site(tmp_path: Path, personas: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    dbs = _sqlite(tmp_path)
    app = make_web_app(
        tmp_path,
        env={"DATABASE_URL": dbs.app_url, "TRACKER_DATABASE_URL": dbs.tracker_url},
        clock=MovableClock(BASE.replace(day=25)),
    )
    build_world(dbs.writer, dbs.app_engine, personas)
    try:
        for base in serve(app, free_port()):
            yield base, app
    finally:
        dbs.writer.close()
        dbs.app_engine.dispose()
        dbs.tracker_engine.dispose()


def test_staff_console_pages(staff_site, browser):
    base, app = staff_site
    staff = create_account(
        app, kind="staff", email="sup@staff.example.com", roles=frozenset({"supervisor"})
    )
    survey = Survey("staff")
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{base}/staff/conversations")
    sign_in_enrolling_totp(page, staff.email, staff.password, clock=web_root(app).clock)
    page.goto(f"{base}/staff/conversations")
    expect(page.get_by_text("5 conversations")).to_be_visible()
    survey.examine(page, "staff conversations")
    page.locator(".staff-table a").first.click()
    expect(page.get_by_role("heading", name="Transcript")).to_be_visible()
    survey.examine(page, "staff transcript")
    page.goto(f"{base}/staff/dashboard?from=2026-11-16&to=2026-11-24")
    expect(page.get_by_role("img", name=re.compile("Overall containment"))).to_be_visible()
    survey.examine(page, "staff dashboard")
    scroll_regions_are_keyboard_stops(page, survey, "staff dashboard")
    if page.locator(".staff-chart table, .staff-chart [data-chart-values]").count() == 0:
        survey.problems.append("staff dashboard: chart values only in tooltips")
    page.goto(f"{base}/staff/handoffs")
    expect(page.get_by_role("heading", name="HO-CLAIM234 · urgent")).to_be_visible()
    survey.examine(page, "staff handoff queue")
    page.goto(f"{base}/staff/audit")
    survey.examine(page, "staff access audit")
    scroll_regions_are_keyboard_stops(page, survey, "staff access audit")
    context.close()
    assert not survey.problems, "\n".join(survey.problems)


def test_pay_page(pay_stack: PayStack, browser: Browser) -> None:
    """The pay page around the payment processor's card fields (localstripe's stand-in here; in
    production Stripe's own hosted fields, which axe leaves out: docs/accessibility.md)."""
    survey = Survey("pay")
    context = new_context(browser)
    page = context.new_page()
    link = pay_stack.issue_link("125.50")
    page.goto(link.url)
    page.wait_for_selector("#payment-element input")
    expect(page.get_by_role("heading", name="Pay $125.50")).to_be_visible()
    survey.examine(page, "pay page", exclude=("#payment-element",))
    page.goto(link.url + "x")
    expect(page.get_by_role("heading")).to_be_visible()
    survey.examine(page, "pay link refused")
    context.close()
    assert not survey.problems, "\n".join(survey.problems)
