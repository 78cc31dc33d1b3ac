"""The rules of claim alerts on their own: quiet hours, time zones, message texts, the cursor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.db import make_engine
from bot.notifications.claim_alerts import FEED, ClaimAlertNotifier, NotifierConfig
from bot.notifications.claim_alerts_messages import AlertTexts, claim_tail
from bot.notifications.claim_alerts_quiet_hours import QuietHours, zone_for_state
from bot.notifications.claim_alerts_store import ClaimAlertStore
from bot.notifications.email_sender import OutboxEmailSender, is_plausible_address
from bot.notifications.sms import OutboxSmsSender
from bot.notifications.suppression import SuppressionList
from pas_connector.errors import PasUnavailable
from pas_connector.models import ClaimChange
from tests.notifications.conftest import NO_QUIET_HOURS, SettableClock
from tests.support.app_database import upgrade

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
UTC = timezone.utc
QUIET = QuietHours(time(21, 0), time(8, 0))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "state", "release"),
    [
        # 14:00 in Austin (CST, UTC-6): not quiet, sent now.
        (utc(2026, 11, 25, 20, 0), "TX", utc(2026, 11, 25, 20, 0)),
        # 22:30 in Austin: held to 08:00 tomorrow Austin time.
        (utc(2026, 11, 26, 4, 30), "TX", utc(2026, 11, 26, 14, 0)),
        # 06:00 in Seattle: held to 08:00 the same morning.
        (utc(2026, 11, 25, 14, 0), "WA", utc(2026, 11, 25, 16, 0)),
        # 21:00 sharp in New York is quiet; 08:00 sharp is not.
        (utc(2026, 11, 26, 2, 0), "NY", utc(2026, 11, 26, 13, 0)),
        (utc(2026, 11, 26, 13, 0), "ny", utc(2026, 11, 26, 13, 0)),
        # The night the clocks go back (1 Nov 2026): 08:00 is then UTC-6 in Chicago, not UTC-5.
        (utc(2026, 11, 1, 4, 0), "IL", utc(2026, 11, 1, 14, 0)),
        # Phoenix keeps standard time all year.
        (utc(2026, 7, 1, 5, 0), "AZ", utc(2026, 7, 1, 15, 0)),
    ],
)
def test_quiet_hours_hold_an_alert_to_the_morning_in_the_holders_zone(now, state, release):
    assert QUIET.release_at(now, zone_for_state(state)) == release


def test_unknown_states_use_the_westernmost_mainland_zone_and_equal_times_mean_no_quiet():
    assert zone_for_state(None).key == zone_for_state("ZZ").key == "America/Los_Angeles"
    assert not NO_QUIET_HOURS.is_quiet(time(3, 0))
    assert QuietHours(time(13, 0), time(14, 0)).is_quiet(time(13, 30))  # a daytime window
    with pytest.raises(ValueError, match="HH:MM"):
        QuietHours.parse("9pm", "08:00")


TEXTS = AlertTexts("Harbor Mutual Insurance", "+18005550199")
MILESTONES = [
    "reported",
    "assigned",
    "inspection",
    "estimate",
    "repair",
    "payment_issued",
    "closed",
    "adjuster_changed",
    "something_new",
]


@pytest.mark.parametrize("milestone", MILESTONES)
def test_an_alert_text_is_one_gsm7_segment_naming_only_the_claims_last_digits(milestone):
    body = TEXTS.sms("CLM-50004521", milestone)
    assert len(body) <= 160
    assert set(body) <= GSM7
    assert "...4521" in body and "CLM-5000" not in body
    assert body.endswith("Reply STATUS for details, ADJUSTER for your adjuster, STOP to end.")


def test_claim_tails_and_plain_language_labels():
    assert claim_tail("CLM-50004521") == "...4521"
    assert "is now: Inspection scheduled." in TEXTS.sms("CLM-1", "inspection")
    assert "is now: Something new." in TEXTS.sms("CLM-1", "something_new")
    subject, body = TEXTS.email("CLM-50004521", "estimate", None)
    assert subject == "Claim ...4521 update: Estimate ready"
    assert "What happens next" not in body


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("maria@example.com", True),
        ("Maria <maria@example.com>", False),
        ("a@b", False),
        ("x@example.com\r\nBcc: y@example.com", False),
        ("", False),
    ],
)
def test_only_plain_single_addresses_are_mailed(address, ok):
    assert is_plausible_address(address) is ok


# --- the cursor, on a scripted feed -------------------------------------------------------------


@dataclass
class ScriptedFeed:
    """Only the feed half of a connector: rows by id; no claim is anyone's (nothing to send)."""

    rows: dict[int, ClaimChange] = field(default_factory=dict)
    fail_claims: bool = False

    def add(self, event_id: int, moment: datetime) -> None:
        self.rows[event_id] = ClaimChange(
            event_id, f"CLM-{event_id:08d}", moment, "repair", "Repair authorised.", None
        )

    async def latest_claim_change_id(self) -> int:
        return max(self.rows, default=0)

    async def claim_changes_after(self, after_id: int, limit: int = 500) -> tuple[ClaimChange, ...]:
        return tuple(self.rows[i] for i in sorted(self.rows) if i > after_id)[:limit]

    async def get_claim(self, claim_number: str) -> Any:
        if self.fail_claims:
            raise PasUnavailable("down")

        @dataclass
        class _Claim:
            policy_number: str = "AUT-0000000"

        @dataclass
        class _Fresh:
            value: Any = field(default_factory=_Claim)

        return _Fresh()


