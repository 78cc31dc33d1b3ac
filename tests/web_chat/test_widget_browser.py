"""The widget in a real headless Chromium (Debian's, never a downloaded build) on the real stack.

Each test drives /chat as a person would, on a phone-sized viewport unless said, and saves a
screenshot under test-artifacts/web_chat/. The accessibility check runs axe-core (from the npm
registry, installed by `make axe`: tests/support/browser.py) in the page with the WCAG 2.x A/AA
rules, 2.2 included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.actions.conftest import MARIA
from tests.support.browser import axe_results
from tests.web_chat.stack import ARTIFACTS, WebChatStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
TURN_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        yield context
    finally:
        context.close()


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def open_chat(page: Page, stack: WebChatStack) -> list[str]:
    """Open /chat and wait for the connection; returns the console errors seen (CSP etc.)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{stack.base_url}/chat")
    expect(page.get_by_role("status")).to_contain_text("Connected", timeout=20_000)
    return errors


def bot_messages(page: Page) -> Any:
    return page.locator(".plc-msg--bot")


def send(page: Page, text: str) -> None:
    """Type ``text`` and press Enter, then wait for the bot's turn to end."""
    before = bot_messages(page).count()
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    expect(bot_messages(page)).not_to_have_count(before, timeout=TURN_MS)
    expect(page.locator("#plc-typing")).to_be_hidden(timeout=TURN_MS)


def last_bot_text(page: Page) -> str:
    return bot_messages(page).last.inner_text()


def verify_as_maria(page: Page, stack: WebChatStack) -> None:
    send(page, "what's my balance")
    expect(bot_messages(page).last).to_contain_text("policy number")
    send(page, MARIA.policy_number)
    send(page, "04/12/1985")
    mark = stack.outbox_mark()
    send(page, MARIA.zip)
    expect(page.get_by_role("log")).to_contain_text("texted a 6-digit code")
    code = stack.wait_for_code(MARIA.phone, after_id=mark)
    send(page, code)
    expect(page.get_by_role("log")).to_contain_text("you're verified")


def test_an_anonymous_visitor_verifies_with_the_texted_code_and_gets_marias_balance(
    context: BrowserContext, web_chat_stack: WebChatStack
) -> None:
    page = context.new_page()
    errors = open_chat(page, web_chat_stack)
    verify_as_maria(page, web_chat_stack)
    expect(bot_messages(page).last).to_contain_text("$")
    # A long transcript scrolls inside the log; the page itself never grows past the screen.
    assert page.evaluate("document.documentElement.scrollHeight") <= PHONE["height"]
    shot(page, "anonymous-verified-balance-mobile")
    # The strict CSP held: nothing was refused, no script error.
    assert errors == []

    # Reload: the transcript is still there and the conversation is still verified.
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("conversation continues", timeout=20_000)
    expect(page.get_by_role("log")).to_contain_text("you're verified")
    send(page, "how much do i owe")
    assert "confirm who you are" not in last_bot_text(page)
    expect(bot_messages(page).last).to_contain_text("$")
    shot(page, "after-reload-same-conversation")


