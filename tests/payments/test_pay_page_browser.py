"""The pay page in a real headless Chromium: Stripe.js (localstripe's stand-in) and our script
under the page's CSP, a test card, the confirmation once the webhook has posted the payment."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from tests.payments.conftest import ARTIFACTS, PayStack

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


def fill_card(page, number: str) -> None:  # type: ignore[no-untyped-def]
    for field, value in (("number", number), ("exp_month", "12"), ("exp_year", "30"),
                         ("cvc", "123"), ("postal_code", "78704")):  # fmt: skip
        page.fill(f"#payment-element input[placeholder='{field}']", value)


@pytest.mark.slow
def test_paying_with_a_test_card_shows_the_confirmation(pay_stack: PayStack, browser: Browser):
    before = pay_stack.balance()
    link = pay_stack.issue_link("125.50")
    context = browser.new_context(viewport={"width": 720, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if _is_problem(m) else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        response = page.goto(link.url)
        assert response is not None and response.status == 200
        assert "default-src 'none'" in response.headers["content-security-policy"]
        page.wait_for_selector("#payment-element input[placeholder='number']")
        assert page.inner_text("h1") == "Pay $125.50"
        fill_card(page, "4242424242424242")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pay-page-filled.png"), full_page=True)

        page.click("#submit")

        page.wait_for_selector("#done:not([hidden])", timeout=20_000)
        assert page.inner_text("#done-title") == "Payment received"
        row = pay_stack.service.records.payment_by_link(link.link_id)
        assert page.inner_text("#done-confirmation") == (
            f"Confirmation number: {row.pas_confirmation}"
        )
        assert "has been applied to policy AUT-****001" in page.inner_text("#done-message")
        page.screenshot(path=str(ARTIFACTS / "pay-page-confirmation.png"), full_page=True)
    finally:
        context.close()
    assert pay_stack.balance() == before - Decimal("125.50")
    assert problems == []  # no CSP violation, no script error


@pytest.mark.slow
def test_a_declined_test_card_shows_the_reason_and_allows_another_try(
    pay_stack: PayStack, browser: Browser
):
    link = pay_stack.issue_link("15.00")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(link.url)
        page.wait_for_selector("#payment-element input[placeholder='number']")
        fill_card(page, "4000000000000341")
        page.click("#submit")
        # A locator wait, not wait_for_function: the page's CSP forbids the eval that a string
        # predicate needs, which made this wait fail now and then.
        page.locator("#message", has_text="declined").wait_for()
        assert page.inner_text("#message") == "Your card was declined."
        assert page.is_enabled("#submit")
        page.screenshot(path=str(ARTIFACTS / "pay-page-declined.png"), full_page=True)
    finally:
        context.close()


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type == "error" or "Content Security Policy" in message.text
