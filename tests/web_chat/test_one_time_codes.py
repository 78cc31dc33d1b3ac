"""Anonymous web chat verification: DOB + ZIP, then a code texted to the number on file.

Real services on the PAS sandbox and a real app database; the code is read from the local outbox
exactly as the simulators show it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.identity import ActionStartTask, ActionVerifyIdentity
from actions.one_time_code import ActionCheckOneTimeCode, ValidateOneTimeCodeForm
from bot.bootstrap import Services
from bot.conversation.one_time_codes import (
    CheckStatus,
    OneTimeCodeService,
    SendStatus,
    read_code,
)
from bot.conversation.send_budget import SendBudget, SendSource
from bot.notifications.outbox import read_outbox
from bot.notifications.sms import OutboxSmsSender
from bot.notifications.suppression import SuppressionList
from bot.one_time_codes import OneTimeCodes
from tests.actions.conftest import MARIA, Conversation, run
from tests.conversation.conftest import FakeClock

CODE = re.compile(r"\b(\d{6})\b")


def texted_codes(services: Services, phone: str) -> list[str]:
    return [
        match.group(1)
        for message in read_outbox(services.engine, to=phone)
        if (match := CODE.search(message.body))
    ]


def not_the(code: str) -> str:
    """A 6-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def web_answers(**slots: Any) -> Conversation:
    talk = Conversation(channel="webchat").user("78704", "inform")
    talk.slots.update(
        pending_task="check_balance",
        policy_number=MARIA.policy_number,
        date_of_birth=MARIA.date_of_birth,
        zip_code=MARIA.zip,
        **slots,
    )
    return talk


async def test_web_chat_answers_that_match_text_a_code_instead_of_verifying(
    services: Services, domain: dict[str, Any]
) -> None:
    talk = web_answers()
    result = await run(ActionVerifyIdentity(), talk, domain)

    assert result.slot("code_sent") is True
    assert result.followup == "one_time_code_form"
    assert talk.slots["assurance"] == "anonymous"
    assert "holder_id" not in talk.slots
    assert result.slot("date_of_birth") is None and result.slot("zip_code") is None
    assert "ending in 01" in result.text
    [code] = texted_codes(services, MARIA.phone)
    assert code not in result.text
    [message] = read_outbox(services.engine, to=MARIA.phone)
    assert "expires in 10 minutes" in message.body


async def test_the_right_code_verifies_and_resumes_the_task_once(
    services: Services, domain: dict[str, Any]
) -> None:
    talk = web_answers()
    await run(ActionVerifyIdentity(), talk, domain)
    [code] = texted_codes(services, MARIA.phone)

    talk.slots["one_time_code"] = code
    result = await run(ActionCheckOneTimeCode(), talk, domain)
    assert result.slot("assurance") == "verified"
    assert result.slot("holder_id") == "H0000001"
    assert result.slot("code_sent") is False
    assert result.slot("one_time_code") is None
    assert result.followup == "action_resume_task"

    # Single use: the same code again is refused and verification starts over.
    talk.slots.update(assurance="anonymous", one_time_code=code)
    again = await run(ActionCheckOneTimeCode(), talk, domain)
    assert "expired" in again.text
    assert again.followup == "verification_form"


async def test_wrong_codes_are_counted_and_the_third_locks_and_hands_off(
    services: Services, domain: dict[str, Any]
) -> None:
    talk = web_answers()
    await run(ActionVerifyIdentity(), talk, domain)
    [code] = texted_codes(services, MARIA.phone)
    wrong = not_the(code)

    talk.slots["one_time_code"] = wrong
    first = await run(ActionCheckOneTimeCode(), talk, domain)
    assert "2 more tries" in first.text
    assert first.followup == "one_time_code_form"
    talk.slots["one_time_code"] = wrong
    second = await run(ActionCheckOneTimeCode(), talk, domain)
    assert "1 more try" in second.text
    talk.slots["one_time_code"] = wrong
    third = await run(ActionCheckOneTimeCode(), talk, domain)
    assert third.slot("identity_locked") is True
    assert third.followup == "action_handoff"
    assert "too many tries" in third.text

    # Locked: even the right code (or a fresh verification) does not get in for 15 minutes.
    talk.slots["one_time_code"] = code
    after = await run(ActionCheckOneTimeCode(), talk, domain)
    assert after.followup != "action_resume_task"
    restart = await run(ActionStartTask(), talk.user("balance", "check_balance"), domain)
    assert restart.slot("identity_locked") is True


async def test_re_answering_the_questions_does_not_reset_the_wrong_code_count(
    services: Services, domain: dict[str, Any]
) -> None:
    talk = web_answers()
    await run(ActionVerifyIdentity(), talk, domain)
    for _ in range(2):
        talk.slots["one_time_code"] = not_the(texted_codes(services, MARIA.phone)[-1])
        await run(ActionCheckOneTimeCode(), talk, domain)
    # Start over with the right answers: a new code is sent, but the two misses still count.
    talk.slots.update(date_of_birth=MARIA.date_of_birth, zip_code=MARIA.zip)
    await run(ActionVerifyIdentity(), talk, domain)
    talk.slots["one_time_code"] = not_the(texted_codes(services, MARIA.phone)[-1])
    locked = await run(ActionCheckOneTimeCode(), talk, domain)
    assert locked.slot("identity_locked") is True


