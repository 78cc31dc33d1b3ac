"""The one code store and the one lockout store: each use keeps its own limits."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation.one_time_codes import CHAT_CODES
from bot.lockouts import LockoutPolicy, LockoutStore
from bot.one_time_codes import CodePolicy, OneTimeCodes

WEB_CODES = CodePolicy(lifetime=timedelta(minutes=10), max_attempts=5)


def test_chat_and_web_codes_share_the_store_but_burn_after_their_own_number_of_tries(engine, clock):
    codes = OneTimeCodes(engine, "key", clock=clock, generate=lambda: "123456")
    codes.issue("chat", "conversation:a", CHAT_CODES, holder_id="H1")
    codes.issue("sign_in", "account:1", WEB_CODES)

    chat = [codes.check("chat", "conversation:a", "000000") for _ in range(3)]
    web = [codes.check("sign_in", "account:1", "000000") for _ in range(5)]

    assert [c.status for c in chat] == ["wrong", "wrong", "too_many_attempts"]
    assert [c.attempts_left for c in chat] == [2, 1, 0]
    assert chat[0].holder_id == "H1"
    assert [c.status for c in web] == ["wrong"] * 4 + ["too_many_attempts"]
    # A burnt code is gone, even with the right digits.
    assert codes.check("chat", "conversation:a", "123456").status == "none"


def test_a_code_works_once_for_its_own_purpose_and_subject_until_it_expires(engine, clock):
    codes = OneTimeCodes(engine, "key", clock=clock, generate=lambda: "123456")
    codes.issue("sign_in", "account:1", WEB_CODES)
    assert codes.check("step_up", "account:1", "123456").status == "none"
    assert codes.check("sign_in", "account:2", "123456").status == "none"
    assert codes.check("sign_in", "account:1", "123 456").status == "ok"
    assert codes.check("sign_in", "account:1", "123456").status == "none"

    codes.issue("sign_in", "account:1", WEB_CODES)
    clock.advance(minutes=10)
    assert codes.check("sign_in", "account:1", "123456").status == "expired"


def test_a_withdrawn_code_never_works(engine, clock):
    codes = OneTimeCodes(engine, "key", clock=clock, generate=lambda: "123456")
    codes.issue("chat", "conversation:a", CHAT_CODES, holder_id="H1")
    codes.withdraw("chat", "conversation:a")
    assert codes.check("chat", "conversation:a", "123456").status == "none"


def test_failures_in_a_row_lock_once_and_the_lock_stands_until_it_ends(engine, clock):
    store = LockoutStore(engine, LockoutPolicy(3, timedelta(minutes=15)), clock=clock)
    results = [store.record_failure(["sign-in:x"]) for _ in range(4)]

    assert [r.newly_locked for r in results] == [False, False, True, False]
    assert results[2].locked_until == clock() + timedelta(minutes=15)
    assert results[3].locked_until == results[2].locked_until  # not extended, not counted

    clock.advance(minutes=15)
    assert not store.locked("sign-in:x")
    assert store.record_failure(["sign-in:x"]).failures == 1


def test_without_forgetting_old_failures_still_count_with_forgetting_they_do_not(engine, clock):
    in_a_row = LockoutStore(engine, LockoutPolicy(3, timedelta(minutes=15)), clock=clock)
    windowed = LockoutStore(
        engine,
        LockoutPolicy(3, timedelta(minutes=15), forget_after=timedelta(minutes=15)),
        clock=clock,
    )
    for store, subject in ((in_a_row, "sign-in:x"), (windowed, "conversation:y")):
        store.record_failure([subject])
        store.record_failure([subject])
    clock.advance(hours=2)

    assert in_a_row.record_failure(["sign-in:x"]).newly_locked
    after = windowed.record_failure(["conversation:y"])
    assert after.failures == 1 and not after.locked


def test_one_failure_counts_against_every_subject_and_locks_them_together(engine, clock):
    store = LockoutStore(engine, LockoutPolicy(2, timedelta(minutes=15)), clock=clock)
    store.record_failure(["conversation:a"])
    state = store.record_failure(["conversation:a", "source:b"])

    assert state.locked and state.newly_locked
    assert store.locked("source:b")
    store.clear(["conversation:a", "source:b"])
    assert store.state(["conversation:a", "source:b"]).failures == 0