def test_a_signed_in_visitor_skips_verification_with_the_hand_over_token(
    browser: Browser, web_chat_stack: WebChatStack
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        context.add_cookies([web_chat_stack.signed_in_cookie("H0000001")])  # type: ignore[list-item]
        page = context.new_page()
        open_chat(page, web_chat_stack)
        assert page.locator("[data-handover-token]").count() == 1
        send(page, "whats my balance")
        text = page.get_by_role("log").inner_text()
        assert "confirm who you are" not in text
        expect(bot_messages(page).last).to_contain_text("$")
        # Documents arrive as a labelled link to the single-use download.
        send(page, "send me my id card")
        link = page.get_by_role("link", name=re.compile("Open your ID card"))
        expect(link).to_be_visible()
        assert "/d/" in (link.get_attribute("href") or "")
        assert link.get_attribute("rel") == "noopener noreferrer"
        # Shown once: the raw URL of the text became the labelled link.
        assert bot_messages(page).last.locator("a").count() == 1
        expect(bot_messages(page).last).to_contain_text("The link works once")
        shot(page, "signed-in-desktop")
    finally:
        context.close()


def test_keyboard_only_use_with_quick_reply_buttons(
    browser: Browser, web_chat_stack: WebChatStack
) -> None:
    # José has two policies: the bot asks which one with buttons.
    context = browser.new_context(viewport=PHONE)
    try:
        context.add_cookies([web_chat_stack.signed_in_cookie("H0000005")])  # type: ignore[list-item]
        page = context.new_page()
        open_chat(page, web_chat_stack)
        # From the top of the page, Tab reaches the transcript, then the message box.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('role')") == "log"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "plc-input"
        page.keyboard.type("whats my balance")
        page.keyboard.press("Enter")
        replies = page.get_by_role("group", name="Suggested replies")
        expect(replies).to_be_visible(timeout=TURN_MS)
        buttons = replies.get_by_role("button")
        assert buttons.count() == 2
        # Shift+Tab from the box goes back into the transcript's buttons (last one first).
        page.keyboard.press("Shift+Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused in [buttons.nth(i).inner_text() for i in range(2)]
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # focus is visible
        shot(page, "keyboard-focus-on-quick-reply")
        before = bot_messages(page).count()
        page.keyboard.press("Enter")
        expect(bot_messages(page)).not_to_have_count(before, timeout=TURN_MS)
        expect(page.locator("#plc-typing")).to_be_hidden(timeout=TURN_MS)
        expect(bot_messages(page).last).to_contain_text("$")
        # The chosen button's title is shown as what the person said; the buttons are gone.
        expect(page.locator(".plc-msg--user").last).to_have_text(
            re.compile(re.escape(focused.strip()))
        )
        expect(replies).to_have_count(0)
        assert page.evaluate("document.activeElement.id") == "plc-input"
        shot(page, "keyboard-after-choice")
    finally:
        context.close()


def test_axe_finds_no_wcag_violations_in_a_conversation(
    browser: Browser, web_chat_stack: WebChatStack
) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        context.add_cookies([web_chat_stack.signed_in_cookie("H0000005")])  # type: ignore[list-item]
        page = context.new_page()
        open_chat(page, web_chat_stack)
        send(page, "hi")
        page.get_by_label("Your message").fill("whats my balance")
        page.get_by_label("Your message").press("Enter")
        expect(page.get_by_role("group", name="Suggested replies")).to_be_visible(timeout=TURN_MS)
        results = axe_results(page)
        violations = [
            (v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results["violations"]
        ]
        assert violations == []
        assert len(results["passes"]) > 10  # axe really ran its rules
        shot(page, "axe-checked-conversation")
    finally:
        context.close()


def test_the_page_states_its_structure_for_assistive_technology(
    context: BrowserContext, web_chat_stack: WebChatStack
) -> None:
    page = context.new_page()
    open_chat(page, web_chat_stack)
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    assert page.get_by_role("status").get_attribute("aria-live") == "polite"
    expect(page.get_by_role("textbox", name="Your message")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    # Targets are at least 44 px (WCAG 2.2 target size asks 24).
    for name in ("Send",):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_reduced_motion_stops_the_typing_animation(
    browser: Browser, web_chat_stack: WebChatStack
) -> None:
    context = browser.new_context(viewport=PHONE, reduced_motion="reduce")
    try:
        page = context.new_page()
        open_chat(page, web_chat_stack)
        animation = page.evaluate(
            "getComputedStyle(document.querySelector('.plc-dots span')).animationName"
        )
        assert animation == "none"
    finally:
        context.close()


def test_losing_the_connection_is_announced_and_recovers(
    context: BrowserContext, web_chat_stack: WebChatStack
) -> None:
    page = context.new_page()
    open_chat(page, web_chat_stack)
    send(page, "hi")
    context.set_offline(True)
    expect(page.get_by_role("status")).to_contain_text("Reconnecting", timeout=20_000)
    shot(page, "connection-lost")
    context.set_offline(False)
    expect(page.get_by_role("status")).to_contain_text("Reconnected", timeout=40_000)
    send(page, "are you a robot")
    expect(bot_messages(page).last).to_contain_text("Policyline")


def test_the_embedded_widget_opens_and_closes_from_the_keyboard(
    browser: Browser, web_chat_stack: WebChatStack
) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        context.add_cookies([web_chat_stack.signed_in_cookie("H0000001")])  # type: ignore[list-item]
        page = context.new_page()
        page.goto(f"{web_chat_stack.base_url}/account")
        launcher = page.get_by_role("button", name="Chat with us")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("log")).to_be_hidden()
        launcher.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("log")).to_be_visible()
        assert page.evaluate("document.activeElement.id") == "plc-input"
        expect(page.get_by_role("status")).to_contain_text("Connected", timeout=20_000)
        send(page, "whats my balance")
        expect(bot_messages(page).last).to_contain_text("$")
        # The open panel covers the screen (what a phone shows), not the page under it.
        shot(page, "embedded-open-on-account-page", full_page=False)
        page.keyboard.press("Escape")
        expect(page.get_by_role("log")).to_be_hidden()
        expect(launcher).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "false")
    finally:
        context.close()


def test_a_new_chat_opens_with_the_ai_disclosure_and_never_repeats_it(
    context: BrowserContext, web_chat_stack: WebChatStack
) -> None:
    page = context.new_page()
    open_chat(page, web_chat_stack)
    # Shown before anything is typed, as the bot's first message.
    expect(bot_messages(page)).to_have_count(1)
    expect(bot_messages(page).first).to_contain_text("automated assistant, not a person")
    expect(bot_messages(page).first).to_contain_text('Type "agent" any time to reach a person.')
    send(page, "hi")
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("conversation continues", timeout=20_000)
    send(page, "what is my balance")
    log = page.get_by_role("log").inner_text()
    assert log.count("automated assistant, not a person") == 1, log
    shot(page, "ai-disclosure-first-message")
