"""The one send budget of one-time codes: per holder, per number, per source, a sliding window,
counted atomically in the application database (SQLite here, PostgreSQL for the race)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.conversation.send_budget import (
    SendBudget,
    SendLimitReached,
    SendSource,
    one_time_code_sends,
)
from bot.db import make_engine
from bot.settings import CodeSendSettings, ConfigurationError, Settings
from tests.conversation.conftest import FakeClock
from tests.support.app_database import upgrade

KEY = "test-hash-key"
LIMITS = CodeSendSettings()  # 3 per holder, 3 per number, 6 per source, 15 minutes
MARIA_PHONE = "+15125550101"
JAMES_PHONE = "+17045550102"


def budget(engine: Engine, clock: FakeClock, limits: CodeSendSettings = LIMITS) -> SendBudget:
    return SendBudget(engine, limits, hash_key=KEY, clock=clock)


def sends_allowed(spend: SendBudget, attempts: int, **request: object) -> list[bool]:
    allowed = []
    for _ in range(attempts):
        try:
            spend.spend(**request)  # type: ignore[arg-type]
            allowed.append(True)
        except SendLimitReached:
            allowed.append(False)
    return allowed


def test_a_holder_gets_three_codes_per_window_whatever_the_session(
    engine: Engine, clock: FakeClock
) -> None:
    spend = budget(engine, clock)
    allowed = [
        sends_allowed(
            spend,
            1,
            holder_id="H0000001",
            destination=MARIA_PHONE,
            source=SendSource.chat(f"session-{n}"),
        )[0]
        for n in range(6)
    ]
    assert allowed == [True, True, True, False, False, False]


def test_a_spent_budget_says_it_is_the_holder_and_when_it_frees_up(
    engine: Engine, clock: FakeClock
) -> None:
    spend = budget(engine, clock)
    for n in range(3):
        spend.spend(holder_id="H1", destination=MARIA_PHONE, source=SendSource.chat(f"s{n}"))
        clock.advance(minutes=1)
    with pytest.raises(SendLimitReached) as refused:
        spend.spend(holder_id="H1", destination=JAMES_PHONE, source=SendSource.chat("s9"))
    assert refused.value.budget == "holder"
    # The first send was 3 minutes ago: room again in 12.
    assert refused.value.retry_after == timedelta(minutes=12)


def test_the_window_slides(engine: Engine, clock: FakeClock) -> None:
    spend = budget(engine, clock)
    request = {"holder_id": "H1", "destination": MARIA_PHONE}
    for minute in (0, 5, 10):
        spend.spend(**request, source=SendSource.chat(f"at-{minute}"))  # type: ignore[arg-type]
        clock.advance(minutes=5)
    clock.advance(minutes=-5, seconds=4 * 60 + 59)  # 14:59 after the first send
    assert sends_allowed(spend, 1, **request, source=SendSource.chat("a")) == [False]
    clock.advance(seconds=1)  # 15:00: the first send has left the window, the others not
    assert sends_allowed(spend, 2, **request, source=SendSource.chat("b")) == [True, False]
    clock.advance(minutes=5)  # 20:00: the send at 5:00 has left too
    assert sends_allowed(spend, 2, **request, source=SendSource.chat("c")) == [True, False]


def test_one_number_on_file_for_several_holders_gets_three_codes(
    engine: Engine, clock: FakeClock
) -> None:
    spend = budget(engine, clock)
    allowed = [
        sends_allowed(
            spend,
            1,
            holder_id=holder,
            destination=MARIA_PHONE,
            source=SendSource.ip(f"198.51.100.{n}"),
        )[0]
        for n, holder in enumerate(["H1", "H2", "H3", "H4"])
    ]
    assert allowed == [True, True, True, False]


def test_one_source_trips_across_different_holders(engine: Engine, clock: FakeClock) -> None:
    spend = budget(engine, clock)
    office = SendSource.ip("203.0.113.7")
    allowed = [
        sends_allowed(spend, 1, holder_id=f"H{n}", destination=f"+1512555{n:04d}", source=office)[0]
        for n in range(8)
    ]
    assert allowed == [True] * 6 + [False, False]
    with pytest.raises(SendLimitReached) as refused:
        spend.spend(holder_id="H99", destination="+15125559999", source=office)
    assert refused.value.budget == "source"
    # Another address still gets a code for a holder the office never reached.
    spend.spend(holder_id="H99", destination="+15125559999", source=SendSource.ip("192.0.2.1"))
    # A chat session is its own source too.
    session = SendSource.chat("web-1")
    assert sends_allowed(spend, 7, holder_id="H7", destination=None, source=session)[6] is False


def test_a_refused_send_counts_against_no_budget(engine: Engine, clock: FakeClock) -> None:
    spend = budget(engine, clock, CodeSendSettings(per_source=1))
    spend.spend(holder_id="H1", destination=MARIA_PHONE, source=SendSource.ip("203.0.113.7"))
    for _ in range(5):  # the source is spent: these must not eat Maria's budget
        with pytest.raises(SendLimitReached):
            spend.spend(
                holder_id="H1", destination=MARIA_PHONE, source=SendSource.ip("203.0.113.7")
            )
    others = [SendSource.ip(f"192.0.2.{n}") for n in range(3)]
    allowed = [
        sends_allowed(spend, 1, holder_id="H1", destination=MARIA_PHONE, source=s)[0]
        for s in others
    ]
    assert allowed == [True, True, False]


def test_the_same_number_written_differently_is_one_source(
    engine: Engine, clock: FakeClock
) -> None:
    spend = budget(engine, clock, CodeSendSettings(per_source=1))
    spend.spend(holder_id="H1", destination=MARIA_PHONE, source=SendSource.phone("+15125550101"))
    with pytest.raises(SendLimitReached):
        spend.spend(
            holder_id="H2", destination=JAMES_PHONE, source=SendSource.phone("(512) 555-0101")
        )


def test_the_budget_table_holds_no_holder_id_or_number(engine: Engine, clock: FakeClock) -> None:
    spend = budget(engine, clock)
    spend.spend(holder_id="H0000001", destination=MARIA_PHONE, source=SendSource.ip("203.0.113.7"))
    with engine.connect() as conn:
        rows = conn.execute(select(one_time_code_sends)).all()
    stored = " ".join(f"{row.subject} {row.sent_at}" for row in rows)
    assert len(rows) == 3
    for raw in ("H0000001", MARIA_PHONE, MARIA_PHONE[1:], "5550101", "203.0.113.7"):
        assert raw not in stored


def test_the_limits_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "POLICYLINE_ENV": "test",
            "CODE_SENDS_PER_HOLDER": "2",
            "CODE_SENDS_PER_DESTINATION": "4",
            "CODE_SENDS_PER_SOURCE": "9",
            "CODE_SEND_WINDOW_S": "600",
        }
    )
    assert settings.code_sends == CodeSendSettings(
        per_holder=2, per_destination=4, per_source=9, window_s=600
    )
    assert Settings.from_env({"POLICYLINE_ENV": "test"}).code_sends == CodeSendSettings(
        per_holder=3, per_destination=3, per_source=6, window_s=900
    )
    with pytest.raises(ConfigurationError):
        Settings.from_env({"POLICYLINE_ENV": "test", "CODE_SENDS_PER_HOLDER": "0"})


def race(spend: SendBudget, holder_id: str, threads: int) -> int:
    """``threads`` sends for one holder from as many sources at once; how many were allowed."""
    start = threading.Barrier(threads)
    allowed: list[bool] = []
    errors: list[BaseException] = []

    def one(n: int) -> None:
        start.wait()
        try:
            spend.spend(
                holder_id=holder_id,
                destination=MARIA_PHONE,
                source=SendSource.chat(f"{holder_id}-session-{n}"),
            )
            allowed.append(True)
        except SendLimitReached:
            allowed.append(False)
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(allowed) == threads
    return sum(allowed)


def test_concurrent_sends_never_exceed_the_budget_on_sqlite(
    engine: Engine, clock: FakeClock
) -> None:
    spend = budget(engine, clock, CodeSendSettings(per_destination=100))
    for round_ in range(3):  # rows created in the race, then rows that already exist
        holder = f"H-race-{round_}"
        assert race(spend, holder, threads=12) == 3
        assert race(spend, holder, threads=4) == 0


@pytest.mark.postgres
def test_concurrent_sends_never_exceed_the_budget_on_postgres(
    postgres_url: str, clock: FakeClock
) -> None:
    engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        spend = budget(engine, clock, CodeSendSettings(per_destination=100))
        for _ in range(3):
            holder = f"H-pg-{uuid.uuid4().hex[:12]}"
            assert race(spend, holder, threads=12) == 3
            assert race(spend, holder, threads=4) == 0
    finally:
        engine.dispose()
