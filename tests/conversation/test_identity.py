"""Identity verification: finding by phone or policy number, DOB + ZIP, the 15-minute lockout."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from bot.conversation.identity import (
    GUESSER_LOCKOUT,
    IdentityService,
    VerificationStatus,
    holder_lockout,
)
from bot.conversation.user_input import parse_date_of_birth
from bot.conversation.verified_conversations import VerifiedConversations
from bot.conversation.web_handover import WebHandoverSigner
from bot.db import make_engine
from bot.lockouts import LockoutStore
from tests.conversation.conftest import MARIA, FakeClock, FakeIdentityPas
from tests.support.app_database import upgrade

KEY = "test-hash-key"
CONVERSATION = "conv-1"


def make_service(engine: Engine, clock: FakeClock) -> tuple[IdentityService, FakeIdentityPas]:
    pas = FakeIdentityPas(clock, [(MARIA, ["AUT-1000001"])])
    service = IdentityService(
        pas,
        LockoutStore(engine, GUESSER_LOCKOUT, clock=clock),
        hash_key=KEY,
        handover=WebHandoverSigner("secret", clock=clock),
        verified=VerifiedConversations(engine, clock=clock),
        clock=clock,
    )
    return service, pas


async def attempt(
    service: IdentityService,
    *,
    dob: str = "04/12/1985",
    zip_code: str = "78704",
    phone: str | None = "+15125550101",
    policy: str | None = None,
    conversation: str = CONVERSATION,
):
    return await service.verify(
        conversation_id=conversation,
        phone=phone,
        policy_number=policy,
        date_of_birth=dob,
        zip_code=zip_code,
    )


async def test_phone_on_file_finds_holder_and_dob_zip_verify(engine, clock):
    service, pas = make_service(engine, clock)
    result = await attempt(service, dob="april 12 1985")
    assert result.status is VerificationStatus.VERIFIED
    assert result.holder_id == "H0000001"
    assert pas.calls == ["find_by_phone", "get_policyholder"]


async def test_policy_number_finds_holder_but_knowledge_alone_needs_a_code(engine, clock):
    service, pas = make_service(engine, clock)
    result = await attempt(service, phone=None, policy="aut 1000001", dob="04121985")
    assert result.status is VerificationStatus.CODE_REQUIRED
    assert result.holder_id == "H0000001"
    assert "find_by_phone" not in pas.calls
    # Matching answers are not verification: nothing is recorded until the code comes back.
    assert await service.verified_identity(CONVERSATION) is None


async def test_bare_seven_digits_try_each_line_prefix(engine, clock):
    service, _ = make_service(engine, clock)
    result = await attempt(service, phone=None, policy="1000001")
    assert result.status is VerificationStatus.CODE_REQUIRED


async def test_number_not_on_file_finds_by_policy_number_but_is_not_verified(engine, clock):
    service, _ = make_service(engine, clock)
    asked = await attempt(service, phone="+15125559999")
    assert asked.status is VerificationStatus.NEED_POLICY_NUMBER
    # Nothing was counted: being asked for the policy number is not a failure.
    assert asked.attempts_left == 3
    answered = await attempt(service, phone="+15125559999", policy="AUT-1000001")
    # Knowledge from a number that is not on file: possession must be proven by a code.
    assert answered.status is VerificationStatus.CODE_REQUIRED
    assert await service.verified_identity(CONVERSATION) is None
    await service.second_factor_passed(conversation_id=CONVERSATION, holder_id="H0000001")
    verified = await service.verified_identity(CONVERSATION)
    assert verified is not None and verified.holder_id == "H0000001"


async def test_wrong_date_of_birth_fails_without_saying_which_answer(engine, clock):
    service, _ = make_service(engine, clock)
    result = await attempt(service, dob="04/13/1985")
    assert result.status is VerificationStatus.FAILED
    assert result.holder_id is None
    assert result.attempts_left == 2


async def test_wrong_zip_fails(engine, clock):
    service, _ = make_service(engine, clock)
    result = await attempt(service, zip_code="78705")
    assert result.status is VerificationStatus.FAILED
    assert result.attempts_left == 2


async def test_unreadable_answers_are_asked_again_not_counted(engine, clock):
    service, _ = make_service(engine, clock)
    result = await attempt(service, dob="sometime in spring")
    assert result.status is VerificationStatus.UNREADABLE
    after = await attempt(service)
    assert after.status is VerificationStatus.VERIFIED


async def test_third_failure_locks_for_fifteen_minutes_even_with_right_answers(engine, clock):
    service, pas = make_service(engine, clock)
    for _ in range(2):
        assert (await attempt(service, zip_code="11111")).status is VerificationStatus.FAILED
    third = await attempt(service, zip_code="11111")
    assert third.status is VerificationStatus.LOCKED
    assert (third.locked_until - clock.now).total_seconds() == pytest.approx(15 * 60)
    pas.calls.clear()
    right = await attempt(service)
    assert right.status is VerificationStatus.LOCKED
    # A locked conversation is refused before any PAS call.
    assert pas.calls == []


async def test_lock_ends_after_fifteen_minutes(engine, clock):
    service, _ = make_service(engine, clock)
    for _ in range(3):
        await attempt(service, dob="01/01/1990")
    clock.advance(minutes=14, seconds=59)
    assert (await attempt(service)).status is VerificationStatus.LOCKED
    clock.advance(seconds=1)
    assert await service.locked_until(CONVERSATION) is None
    assert (await attempt(service)).status is VerificationStatus.VERIFIED


async def test_lockout_survives_a_restarted_conversation_and_a_restarted_process(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    first_engine = make_engine(url)
    upgrade(first_engine)
    service, _ = make_service(first_engine, clock)
    for _ in range(3):
        await attempt(service, zip_code="00000")
    first_engine.dispose()

    # A new process (new engine, new service) and a new conversation id for the same caller.
    second_engine = make_engine(url)
    again, _ = make_service(second_engine, clock)
    same_conversation = await attempt(again)
    new_conversation = await attempt(again, conversation="conv-2")
    second_engine.dispose()
    assert same_conversation.status is VerificationStatus.LOCKED
    assert new_conversation.status is VerificationStatus.LOCKED


async def test_guessing_policy_numbers_counts_against_the_conversation(engine, clock):
    service, _ = make_service(engine, clock)
    for number in ("AUT-1000007", "AUT-1000008"):
        result = await attempt(service, phone=None, policy=number)
        assert result.status is VerificationStatus.FAILED
    third = await attempt(service, phone=None, policy="AUT-1000009")
    assert third.status is VerificationStatus.LOCKED
    # Maria herself, from another conversation, is not locked by someone else's guesses.
    assert (await attempt(service, conversation="conv-maria")).status is VerificationStatus.VERIFIED


async def test_success_clears_earlier_failures(engine, clock):
    service, _ = make_service(engine, clock)
    await attempt(service, zip_code="00000")
    await attempt(service, zip_code="00000")
    assert (await attempt(service)).status is VerificationStatus.VERIFIED
    after = await attempt(service, zip_code="00000")
    assert after.status is VerificationStatus.FAILED
    assert after.attempts_left == 2


async def test_lockout_counts_in_postgres_too(postgres_url, clock):
    pg = make_engine(postgres_url)
    upgrade(pg)
    try:
        service, _ = make_service(pg, clock)
        conversation = "conv-pg"
        for _ in range(2):
            await attempt(service, zip_code="00000", conversation=conversation)
        third = await attempt(service, zip_code="00000", conversation=conversation)
        assert third.status is VerificationStatus.LOCKED
        clock.advance(minutes=15)
        assert (
            await attempt(service, conversation=conversation)
        ).status is VerificationStatus.VERIFIED
    finally:
        pg.dispose()


@pytest.mark.parametrize(
    "spoken",
    [
        "4/12/1985",
        "04-12-1985",
        "1985-04-12",
        "april 12 1985",
        "April 12th, 1985",
        "04121985",
        "12 April 85",
        "4.12.85",
        "april twelfth nineteen eighty five",
        "the 12th of april 1985",
    ],
)
def test_date_of_birth_forms(spoken):
    assert parse_date_of_birth(spoken, date(2026, 11, 25)) == date(1985, 4, 12)


@pytest.mark.parametrize("text", ["april 12", "1985", "next tuesday", "13/45/1985", "12/01/2030x"])
def test_incomplete_or_impossible_dates_are_refused(text):
    assert parse_date_of_birth(text, date(2026, 11, 25)) is None


async def test_verification_is_recorded_server_side_and_ends_on_restart(engine, clock):
    service, _ = make_service(engine, clock)
    assert await service.verified_identity(CONVERSATION) is None
    assert (await attempt(service)).status is VerificationStatus.VERIFIED
    recorded = await service.verified_identity(CONVERSATION)
    assert recorded is not None
    assert (recorded.holder_id, recorded.assurance) == ("H0000001", "verified")
    # Another conversation proves nothing by this one's verification.
    assert await service.verified_identity("conv-other") is None
    await service.end_verification(CONVERSATION)
    assert await service.verified_identity(CONVERSATION) is None


async def test_verification_ends_after_fifteen_idle_minutes_and_use_keeps_it(engine, clock):
    service, _ = make_service(engine, clock)
    await attempt(service)
    clock.advance(minutes=14)
    assert await service.verified_identity(CONVERSATION) is not None
    clock.advance(minutes=14)  # 28 minutes after verifying, 14 after the last use
    assert await service.verified_identity(CONVERSATION) is not None
    clock.advance(minutes=15, seconds=1)
    assert await service.verified_identity(CONVERSATION) is None


class RecordingNotice:
    def __init__(self) -> None:
        self.locked: list[str] = []

    async def holder_locked(self, holder_id, until) -> None:
        self.locked.append(holder_id)


def make_two_level_service(engine: Engine, clock: FakeClock, notice: RecordingNotice):
    pas = FakeIdentityPas(clock, [(MARIA, ["AUT-1000001"])])
    return IdentityService(
        pas,
        LockoutStore(engine, GUESSER_LOCKOUT, clock=clock),
        holder_lockouts=LockoutStore(engine, holder_lockout(10), clock=clock),
        hash_key=KEY,
        handover=WebHandoverSigner("secret", clock=clock),
        verified=VerifiedConversations(engine, clock=clock),
        notice=notice,
        clock=clock,
    )


async def test_a_strangers_guesses_lock_the_stranger_before_the_policyholder(engine, clock):
    notice = RecordingNotice()
    service = make_two_level_service(engine, clock, notice)
    # A stranger who knows Maria's policy number guesses birth dates in one chat session.
    for _ in range(3):
        await attempt(service, phone=None, policy="AUT-1000001", dob="01/01/1990")
    stranger = await attempt(service, phone=None, policy="AUT-1000001")
    assert stranger.status is VerificationStatus.LOCKED
    # Maria, in a chat of her own, is not locked out by it, and nobody told her anything yet.
    own_chat = await attempt(service, phone=None, policy="AUT-1000001", conversation="maria")
    assert own_chat.status is VerificationStatus.CODE_REQUIRED
    assert notice.locked == []


async def test_guesses_from_many_conversations_pause_the_policy_number_route_and_tell_the_holder(
    engine, clock
):
    notice = RecordingNotice()
    service = make_two_level_service(engine, clock, notice)
    for i in range(10):
        await attempt(
            service, phone=None, policy="AUT-1000001", dob="01/01/1990", conversation=f"bot-{i}"
        )
    assert notice.locked == ["H0000001"]  # told once, when it locked
    knowledge = await attempt(service, phone=None, policy="AUT-1000001", conversation="fresh")
    assert knowledge.status is VerificationStatus.LOCKED
    # The possession route still works: Maria texting from her number on file.
    by_phone = await attempt(service, conversation="maria-sms")
    assert by_phone.status is VerificationStatus.VERIFIED
    # Her success ends the pause: the policy-number route works again, with its code.
    again = await attempt(service, phone=None, policy="AUT-1000001", conversation="later")
    assert again.status is VerificationStatus.CODE_REQUIRED
    assert notice.locked == ["H0000001"]
