"""Claim alerts end to end against the real PAS sandbox: a claim change on the PAS becomes exactly
one text and one e-mail for each opted-in channel, and nothing for anyone else."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.notifications.claim_alerts_quiet_hours import QuietHours
from bot.notifications.email_sender import read_email_outbox
from bot.notifications.outbox import read_outbox, sms_outbox
from tests.notifications.conftest import AlertRig
from tests.support.app_database import upgrade

MARIA_PHONE = "+15125550101"  # AUT-1000001 (TX), open claim CLM-50000001 at estimate
JOSE_PHONE = "+17185550105"  # AUT-1000003 (NY) claim CLM-50000003, HOM-2000002 claim CLM-50000004


async def maria_email(rig: AlertRig) -> str:
    return (await rig.connector().get_policyholder("H0000001")).value.email


def all_texts(rig: AlertRig) -> list[tuple[str, str]]:
    with rig.engine.connect() as conn:
        rows = conn.execute(select(sms_outbox.c.to_number, sms_outbox.c.body)).all()
    return [(r.to_number, r.body) for r in rows]


async def test_a_claim_change_sends_one_text_and_one_email_to_the_opted_in_policyholder(
    rig: AlertRig,
):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")
    rig.store.opt_in("AUT-1000001", "email", "cli")
    notifier = rig.notifier()
    await notifier.poll_once()  # first start: the cursor begins at the newest timeline row

    rig.sandbox.advance_claim("CLM-50000001")  # estimate -> repair
    polled, delivered = await notifier.run_once()

    assert (polled.read, polled.planned, delivered.sent) == (1, 2, 2)
    assert all_texts(rig) == [
        (
            MARIA_PHONE,
            "Harbor Mutual Insurance: Your claim ...0001 is now: Repair authorized. Reply STATUS "
            "for details, ADJUSTER for your adjuster, STOP to end.",
        )
    ]
    [mail] = read_email_outbox(rig.engine)
    assert mail.to == await maria_email(rig)
    assert mail.subject == "Claim ...0001 update: Repair authorized"
    assert "What happens next: Repairs are under way" in mail.body
    assert "CLM-50000001" not in mail.body and "AUT-1000001" not in mail.body

    # Polling again finds nothing new and sends nothing more.
    polled, delivered = await notifier.run_once()
    assert (polled.read, delivered.sent) == (0, 0)
    assert len(all_texts(rig)) == 1 and len(read_email_outbox(rig.engine)) == 1
    # The delivery rows forget the number and address once sent.
    assert [(d["state"], d["destination"]) for d in rig.store.deliveries()] == [
        ("sent", None),
        ("sent", None),
    ]


async def test_every_milestone_and_an_adjuster_change_is_its_own_alert(rig: AlertRig):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")
    notifier = rig.notifier()
    await notifier.poll_once()
    rig.sandbox.reassign_claim("CLM-50000001")
    rig.sandbox.advance_claim("CLM-50000001")
    rig.sandbox.advance_claim("CLM-50000001")  # two milestones between two polls
    await notifier.run_once()
    bodies = [m.body for m in read_outbox(rig.engine, to=MARIA_PHONE)]
    assert [b.split(" is now: ")[1].split(".")[0] for b in bodies] == [
        "New adjuster assigned",
        "Repair authorized",
        "Payment issued",
    ]


async def test_policyholders_who_did_not_opt_in_get_nothing(rig: AlertRig):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")  # Maria only
    notifier = rig.notifier()
    await notifier.poll_once()
    rig.sandbox.advance_claim("CLM-50000003")  # José's glass claim
    polled, delivered = await notifier.run_once()
    assert (polled.read, polled.planned, delivered.sent) == (1, 0, 0)
    assert all_texts(rig) == []
    assert rig.store.deliveries() == []


async def test_a_number_that_texted_stop_gets_no_alert_but_its_email_still_goes(rig: AlertRig):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")
    rig.store.opt_in("AUT-1000001", "email", "cli")
    notifier = rig.notifier()
    await notifier.poll_once()
    assert rig.suppression.opt_out(MARIA_PHONE, "keyword")  # STOP
    rig.sandbox.advance_claim("CLM-50000001")
    _, delivered = await notifier.run_once()
    assert (delivered.sent, delivered.suppressed) == (1, 1)
    assert all_texts(rig) == []
    assert len(read_email_outbox(rig.engine)) == 1
    states = {d["channel"]: d["state"] for d in rig.store.deliveries()}
    assert states == {"sms": "suppressed", "email": "sent"}


async def test_an_email_unsubscribe_stops_the_emails_and_not_the_texts(rig: AlertRig):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")
    rig.store.opt_in("AUT-1000001", "email", "cli")
    assert rig.store.opt_out("AUT-1000001", "email")
    notifier = rig.notifier()
    await notifier.poll_once()
    rig.sandbox.advance_claim("CLM-50000001")
    await notifier.run_once()
    assert read_email_outbox(rig.engine) == []
    assert len(read_outbox(rig.engine, to=MARIA_PHONE)) == 1


async def test_an_unsubscribe_while_an_alert_is_held_stops_it(rig: AlertRig):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "email", "cli")
    chicago = ZoneInfo("America/Chicago")
    rig.clock.now = _next_local(chicago, time(23, 0))
    notifier = rig.notifier(quiet_hours=QuietHours())
    await notifier.poll_once()
    rig.sandbox.advance_claim("CLM-50000001")
    await notifier.run_once()
    rig.store.opt_out("AUT-1000001", "email")
    rig.clock.now = _next_local(chicago, time(8, 0), after=rig.clock.now)
    _, delivered = await notifier.run_once()
    assert delivered.unsubscribed == 1
    assert read_email_outbox(rig.engine) == []


def _next_local(zone: ZoneInfo, at: time, after: datetime | None = None) -> datetime:
    """The next instant after ``after`` (default: now) when the wall clock in ``zone`` is ``at``."""
    start = (after or datetime.now(timezone.utc)).astimezone(zone)
    candidate = datetime.combine(start.date(), at, tzinfo=zone)
    if candidate <= start:
        candidate = datetime.combine(start.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate.astimezone(timezone.utc)


async def test_alerts_found_in_quiet_hours_are_held_until_morning_in_the_holders_zone(
    rig: AlertRig,
):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")  # Maria: Austin, TX (Central time)
    chicago = ZoneInfo("America/Chicago")
    rig.clock.now = _next_local(chicago, time(23, 0))
    notifier = rig.notifier(quiet_hours=QuietHours(time(21, 0), time(8, 0)))
    await notifier.poll_once()
    rig.sandbox.advance_claim("CLM-50000001")

    polled, delivered = await notifier.run_once()
    assert (polled.planned, delivered.sent) == (1, 0)
    [held] = rig.store.deliveries()
    morning = _next_local(chicago, time(8, 0), after=rig.clock.now)
    assert held["state"] == "pending"
    assert held["not_before"].replace(tzinfo=timezone.utc) == morning
    assert all_texts(rig) == []

    rig.clock.now = morning - timedelta(minutes=1)
    assert (await notifier.run_once())[1].sent == 0
    rig.clock.now = morning
    assert (await notifier.run_once())[1].sent == 1
    assert len(read_outbox(rig.engine, to=MARIA_PHONE)) == 1


async def test_a_restarted_notifier_sends_nothing_twice_even_when_it_rereads_the_feed(
    rig: AlertRig,
):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")
    first = rig.notifier(instance_id="before-restart")
    await first.poll_once()
    start = rig.store.cursor("pas-claim-timeline")
    assert start is not None
    rig.sandbox.advance_claim("CLM-50000001")
    await first.run_once()
    assert len(all_texts(rig)) == 1

    # A new process on the same database: it resumes from the stored cursor.
    second = rig.notifier(instance_id="after-restart")
    polled, delivered = await second.run_once()
    assert (polled.read, delivered.sent) == (0, 0)
    # Even with the cursor moved back (a crash before it was saved), the change is not re-sent.
    rig.store.reset_cursor("pas-claim-timeline", start)
    polled, delivered = await second.run_once()
    assert (polled.read, polled.planned, delivered.sent) == (1, 0, 0)
    assert len(all_texts(rig)) == 1


async def test_a_rebuilt_timeline_moves_the_cursor_back_to_its_newest_row(rig: AlertRig):
    upgrade(rig.store.engine)
    rig.store.opt_in("AUT-1000001", "sms", "cli")
    notifier = rig.notifier()
    await notifier.poll_once()
    for _ in range(2):
        rig.sandbox.advance_claim("CLM-50000003")
    await notifier.run_once()
    before = rig.store.cursor("pas-claim-timeline")
    rig.sandbox.reset()  # the replica is rebuilt from the seed: row ids start again
    polled, _ = await notifier.run_once()
    assert before is not None and polled.cursor == before - 2
    rig.sandbox.advance_claim("CLM-50000001")
    polled, delivered = await notifier.run_once()
    assert (polled.read, delivered.sent) == (1, 1)
