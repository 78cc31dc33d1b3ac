"""Two notifiers on one PostgreSQL database, racing on the same changes, send each alert once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.db import make_engine
from bot.notifications.email_sender import email_outbox
from bot.notifications.outbox import sms_outbox
from tests.notifications.conftest import AlertRig, SettableClock
from tests.support.app_database import upgrade

pytestmark = pytest.mark.postgres


async def test_two_notifiers_racing_send_every_alert_exactly_once(sandbox, pg_app_database):
    rig = AlertRig(sandbox, pg_app_database, make_engine(pg_app_database), SettableClock())
    try:
        upgrade(rig.store.engine)
        for policy, channel in [
            ("AUT-1000001", "sms"),
            ("AUT-1000001", "email"),
            ("AUT-1000003", "sms"),
            ("HOM-2000002", "email"),
        ]:
            rig.store.opt_in(policy, channel, "cli")
        one, two = rig.notifier(instance_id="one"), rig.notifier(instance_id="two")
        await asyncio.gather(one.poll_once(), two.poll_once())

        changes = ["CLM-50000001", "CLM-50000003", "CLM-50000004", "CLM-50000001"]
        for claim in changes:
            sandbox.advance_claim(claim)
        rounds = [await asyncio.gather(one.run_once(), two.run_once()) for _ in range(3)]
        [(polled_one, _), (polled_two, _)] = rounds[0]
        # Both read the same four changes in the same round: a real race for each delivery.
        assert (polled_one.read, polled_two.read) == (4, 4)
        assert sum(polled.planned for r in rounds for polled, _ in r) == 6

        with rig.engine.connect() as conn:
            texts = conn.execute(
                select(sms_outbox.c.to_number, func.count()).group_by(sms_outbox.c.to_number)
            ).all()
            mails = conn.execute(select(func.count()).select_from(email_outbox)).scalar_one()
        # Maria: 2 changes x (sms + email); José: glass claim by sms, home claim by e-mail.
        assert dict(texts) == {"+15125550101": 2, "+17185550105": 1}
        assert mails == 3
        deliveries = rig.store.deliveries()
        assert len(deliveries) == 6
        assert {d["state"] for d in deliveries} == {"sent"}
        assert {d["claimed_by"] for d in deliveries} <= {"one", "two"}
    finally:
        await rig.aclose()