async def test_a_code_is_asked_for_again_when_a_task_comes_up_mid_check(
    services: Services, domain: dict[str, Any]
) -> None:
    talk = web_answers()
    await run(ActionVerifyIdentity(), talk, domain)
    result = await run(ActionStartTask(), talk.user("id card", "request_id_card"), domain)
    assert result.followup == "one_time_code_form"


async def test_sms_verification_needs_no_code(services: Services, domain: dict[str, Any]) -> None:
    talk = Conversation(phone=MARIA.phone).user("78704", "inform")
    talk.slots.update(
        pending_task="check_balance", date_of_birth=MARIA.date_of_birth, zip_code=MARIA.zip
    )
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert result.slot("assurance") == "verified"
    assert texted_codes(services, MARIA.phone) == []


async def test_no_code_can_be_sent_to_a_number_that_opted_out(
    services: Services, domain: dict[str, Any]
) -> None:
    SuppressionList(services.engine, services.settings.audit_hash_key).opt_out(
        MARIA.phone, "keyword"
    )
    talk = web_answers()
    result = await run(ActionVerifyIdentity(), talk, domain)
    assert "can't text a code" in result.text
    assert result.slot("pending_task") is None
    assert talk.slots.get("assurance") == "anonymous"
    assert read_outbox(services.engine, to=MARIA.phone) == []


def test_the_form_accepts_six_digits_in_any_spacing(domain: dict[str, Any]) -> None:
    form = ValidateOneTimeCodeForm()
    dispatcher = CollectingDispatcher()
    tracker = Conversation(channel="webchat").tracker()
    for typed in ("482 913", "code: 48-29-13", "482913"):
        assert form.validate_one_time_code(typed, dispatcher, tracker, domain) == {
            "one_time_code": "482913"
        }
    assert dispatcher.messages == []
    assert form.validate_one_time_code("hello", dispatcher, tracker, domain) == {
        "one_time_code": None
    }
    assert "6-digit code" in dispatcher.messages[-1]["text"]


def test_read_code_needs_exactly_six_digits() -> None:
    assert read_code("093157") == "093157"
    assert read_code("93157") is None
    assert read_code("1234567") is None


def _code_service(services: Services, clock: FakeClock, codes: list[str]) -> OneTimeCodeService:
    sender = OutboxSmsSender(
        services.engine, SuppressionList(services.engine, services.settings.audit_hash_key)
    )
    return OneTimeCodeService(
        OneTimeCodes(
            services.engine,
            services.settings.audit_hash_key,
            clock=clock,
            generate=lambda: codes.pop(0),
        ),
        sender,
        services.connector,
        SendBudget(
            services.engine,
            services.settings.code_sends,
            hash_key=services.settings.audit_hash_key,
            clock=clock,
        ),
        hash_key=services.settings.audit_hash_key,
        carrier_name="Harbor Mutual",
    )


async def test_a_code_lives_ten_minutes(services: Services) -> None:
    clock = FakeClock()
    codes = _code_service(services, clock, ["123456", "654321"])
    assert (
        await codes.send("web-a", "H0000001", source=SendSource.chat("web-a"))
    ).status is SendStatus.SENT
    clock.advance(minutes=9, seconds=59)
    assert (await codes.check("web-a", "123456")).status is CheckStatus.VALID

    await codes.send("web-a", "H0000001", source=SendSource.chat("web-a"))
    clock.advance(minutes=10)
    assert (await codes.check("web-a", "654321")).status is CheckStatus.EXPIRED


async def test_a_new_code_replaces_the_old_one_and_codes_belong_to_one_conversation(
    services: Services,
) -> None:
    codes = _code_service(services, FakeClock(), ["111111", "222222", "333333"])
    await codes.send("web-a", "H0000001", source=SendSource.chat("web-a"))
    await codes.send("web-a", "H0000001", source=SendSource.chat("web-a"))
    await codes.send("web-b", "H0000002", source=SendSource.chat("web-b"))
    assert (await codes.check("web-a", "111111")).status is CheckStatus.WRONG
    assert (await codes.check("web-a", "333333")).status is CheckStatus.WRONG
    check = await codes.check("web-a", "222222")
    assert check.status is CheckStatus.VALID and check.holder_id == "H0000001"


async def test_three_wrong_tries_use_a_code_up(services: Services) -> None:
    codes = _code_service(services, FakeClock(), ["123456"])
    await codes.send("web-a", "H0000001", source=SendSource.chat("web-a"))
    left = [(await codes.check("web-a", "000000")).attempts_left for _ in range(3)]
    assert left == [2, 1, 0]
    assert (await codes.check("web-a", "123456")).status is CheckStatus.EXPIRED


async def test_codes_are_never_logged(
    services: Services, domain: dict[str, Any], caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    talk = web_answers()
    await run(ActionVerifyIdentity(), talk, domain)
    [code] = texted_codes(services, MARIA.phone)
    talk.slots["one_time_code"] = code
    await run(ActionCheckOneTimeCode(), talk, domain)
    assert code not in caplog.text
    assert "one-time code sent to ***01" in caplog.text