def scripted_notifier(tmp_path: Path, feed: ScriptedFeed, clock: SettableClock):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    store = ClaimAlertStore(engine, clock=clock)
    upgrade(engine)
    notifier = ClaimAlertNotifier(
        connector=feed,  # type: ignore[arg-type]
        store=store,
        sms=OutboxSmsSender(engine, SuppressionList(engine, "k")),
        email=OutboxEmailSender(engine),
        texts=TEXTS,
        quiet_hours=NO_QUIET_HOURS,
        hash_key="k",
        config=NotifierConfig(gap_settle=timedelta(seconds=60)),
        clock=clock,
    )
    return notifier, store, engine


async def test_a_hole_in_the_ids_holds_the_cursor_until_it_settles(tmp_path):
    clock = SettableClock(utc(2026, 11, 25, 15, 0))
    feed = ScriptedFeed()
    feed.add(1, clock.now)
    notifier, store, engine = scripted_notifier(tmp_path, feed, clock)
    try:
        await notifier.poll_once()  # starts at row 1
        feed.add(2, clock.now)
        feed.add(4, clock.now)  # row 3 not committed yet
        assert (await notifier.poll_once()).cursor == 2
        clock.now += timedelta(seconds=30)
        feed.add(3, clock.now)  # the late row arrives inside the settle time: not skipped
        result = await notifier.poll_once()
        assert (result.read, result.cursor) == (2, 4)
        feed.add(6, clock.now)  # row 5 never arrives (a rolled-back write)
        assert (await notifier.poll_once()).cursor == 4
        clock.now += timedelta(seconds=61)
        assert (await notifier.poll_once()).cursor == 6
        assert store.cursor(FEED) == 6
    finally:
        engine.dispose()


async def test_a_pas_failure_keeps_the_cursor_so_the_rows_are_read_again(tmp_path):
    clock = SettableClock(utc(2026, 11, 25, 15, 0))
    feed = ScriptedFeed()
    notifier, _store, engine = scripted_notifier(tmp_path, feed, clock)
    try:
        await notifier.poll_once()
        feed.add(1, clock.now)
        feed.fail_claims = True
        assert (await notifier.poll_once()).cursor == 0
        assert notifier.status.last_error == "PasUnavailable"
        feed.fail_claims = False
        assert (await notifier.poll_once()).cursor == 1
    finally:
        engine.dispose()


async def test_old_milestones_are_never_announced(tmp_path):
    clock = SettableClock(utc(2026, 11, 25, 15, 0))
    feed = ScriptedFeed()
    notifier, _store, engine = scripted_notifier(tmp_path, feed, clock)
    try:
        await notifier.poll_once()
        feed.add(1, clock.now - timedelta(hours=73))
        feed.fail_claims = True  # an old row must not even reach the PAS
        result = await notifier.poll_once()
        assert (result.read, result.planned, result.cursor) == (1, 0, 1)
    finally:
        engine.dispose()


def test_the_cursor_only_moves_forward_and_starts_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    store = ClaimAlertStore(engine)
    upgrade(store.engine)
    try:
        assert store.start_cursor(FEED, 10) == 10
        assert store.start_cursor(FEED, 3) == 10  # a second notifier keeps the first's cursor
        store.advance_cursor(FEED, 7)
        assert store.cursor(FEED) == 10
        store.advance_cursor(FEED, 12)
        assert store.cursor(FEED) == 12
    finally:
        engine.dispose()


def test_a_persona_default_never_undoes_an_opt_out(tmp_path):
    from bot.notifications.claim_alerts_store import default_opt_ins

    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    store = ClaimAlertStore(engine)
    upgrade(store.engine)
    try:
        assert default_opt_ins(store, [("AUT-1000001", ("sms", "email"))]) == 2
        store.opt_out("AUT-1000001", "email")
        assert default_opt_ins(store, [("AUT-1000001", ("sms", "email"))]) == 0
        assert not store.is_opted_in("AUT-1000001", "email")
        assert store.is_opted_in("AUT-1000001", "sms")
    finally:
        engine.dispose()


def test_zone_names_are_real(tmp_path):
    from bot.notifications.claim_alerts_quiet_hours import STATE_ZONES

    for zone in set(STATE_ZONES.values()):
        ZoneInfo(zone)
